/**
 * convgrad's neural-network pieces shared by the apps: layers over our ops, the MNIST CNN,
 * the training loop with checkpoints, model files, progress output, pretrained backbones and
 * transfer learning (fine-tune, freeze, from scratch).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { mnistCnn } from "@convgrad/nn";
 * import { setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const model = mnistCnn();
 * (model.predict(tf.zeros([1, 1, 28, 28])) as tf.Tensor).print();
 * ```
 *
 * @module
 */
export {
  FiltConv2D,
  type FiltConv2DConfig,
  MaxPoolNCHW,
  type MaxPoolNCHWConfig,
} from "./layers.ts";
export { FusedAdam } from "./adam.ts";
export { mnistCnn, type MnistCnnOptions } from "./cnn.ts";
export {
  type EpochRecord,
  evaluate,
  type OptimizerSettings,
  train,
  type TrainOptions,
  type TrainResult,
} from "./trainer.ts";
export { GradientWorkers } from "./parallel.ts";
export { type Share, shareLoss } from "./loss.ts";
export {
  ensureWritableDir,
  loadModel,
  loadTensors,
  type NamedTensor,
  saveModel,
  saveTensors,
} from "./model_io.ts";
export { ProgressBar, type ProgressOptions } from "./progress.ts";
export {
  autoencoderLoss,
  type AutoencoderOptions,
  type AutoencoderParams,
  reconstruct,
} from "./autoencoder.ts";
export { ABCConv2D, type ABCConv2DConfig } from "./abc_layer.ts";
export {
  type BinaryABC,
  binaryABCConv2D,
  decodeBinaryABC,
  encodeBinaryABC,
  toBinaryABC,
} from "./abc_binary.ts";
export {
  type BackboneName,
  type BackboneOptions,
  BACKBONES,
  bundledModelHandler,
  loadBackbone,
} from "./backbones.ts";
export {
  type EvaluateOptions,
  evaluateSet,
  finetune,
  type FinetuneOptions,
  freeze,
  fromScratch,
  type ParamGroup,
  type PhaseRecord,
  type ScratchOptions,
  trainModel,
  type TrainModelOptions,
  type TrainModelResult,
  type TransferData,
  type TransferEpoch,
  type TransferOptimizer,
} from "./transfer.ts";
