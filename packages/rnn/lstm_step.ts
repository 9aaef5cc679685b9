/**
 * One step of the LSTM.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { checkArgs } from "./checks.ts";
import { lstmStatesCore } from "./lstm_sequence.ts";

/**
 * One LSTM step: `a = x·Wx + prevH·Wh + b` split into gate blocks i, f, o, g (sigmoid, sigmoid,
 * sigmoid, tanh), `c = f⊙prevC + i⊙g`, `h = o⊙tanh(c)`. Shapes: `x [N,D]`, `prevH`, `prevC
 * [N,H]`, `Wx [D,4H]`, `Wh [H,4H]`, `b [4H]`. It is {@linkcode lstmSequence}'s kernel on a one-step
 * sequence, so it shares that hand-written gradient (for both `h` and `c`).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { lstmStep } from "@convgrad/rnn";
 * const [N, D, H] = [1, 2, 3];
 * const { h, c } = lstmStep(
 *   tf.ones([N, D]), tf.zeros([N, H]), tf.zeros([N, H]),
 *   tf.zeros([D, 4 * H]), tf.zeros([H, 4 * H]), tf.zeros([4 * H]),
 * );
 * c.print(); // 0.5 · tanh(0) = 0 everywhere
 * ```
 */
export function lstmStep(
  x: tf.Tensor2D,
  prevH: tf.Tensor2D,
  prevC: tf.Tensor2D,
  Wx: tf.Tensor2D,
  Wh: tf.Tensor2D,
  b: tf.Tensor1D,
): { h: tf.Tensor2D; c: tf.Tensor2D } {
  const { N, D, H } = checkArgs("lstmStep", [
    ["x", x, "N,D"],
    ["prevH", prevH, "N,H"],
    ["prevC", prevC, "N,H"],
    ["Wx", Wx, "D,4H"],
    ["Wh", Wh, "H,4H"],
    ["b", b, "4H"],
  ]);
  const [h, c] = tf.tidy(() => {
    const hc = lstmStatesCore(x.reshape([N, 1, D]), prevH, prevC, Wx, Wh, b).reshape([N, 2 * H]);
    return tf.split(hc, 2, 1) as tf.Tensor2D[];
  });
  return { h, c };
}
