/**
 * Registers the five conv kernels of one backend from its three computations: a correlation
 * (which serves `filt`, `valid` and `full` alike) and the two backprop formulas.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { input, registerKernelOnce } from "../register.ts";
import { fullAttrs } from "./geometry.ts";
import { FILT, FILT_BACKPROP_FILTER, FILT_BACKPROP_INPUT, FULL, VALID } from "./kernel_names.ts";
import type { ConvAttrs } from "./options.ts";

/** What a backend computes for the conv kernels; `B` is the backend as the kernels use it. */
export interface ConvKernels<B> {
  /** The kernel's backend object as `B`: a cast, or a check that it can run these kernels. */
  backend(b: unknown): B;
  /** y [N,F,Ho,Wo] = filt(x [N,C,H,W], k [F,C,kh,kw]), with k spatially reversed if `flip`. */
  correlate(b: B, x: tf.TensorInfo, k: tf.TensorInfo, a: ConvAttrs, flip: boolean): tf.TensorInfo;
  /** dX [N,C,H,W] (`inputShape`) = Σ_f K[f,c] *full dY[n,f] of filt(X, K) under `a`. */
  backpropInput(
    b: B,
    dy: tf.TensorInfo,
    k: tf.TensorInfo,
    a: ConvAttrs,
    inputShape: number[],
  ): tf.TensorInfo;
  /** dK [F,C,kh,kw] (`kernelShape`) = Σ_n X[n,c] *filt dY[n,f] of filt(X, K) under `a`. */
  backpropFilter(
    b: B,
    x: tf.TensorInfo,
    dy: tf.TensorInfo,
    a: ConvAttrs,
    kernelShape: number[],
  ): tf.TensorInfo;
}

/**
 * The three forward ops as one correlation: `valid` reads the kernel reversed, `full` too, with
 * its own padding and stride 1.
 */
const FORWARD: { name: string; flip: boolean; attrs(k: tf.TensorInfo, a: ConvAttrs): ConvAttrs }[] =
  [
    { name: FILT, flip: false, attrs: (_k, a) => a },
    { name: VALID, flip: true, attrs: (_k, a) => a },
    { name: FULL, flip: true, attrs: (k) => fullAttrs(k.shape) },
  ];

/** A kernel's attrs: the backprop kernels also get `inputShape` or `kernelShape`. */
type Attrs = ConvAttrs & Record<string, number[]>;

/** Registers FILT, VALID, FULL and both backprop kernels on `backendName`. */
export function registerConvKernels<B>(backendName: string, kernels: ConvKernels<B>): void {
  const register = (
    kernelName: string,
    run: (b: B, inputs: tf.NamedTensorInfoMap, a: Attrs) => tf.TensorInfo,
  ) =>
    registerKernelOnce({
      kernelName,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) =>
        run(kernels.backend(backend), inputs, attrs as unknown as Attrs),
    });
  for (const { name, flip, attrs } of FORWARD) {
    register(name, (b, inputs, a) => {
      const k = input(inputs, "k");
      return kernels.correlate(b, input(inputs, "x"), k, attrs(k, a), flip);
    });
  }
  register(
    FILT_BACKPROP_INPUT,
    (b, inputs, a) =>
      kernels.backpropInput(b, input(inputs, "dy"), input(inputs, "k"), a, a.inputShape),
  );
  register(
    FILT_BACKPROP_FILTER,
    (b, inputs, a) =>
      kernels.backpropFilter(b, input(inputs, "x"), input(inputs, "dy"), a, a.kernelShape),
  );
}
