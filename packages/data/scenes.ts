/**
 * "MNIST scenes": an offline captioning data set that no one has to download. Each scene is a
 * square canvas (64×64 by default) cut into a 2×2 grid of cells; 1–3 of the cells, drawn at
 * random, each hold an MNIST digit, large (the 28×28 digit) or small (halved to 14×14), at a
 * random place inside its cell. The caption is generated from the ground truth:
 * `<START> a small seven above a large two <END>`.
 *
 * The grammar is unambiguous by construction: digits are named column by column, left column
 * first and the top one first within a column, each as `a <size> <digit>`; between two neighbours
 * comes the relation of the first to the next by their rows: `above` when the next is in the
 * lower row, `below` when in the upper row, `left of` when in the same row (then it is right of
 * it). Digits never overlap, as each has its own cell.
 *
 * @module
 */
import { createRng } from "@convgrad/base";
import type { LabeledImages } from "./images.ts";
import { type CaptionVocab, encodeCaption, makeVocab } from "./captions.ts";

/**
 * The words of the digits 0–9.
 *
 * @example
 * ```ts
 * import { DIGIT_WORDS } from "@convgrad/data";
 * DIGIT_WORDS[7]; // "seven"
 * ```
 */
export const DIGIT_WORDS: readonly string[] = [
  "zero",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
];

/**
 * The scenes' vocabulary (21 tokens): `<NULL>` = 0, `<START>` = 1, `<END>` = 2, `<UNK>` = 3, then
 * `a`, the ten digit words, `small`, `large`, `above`, `below`, `left`, `of`.
 *
 * @example
 * ```ts
 * import { SCENE_VOCAB } from "@convgrad/data";
 * SCENE_VOCAB.wordToIdx.seven; // 12
 * ```
 */
export const SCENE_VOCAB: CaptionVocab = makeVocab([
  "<NULL>",
  "<START>",
  "<END>",
  "<UNK>",
  "a",
  ...DIGIT_WORDS,
  "small",
  "large",
  "above",
  "below",
  "left",
  "of",
]);

/** One digit of a scene: which MNIST image, its label, size, cell and frame (top-left corner). */
export interface SceneDigit {
  source: number;
  label: number;
  size: "small" | "large";
  /** Cell of the 2×2 grid: row 0 is the top half, column 0 the left half. */
  row: number;
  col: number;
  x: number;
  y: number;
}

/** Images with token-id captions, one caption per image. */
export interface CaptionedImages {
  /** `[n, 1, height, width]`, values in [0, 1]. */
  images: Float32Array;
  /** `[n, captionLength]` token ids: `<START>` … `<END>` then `<NULL>` padding. */
  captions: Int32Array;
  n: number;
  height: number;
  width: number;
  captionLength: number;
  vocab: CaptionVocab;
}

/** MNIST scenes with their ground truth, each scene's digits in caption order. */
export interface MnistScenes extends CaptionedImages {
  scenes: SceneDigit[][];
}

/** Options of {@linkcode mnistScenes}. */
export interface SceneOptions {
  /** How many scenes. */
  count: number;
  /** Everything (digit choice, sizes, positions) follows from it. Default 0. */
  seed?: number;
  /** Canvas side in pixels: even, at least 56 (a large digit fits a cell). Default 64. */
  size?: number;
  /** Default 1. */
  minDigits?: number;
  /** At most 4 (the cells). Default 3. */
  maxDigits?: number;
}

function side(size: SceneDigit["size"]): number {
  return size === "large" ? 28 : 14;
}

/** Relation words of `a` to the next digit `b` in caption order: their rows decide. */
function relation(a: SceneDigit, b: SceneDigit): string[] {
  return b.row > a.row ? ["above"] : b.row < a.row ? ["below"] : ["left", "of"];
}

/**
 * The caption words of a scene (without `<START>`/`<END>`): its digits column by column, top
 * first, with the relation of each to the next. Each digit must sit in its own cell.
 *
 * @example
 * ```ts
 * import { sceneCaption } from "@convgrad/data";
 * sceneCaption([
 *   { source: 0, label: 2, size: "large", row: 1, col: 1, x: 34, y: 30 },
 *   { source: 1, label: 7, size: "small", row: 0, col: 0, x: 5, y: 9 },
 * ]); // ["a", "small", "seven", "above", "a", "large", "two"]
 * ```
 */
export function sceneCaption(digits: readonly SceneDigit[]): string[] {
  if (!Array.isArray(digits) || digits.length === 0) {
    throw new RangeError(`sceneCaption: digits must be a non-empty array, got ${digits}`);
  }
  const cells = new Set<number>();
  for (const d of digits) {
    if (!Number.isInteger(d.label) || d.label < 0 || d.label > 9) {
      throw new RangeError(`sceneCaption: label must be an integer in [0, 9], got ${d.label}`);
    }
    if (d.size !== "small" && d.size !== "large") {
      throw new RangeError(`sceneCaption: size must be "small" or "large", got ${d.size}`);
    }
    if (![0, 1].includes(d.row) || ![0, 1].includes(d.col)) {
      throw new RangeError(`sceneCaption: row and col must be 0 or 1, got ${d.row} and ${d.col}`);
    }
    if (cells.has(2 * d.col + d.row)) {
      throw new RangeError(`sceneCaption: two digits in the cell at row ${d.row}, col ${d.col}`);
    }
    cells.add(2 * d.col + d.row);
  }
  const sorted = [...digits].sort((a, b) => (2 * a.col + a.row) - (2 * b.col + b.row));
  const words: string[] = [];
  sorted.forEach((d, k) => {
    if (k > 0) words.push(...relation(sorted[k - 1], d));
    words.push("a", d.size, DIGIT_WORDS[d.label]);
  });
  return words;
}

/** One scene's layout, in caption order: k digits in distinct cells, each at a random place. */
function drawLayout(
  rand: () => number,
  digits: LabeledImages,
  size: number,
  minDigits: number,
  maxDigits: number,
): SceneDigit[] {
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1)); // [lo, hi]
  const k = int(minDigits, maxDigits), half = size / 2;
  // k of the 4 cells (a partial Fisher–Yates), then in caption order.
  const cells = [0, 1, 2, 3];
  for (let i = 0; i < k; i++) {
    const j = int(i, 3);
    [cells[i], cells[j]] = [cells[j], cells[i]];
  }
  return cells.slice(0, k).sort((a, b) => a - b).map((cell) => {
    const col = cell >> 1, row = cell & 1, dsize = rand() < 0.5 ? "small" as const : "large";
    const source = Math.floor(rand() * digits.n), free = half - side(dsize);
    return {
      source,
      label: digits.labels[source],
      size: dsize,
      row,
      col,
      x: col * half + int(0, free),
      y: row * half + int(0, free),
    };
  });
}

/** Draws `d` onto `canvas` (`size`×`size`); frames never overlap, each is in its own cell. */
function render(canvas: Float32Array, size: number, d: SceneDigit, digits: LabeledImages): void {
  const img = digits.images.subarray(d.source * 784, (d.source + 1) * 784); // [28,28]
  const s = side(d.size), f = d.size === "large" ? 1 : 2; // f×f source pixels per canvas pixel
  for (let r = 0; r < s; r++) {
    for (let c = 0; c < s; c++) {
      let v = 0;
      for (let i = 0; i < f; i++) {
        for (let j = 0; j < f; j++) v += img[(r * f + i) * 28 + c * f + j];
      }
      canvas[(d.y + r) * size + d.x + c] = v / (f * f);
    }
  }
}

/**
 * `count` MNIST scenes drawn from `digits` (use MNIST's training set for training scenes and its
 * test set for validation scenes), deterministic in `seed`. Captions are
 * `3·maxDigits + 2·(maxDigits − 1) + 2` tokens long (15 by default) in {@linkcode SCENE_VOCAB}.
 *
 * @example
 * ```ts
 * import { decodeCaptions, loadMnist, mnistScenes } from "@convgrad/data";
 * const { test } = await loadMnist();
 * const val = mnistScenes(test, { count: 4, seed: 1 });
 * console.log(val.images.length); // 4·64·64
 * console.log(decodeCaptions(Array.from(val.captions.subarray(0, 15)), val.vocab));
 * ```
 */
export function mnistScenes(digits: LabeledImages, opts: SceneOptions): MnistScenes {
  const { count, seed = 0, size = 64, minDigits = 1, maxDigits = 3 } = opts ?? {};
  if (
    !digits || !(digits.images instanceof Float32Array) || !(digits.labels instanceof Uint8Array)
  ) {
    throw new TypeError("mnistScenes: digits must be a LabeledImages (as loadMnist gives)");
  }
  if (digits.height !== 28 || digits.width !== 28 || digits.n < 1) {
    throw new RangeError(
      `mnistScenes: digits must be n >= 1 images of 28x28, got ${digits.n} of ` +
        `${digits.height}x${digits.width}`,
    );
  }
  for (const [name, v, min] of [["count", count, 1], ["seed", seed, 0], ["size", size, 56]]) {
    if (!Number.isInteger(v) || (v as number) < (min as number)) {
      throw new RangeError(`mnistScenes: ${name} must be an integer >= ${min}, got ${v}`);
    }
  }
  if (size % 2 !== 0) throw new RangeError(`mnistScenes: size must be even, got ${size}`);
  if (
    !Number.isInteger(minDigits) || !Number.isInteger(maxDigits) || minDigits < 1 ||
    maxDigits < minDigits || maxDigits > 4
  ) {
    throw new RangeError(
      `mnistScenes: minDigits and maxDigits must be integers with 1 <= minDigits <= maxDigits ` +
        `<= 4, got ${minDigits} and ${maxDigits}`,
    );
  }
  const captionLength = 3 * maxDigits + 2 * (maxDigits - 1) + 2, hw = size * size;
  const images = new Float32Array(count * hw), captions = new Int32Array(count * captionLength);
  const rand = createRng(seed), scenes: SceneDigit[][] = [];
  for (let i = 0; i < count; i++) {
    const layout = drawLayout(rand, digits, size, minDigits, maxDigits);
    const canvas = images.subarray(i * hw, (i + 1) * hw);
    for (const d of layout) render(canvas, size, d, digits);
    captions.set(
      encodeCaption(sceneCaption(layout), SCENE_VOCAB, captionLength),
      i * captionLength,
    );
    scenes.push(layout);
  }
  return {
    images,
    captions,
    n: count,
    height: size,
    width: size,
    captionLength,
    vocab: SCENE_VOCAB,
    scenes,
  };
}
