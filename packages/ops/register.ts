import * as tf from "@tensorflow/tfjs";

/**
 * Registers a kernel unless one is already registered under the same name and backend, so that
 * importing convgrad twice (two bundles, a test re-import) is harmless.
 */
export function registerKernelOnce(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName) === undefined) {
    tf.registerKernel(config);
  }
}

/** Registers a gradient unless one is already registered for the kernel. */
export function registerGradientOnce(config: tf.GradConfig): void {
  if (tf.getGradient(config.kernelName) === undefined) tf.registerGradient(config);
}

/** The named input of a kernel call; the public ops always pass it, so a missing one is a bug. */
export function input(inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo {
  const t = inputs[name];
  if (t === undefined) throw new Error(`convgrad: kernel called without input '${name}'`);
  return t;
}
