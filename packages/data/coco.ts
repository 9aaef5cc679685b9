/**
 * The cs231n `coco_captioning` folder, for users who have it (nothing is downloaded): captions
 * and image indices in `coco2014_captions.h5`, VGG-16 fc7 features of each image in
 * `{train,val}2014_vgg16_fc7.h5` (4096-d) or `…_fc7_pca.h5` (512-d), the vocabulary in
 * `coco2014_vocab.json`, optionally image URLs in `{train,val}2014_urls.txt`. Read with h5wasm.
 *
 * @module
 */
import h5wasm from "h5wasm/node";
import { createRng } from "@convgrad/base";
import { type CaptionVocab, makeVocab } from "./captions.ts";

/** One split: captions, the image each belongs to, and every image's feature vector. */
export interface CaptionSplit {
  /** `[n, captionLength]` token ids. */
  captions: Int32Array;
  /** `[n]`: the row of `features` of each caption's image. */
  imageIdxs: Int32Array;
  n: number;
  captionLength: number;
  /** `[numImages, featureDim]`. */
  features: Float32Array;
  numImages: number;
  featureDim: number;
  /** One URL per image, where the folder has the urls file. */
  urls?: string[];
}

/** cs231n's `load_coco_data` result. */
export interface CocoCaptioning {
  train: CaptionSplit;
  val: CaptionSplit;
  vocab: CaptionVocab;
}

/** Options of {@linkcode loadCocoCaptioning}. */
export interface CocoOptions {
  /** The 512-d PCA features (cs231n's default) or the 4096-d fc7 ones. Default true. */
  pcaFeatures?: boolean;
  /** Keep this many training captions, drawn at random with replacement as cs231n does. */
  maxTrain?: number;
  /** Seed of the `maxTrain` draw. Default 0. */
  seed?: number;
}

interface H5Array {
  data: ArrayLike<number | bigint>;
  shape: number[];
}

async function exists(path: string, what: string): Promise<void> {
  try {
    await Deno.stat(path);
  } catch {
    throw new Error(
      `loadCocoCaptioning: ${path} not found (${what}); expected cs231n's coco_captioning folder`,
    );
  }
}

/** Datasets `names` of the HDF5 file at `path`, read whole. */
async function readH5(path: string, names: string[]): Promise<Record<string, H5Array>> {
  await exists(path, "an HDF5 file");
  await h5wasm.ready;
  const file = new h5wasm.File(path, "r");
  try {
    const out: Record<string, H5Array> = {};
    for (const name of names) {
      const ds = file.get(name);
      if (!(ds instanceof h5wasm.Dataset)) {
        throw new RangeError(`loadCocoCaptioning: ${path} has no dataset "${name}"`);
      }
      const data = ds.value;
      if (data === null || typeof data !== "object" || !("length" in data)) {
        throw new TypeError(`loadCocoCaptioning: ${path}:${name} is not a numeric array`);
      }
      out[name] = { data: data as ArrayLike<number | bigint>, shape: ds.shape ?? [] };
    }
    return out;
  } finally {
    file.close();
  }
}

function check(a: H5Array, rank: number, where: string): void {
  if (a.shape.length !== rank) {
    throw new RangeError(
      `loadCocoCaptioning: ${where} must have rank ${rank}, got shape [${a.shape}]`,
    );
  }
}

/** Integer dataset → Int32Array, each value in [0, limit). */
function ints(a: H5Array, limit: number, where: string): Int32Array {
  const out = new Int32Array(a.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = Number(a.data[i]);
    if (!Number.isInteger(v) || v < 0 || v >= limit) {
      throw new RangeError(`loadCocoCaptioning: ${where}[${i}] is ${v}, expected [0, ${limit})`);
    }
    out[i] = v;
  }
  return out;
}

async function readUrls(path: string): Promise<string[] | undefined> {
  try {
    return (await Deno.readTextFile(path)).split("\n").filter((l) => l.trim() !== "");
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

async function readVocab(path: string): Promise<CaptionVocab> {
  await exists(path, "the vocabulary");
  const json = JSON.parse(await Deno.readTextFile(path));
  const words = json?.idx_to_word;
  if (!Array.isArray(words)) {
    throw new TypeError(`loadCocoCaptioning: ${path} has no idx_to_word list`);
  }
  const vocab = makeVocab(words);
  for (const [w, i] of Object.entries(json.word_to_idx ?? {})) {
    if (vocab.wordToIdx[w] !== i) {
      throw new RangeError(
        `loadCocoCaptioning: ${path}: word_to_idx["${w}"] is ${i} but idx_to_word has it at ` +
          `${vocab.wordToIdx[w]}`,
      );
    }
  }
  return vocab;
}

/**
 * Loads cs231n's `coco_captioning` folder `dir` as `load_coco_data` does. Every token id is
 * checked against the vocabulary and every image index against the features.
 *
 * @example
 * ```ts ignore
 * import { loadCocoCaptioning } from "@convgrad/data";
 * const coco = await loadCocoCaptioning("datasets/coco_captioning", { maxTrain: 50 });
 * console.log(coco.train.n, coco.train.featureDim, coco.vocab.idxToWord.length); // 50 512 1004
 * ```
 */
export async function loadCocoCaptioning(
  dir: string,
  opts: CocoOptions = {},
): Promise<CocoCaptioning> {
  const { pcaFeatures = true, maxTrain, seed = 0 } = opts;
  if (maxTrain !== undefined && (!Number.isInteger(maxTrain) || maxTrain < 1)) {
    throw new RangeError(`loadCocoCaptioning: maxTrain must be an integer >= 1, got ${maxTrain}`);
  }
  const vocab = await readVocab(`${dir}/coco2014_vocab.json`);
  const capFile = `${dir}/coco2014_captions.h5`;
  const caps = await readH5(capFile, [
    "train_captions",
    "train_image_idxs",
    "val_captions",
    "val_image_idxs",
  ]);
  const split = async (name: "train" | "val"): Promise<CaptionSplit> => {
    const featFile = `${dir}/${name}2014_vgg16_fc7${pcaFeatures ? "_pca" : ""}.h5`;
    const { features } = await readH5(featFile, ["features"]);
    check(features, 2, `${featFile}:features`);
    const c = caps[`${name}_captions`], idx = caps[`${name}_image_idxs`];
    check(c, 2, `${capFile}:${name}_captions`);
    check(idx, 1, `${capFile}:${name}_image_idxs`);
    const [n, captionLength] = c.shape, [numImages, featureDim] = features.shape;
    if (idx.shape[0] !== n) {
      throw new RangeError(
        `loadCocoCaptioning: ${capFile} has ${n} ${name}_captions but ${idx.shape[0]} ` +
          `${name}_image_idxs`,
      );
    }
    return {
      captions: ints(c, vocab.idxToWord.length, `${name}_captions`),
      imageIdxs: ints(idx, numImages, `${name}_image_idxs`),
      n,
      captionLength,
      features: features.data instanceof Float32Array
        ? features.data
        : Float32Array.from(features.data as ArrayLike<number>),
      numImages,
      featureDim,
      urls: await readUrls(`${dir}/${name}2014_urls.txt`),
    };
  };
  const train = await split("train"), val = await split("val");
  if (maxTrain !== undefined) {
    const rand = createRng(seed), L = train.captionLength;
    const captions = new Int32Array(maxTrain * L), imageIdxs = new Int32Array(maxTrain);
    for (let i = 0; i < maxTrain; i++) {
      const j = Math.floor(rand() * train.n);
      captions.set(train.captions.subarray(j * L, (j + 1) * L), i * L);
      imageIdxs[i] = train.imageIdxs[j];
    }
    Object.assign(train, { captions, imageIdxs, n: maxTrain });
  }
  return { train, val, vocab };
}
