/**
 * The fully connected layer applied at every time step, with its own backward pass.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { checkArgs } from "./checks.ts";
import { customOp } from "./custom_grad.ts";

/**
 * Unchecked {@linkcode temporalAffine}, for ops that validated their arguments already. The
 * backward pass is three GEMMs over all `N·T` rows at once:
 * `dx = dy·wᵀ`, `dw = xᵀ·dy`, `db = Σ dy`. Operands are transposed explicitly: TF.js wasm's
 * `BatchMatMul` takes a slow path for `transposeA`/`transposeB` (10–50x at these sizes).
 */
export const temporalAffineCore = customOp(([x, w, b], save) => {
  const [N, T, D] = x.shape, M = w.shape[1] as number;
  const x2 = x.reshape([N * T, D]);
  save([x2, w]);
  return {
    value: tf.fused.matMul({ a: x2, b: w, bias: b }).reshape([N, T, M]),
    gradFunc: (dy, [x2, w]) => {
      const dy2 = dy.reshape([N * T, M]);
      return [
        tf.matMul(dy2, w.transpose()).reshape([N, T, D]),
        tf.matMul(x2.transpose(), dy2),
        dy2.sum(0),
      ];
    },
  };
}) as (x: tf.Tensor3D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor3D;

/**
 * `y[n,t] = x[n,t]·w + b` for every time step: `x [N,T,D]`, `w [D,M]`, `b [M]` → `[N,T,M]`.
 * Its gradient is hand-written (three GEMMs over all time steps), not TF.js autodiff.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { temporalAffine } from "@convgrad/rnn";
 * const y = temporalAffine(tf.ones([2, 3, 4]), tf.ones([4, 5]), tf.zeros([5]));
 * y.shape; // [2, 3, 5], every entry 4
 * ```
 */
export function temporalAffine(x: tf.Tensor3D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor3D {
  checkArgs("temporalAffine", [["x", x, "N,T,D"], ["w", w, "D,M"], ["b", b, "M"]]);
  return temporalAffineCore(x, w, b);
}
