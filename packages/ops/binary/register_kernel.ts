/**
 * Registers a backend's `ConvgradBinaryConv2D` from the computation alone: the inputs, attrs and
 * geometry are read the same way for every backend.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { input, registerKernelOnce } from "../register.ts";
import {
  BINARY_CONV2D,
  type BinaryConvAttrs,
  type BinaryGeometry,
  binaryGeometry,
} from "./options.ts";

/** Registers `run` as the binary conv kernel of `backendName`; `B` is the backend as it uses it. */
export function registerBinaryConv<B>(
  backendName: string,
  run: (
    b: B,
    x: tf.TensorInfo,
    w: tf.TensorInfo,
    a: BinaryConvAttrs,
    g: BinaryGeometry,
  ) => tf.TensorInfo,
): void {
  registerKernelOnce({
    kernelName: BINARY_CONV2D,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const x = input(inputs, "x"), w = input(inputs, "w");
      const a = attrs as unknown as BinaryConvAttrs;
      return run(backend as unknown as B, x, w, a, binaryGeometry(x.shape, w, a));
    },
  });
}
