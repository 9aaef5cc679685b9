/**
 * convgrad's recurrent ops for image captioning (cs231n's assignment): temporal affine, masked
 * temporal softmax loss, word embedding, vanilla RNN and LSTM steps and sequences, each with a
 * hand-written backward pass (the sequences' is one backpropagation through time), and the
 * captioning loss and greedy sampler built from them. They run on cpu, wasm and webgl; the
 * float64 oracle is `@convgrad/rnn/reference`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { rnnSequence } from "@convgrad/rnn";
 * const x = tf.randomNormal([2, 5, 3]) as tf.Tensor3D, h0 = tf.zeros([2, 4]) as tf.Tensor2D;
 * const Wx = tf.randomNormal([3, 4]) as tf.Tensor2D, Wh = tf.randomNormal([4, 4]) as tf.Tensor2D;
 * const b = tf.zeros([4]) as tf.Tensor1D;
 * const [dWx, dWh] = tf.grads((wx: tf.Tensor, wh: tf.Tensor) =>
 *   rnnSequence(x, h0, wx as tf.Tensor2D, wh as tf.Tensor2D, b).sum()
 * )([Wx, Wh]);
 * ```
 *
 * @module
 */
export { temporalAffine } from "./temporal_affine.ts";
export { temporalSoftmaxLoss } from "./temporal_softmax_loss.ts";
export { wordEmbedding } from "./word_embedding.ts";
export { rnnStep } from "./rnn_step.ts";
export { rnnSequence } from "./rnn_sequence.ts";
export { lstmStep } from "./lstm_step.ts";
export { lstmSequence } from "./lstm_sequence.ts";
export {
  captioningLoss,
  type CaptioningLossOptions,
  type CaptioningParams,
  type CaptioningSizes,
  type CellType,
  initCaptioningParams,
  sampleCaptions,
  type SampleOptions,
} from "./captioning.ts";
export { type ArgSpec, checkArgs, checkTokens } from "./checks.ts";
export { type CustomForward, customOp } from "./custom_grad.ts";
