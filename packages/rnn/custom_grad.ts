/**
 * A typed wrapper of `tf.customGrad` for ops with several inputs and a hand-written backward.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The forward pass of a custom op: its output and the backward pass over the saved tensors. */
export type CustomForward = (
  inputs: tf.Tensor[],
  save: tf.GradSaveFunc,
) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] };

/**
 * Makes an op whose gradient is `forward`'s `gradFunc` (one gradient per input, in order). The
 * forward runs inside a tidy; only what it passes to `save` reaches the backward pass.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { customOp } from "@convgrad/rnn";
 * const square = customOp(([x], save) => {
 *   save([x]);
 *   return { value: x.square(), gradFunc: (dy, [x]) => [dy.mul(x).mul(2)] };
 * });
 * tf.grad((x) => square(x))(tf.scalar(3)).print(); // 6
 * ```
 */
export function customOp(forward: CustomForward): (...inputs: tf.Tensor[]) => tf.Tensor {
  const f = (...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    return forward(args as tf.Tensor[], save);
  };
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as (
    ...inputs: tf.Tensor[]
  ) => tf.Tensor;
}
