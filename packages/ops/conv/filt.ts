import * as tf from "@tensorflow/tfjs";
import { FILT } from "./kernel_names.ts";
import { checkConv, type ConvOptions } from "./options.ts";

/**
 * Cross-correlation ("filtering", `⋆` in `docs/convolutions.md`), NCHW:
 * `y[n,f] = Σ_c x[n,c] *filt k[f,c]`, i.e.
 * `y[n,f,i,j] = Σ_c Σ_p Σ_q xpad[n,c,i·sh+p,j·sw+q] · k[f,c,p,q]`
 * where `xpad` is `x` with `pad` zero rows/columns on each side.
 *
 * Differentiable on every backend: dX = Σ_f K *full dY and dK = Σ_n X *filt dY (derived in
 * `docs/convolutions.md`).
 *
 * @param x input `[N,C,H,W]`, float32
 * @param k kernel `[F,C,kh,kw]`, float32
 * @returns `[N,F,Ho,Wo]` with `Ho = ⌊(H + 2·ph − kh)/sh⌋ + 1`
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { filt, setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
 * const k = tf.tensor4d([1, 0, 0, -1], [1, 1, 2, 2]);
 * filt(x, k).print(); // [[[[-4, -4], [-4, -4]]]]
 * ```
 */
export function filt(x: tf.Tensor4D, k: tf.Tensor4D, opts: ConvOptions = {}): tf.Tensor4D {
  const attrs = checkConv("filt", x, k, opts);
  return tf.engine().runKernel(FILT, { x, k }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
