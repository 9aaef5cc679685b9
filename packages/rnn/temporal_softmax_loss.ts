/**
 * The masked softmax cross-entropy summed over time steps, with its own backward pass.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { checkArgs, checkTokens } from "./checks.ts";
import { customOp } from "./custom_grad.ts";

/**
 * Unchecked {@linkcode temporalSoftmaxLoss}. The log-softmax subtracts each row's log-sum-exp
 * (itself computed after subtracting the row's maximum), so no score size overflows; the
 * backward pass is `(softmax(x) − onehot(y))·mask/N`.
 */
export function temporalSoftmaxLossCore(
  x: tf.Tensor3D,
  y: tf.Tensor2D,
  mask: tf.Tensor2D,
): tf.Scalar {
  const [N, T, V] = x.shape;
  return customOp(([x], save) => {
    const logp = tf.logSoftmax(x.reshape([N * T, V])); // [N·T,V]
    // oneHot straight to float32 writes int bits on TF.js 4.22 wasm: make int32, then cast.
    const target = tf.oneHot(y.reshape([N * T]), V).cast("float32"); // [N·T,V]
    const weight = mask.reshape([N * T, 1]).cast("float32").div(N); // [N·T,1]
    save([logp, target, weight]);
    return {
      value: logp.mul(target).sum(1, true).mul(weight).sum().neg(),
      gradFunc: (dy, [logp, target, weight]) => [
        logp.exp().sub(target).mul(weight.mul(dy)).reshape([N, T, V]),
      ],
    };
  })(x) as tf.Scalar;
}

/**
 * cs231n's temporal softmax loss: `−(1/N) Σ_{n,t: mask[n,t]} log softmax(x[n,t])[y[n,t]]` for
 * scores `x [N,T,V]`, int32 targets `y [N,T]` in `[0, V)` and a bool `mask [N,T]`. It divides by
 * the batch size N, not by the number of unmasked positions. Stable for scores of any size; the
 * gradient is hand-written.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { temporalSoftmaxLoss } from "@convgrad/rnn";
 * const x = tf.zeros([1, 2, 4]) as tf.Tensor3D; // uniform scores over 4 words
 * const y = tf.tensor2d([[3, 0]], [1, 2], "int32");
 * const mask = tf.tensor2d([[true, false]], [1, 2], "bool");
 * temporalSoftmaxLoss(x, y, mask).print(); // ln 4 ≈ 1.3863
 * ```
 */
export function temporalSoftmaxLoss(
  x: tf.Tensor3D,
  y: tf.Tensor2D,
  mask: tf.Tensor2D,
): tf.Scalar {
  const { V } = checkArgs("temporalSoftmaxLoss", [
    ["x", x, "N,T,V"],
    ["y", y, "N,T", "int32"],
    ["mask", mask, "N,T", "bool"],
  ]);
  checkTokens("temporalSoftmaxLoss", "y", y, V);
  return temporalSoftmaxLossCore(x, y, mask);
}
