/**
 * One step of the vanilla RNN.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { checkArgs } from "./checks.ts";
import { rnnSequenceCore } from "./rnn_sequence.ts";

/**
 * One step of the vanilla RNN, `tanh(x·Wx + prevH·Wh + b)`: `x [N,D]`, `prevH [N,H]`,
 * `Wx [D,H]`, `Wh [H,H]`, `b [H]` → `[N,H]`. It is {@linkcode rnnSequence}'s kernel on a
 * one-step sequence, so it shares that hand-written gradient.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { rnnStep } from "@convgrad/rnn";
 * const h = rnnStep(tf.ones([1, 2]), tf.zeros([1, 3]), tf.ones([2, 3]), tf.eye(3), tf.zeros([3]));
 * h.print(); // tanh(2) everywhere
 * ```
 */
export function rnnStep(
  x: tf.Tensor2D,
  prevH: tf.Tensor2D,
  Wx: tf.Tensor2D,
  Wh: tf.Tensor2D,
  b: tf.Tensor1D,
): tf.Tensor2D {
  const { N, D, H } = checkArgs("rnnStep", [
    ["x", x, "N,D"],
    ["prevH", prevH, "N,H"],
    ["Wx", Wx, "D,H"],
    ["Wh", Wh, "H,H"],
    ["b", b, "H"],
  ]);
  return tf.tidy(() => rnnSequenceCore(x.reshape([N, 1, D]), prevH, Wx, Wh, b).reshape([N, H]));
}
