import * as tf from "@tensorflow/tfjs";
import { VALID } from "./kernel_names.ts";
import { checkConv, type ConvOptions } from "./options.ts";

/**
 * True ("valid") convolution, NCHW: {@linkcode filt} with the kernel flipped in both spatial
 * axes, `valid(x, k) = filt(x, flip(k))`: `Y[n,f] = Σ_c X[n,c] ∗ K[f,c]` (`docs/convolutions.md`).
 *
 * @param x input `[N,C,H,W]`, float32
 * @param k kernel `[F,C,kh,kw]`, float32
 * @returns `[N,F,Ho,Wo]`, same size as `filt`
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { setBackend, valid } from "@convgrad/ops";
 * await setBackend("wasm");
 * const x = tf.tensor4d([1, 2, 3], [1, 1, 1, 3]);
 * const k = tf.tensor4d([1, -1], [1, 1, 1, 2]);
 * valid(x, k).print(); // [[[[1, 1]]]]
 * ```
 */
export function valid(x: tf.Tensor4D, k: tf.Tensor4D, opts: ConvOptions = {}): tf.Tensor4D {
  const attrs = checkConv("valid", x, k, opts);
  return tf.engine().runKernel(VALID, { x, k }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
