import * as tf from "@tensorflow/tfjs";
import { FULL } from "./kernel_names.ts";
import { checkOperand } from "../checks.ts";

/**
 * Full convolution, NCHW: `y[n,f] = Σ_c x[n,c] *full k[f,c]`, every overlap of the (flipped)
 * kernel with the image, `y[n,f,i,j] = Σ_c Σ_p Σ_q x[n,c,i−p,j−q] · k[f,c,p,q]` with `x = 0`
 * outside. Equals `valid(x, k, {pad: [kh−1, kw−1]})`.
 *
 * @param x input `[N,C,H,W]`, float32
 * @param k kernel `[F,C,kh,kw]`, float32
 * @returns `[N,F,H+kh−1,W+kw−1]`
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { full, setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const x = tf.tensor4d([1, 2], [1, 1, 1, 2]);
 * const k = tf.tensor4d([1, 1], [1, 1, 1, 2]);
 * full(x, k).print(); // [[[[1, 3, 2]]]]
 * ```
 */
export function full(x: tf.Tensor4D, k: tf.Tensor4D): tf.Tensor4D {
  const xt = checkOperand("full", "x", x, "[N,C,H,W]");
  const kt = checkOperand("full", "k", k, "[F,C,kh,kw]");
  if (kt.shape[1] !== xt.shape[1]) {
    throw new RangeError(
      `full: channel mismatch: x [N,C,H,W] has C=${xt.shape[1]} but k [F,C,kh,kw] has C=${
        kt.shape[1]
      }`,
    );
  }
  if (xt.size === 0 || kt.size === 0) {
    throw new RangeError(`full: empty operand: x [${xt.shape}], k [${kt.shape}]`);
  }
  return tf.engine().runKernel(FULL, { x, k }) as tf.Tensor4D;
}
