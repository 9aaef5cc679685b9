/**
 * The loss every classifier training step minimises, in one place for the serial step
 * (`trainer.ts`), the calling thread's share and the workers' shares (`parallel.ts`,
 * `grad_worker.ts`): the mean cross-entropy of the model's softmax output.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Images `[B, H·W]` of a batch as an NCHW tensor `[B,1,H,W]`. */
export function imagesTensor(
  images: Float32Array,
  size: number,
  h: number,
  w: number,
): tf.Tensor4D {
  return tf.tensor4d(images, [size, 1, h, w]);
}

/** Mean cross-entropy of softmax outputs `p [B,K]` against integer labels. */
export function crossEntropy(p: tf.Tensor, labels: tf.Tensor1D, classes: number): tf.Scalar {
  const onehot = tf.oneHot(labels, classes);
  return tf.neg(tf.sum(onehot.mul(tf.log(p.clipByValue(1e-7, 1))), -1).mean()) as tf.Scalar;
}

/** One batch share: `size` images of `height x width` (row-major) and their labels. */
export interface Share {
  images: Float32Array;
  labels: Uint8Array | Int32Array;
  size: number;
  height: number;
  width: number;
  classes: number;
}

/**
 * The mean cross-entropy of `model` (in training mode) on `share`: the loss every step minimises.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { mnistCnn, shareLoss } from "@convgrad/nn";
 * import { setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const model = mnistCnn();
 * const share = {
 *   images: new Float32Array(2 * 28 * 28), labels: new Uint8Array([3, 7]),
 *   size: 2, height: 28, width: 28, classes: 10,
 * };
 * const loss = shareLoss(model, share); // ≈ ln 10 for an untrained model
 * loss.print();
 * ```
 */
export function shareLoss(model: tf.LayersModel, share: Share): tf.Scalar {
  const x = imagesTensor(share.images, share.size, share.height, share.width);
  const y = tf.tensor1d(share.labels, "int32");
  return crossEntropy(model.apply(x, { training: true }) as tf.Tensor, y, share.classes);
}
