/**
 * "MNIST scenes": an offline captioning data set that no one has to download. Each scene is a
 * square canvas (56×56 by default) holding 1–3 MNIST digits at seeded random positions, each
 * either large (the 28×28 digit) or small (halved to 14×14), and a caption generated from the
 * ground truth: `<START> a small seven above a large two <END>`.
 *
 * The grammar is unambiguous by construction: digits are named left to right (by the centre of
 * their frame, at least {@linkcode SCENE_RULES}.minGap pixels apart), each as `a <size> <digit>`,
 * and between two neighbours a relation of the first to the next: `above` when the next is at
 * least `clear` pixels lower, `below` when it is as much higher, `left of` when their centres are
 * within `level` pixels of the same height. Positions in between are never drawn, and digits' ink
 * boxes (the frame less a seventh on each side, where MNIST leaves no ink) never overlap.
 *
 * @module
 */
import { createRng } from "@convgrad/base";
import type { LabeledImages } from "./images.ts";
import { type CaptionVocab, encodeCaption, makeVocab } from "./captions.ts";

/** The words of the digits 0–9. */
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

/** The geometry that keeps captions unambiguous (pixels, between frame centres). */
export const SCENE_RULES = {
  /** Side of a large digit's frame; small ones are half. */
  large: 28,
  /** Least horizontal distance between neighbours in caption order. */
  minGap: 8,
  /** Most vertical distance of two digits "left of" each other. */
  level: 3,
  /** Least vertical distance of a digit "above" or "below" the next. */
  clear: 10,
} as const;

/** One digit of a scene: which MNIST image, its label, size and frame (top-left corner). */
export interface SceneDigit {
  source: number;
  label: number;
  size: "small" | "large";
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
  /** Canvas side in pixels, at least 28. Default 56. */
  size?: number;
  /** Default 1. */
  minDigits?: number;
  /** Default 3. */
  maxDigits?: number;
}

function sideOf(size: SceneDigit["size"]): number {
  return size === "large" ? SCENE_RULES.large : SCENE_RULES.large / 2;
}

function side(d: SceneDigit): number {
  return sideOf(d.size);
}

/** Centre of a digit's frame. */
function centre(d: SceneDigit): [number, number] {
  return [d.x + side(d) / 2, d.y + side(d) / 2];
}

/** Relation words of `a` to the next digit `b`, or null where the rules draw none. */
function relation(a: SceneDigit, b: SceneDigit): string[] | null {
  const dy = centre(b)[1] - centre(a)[1];
  if (dy >= SCENE_RULES.clear) return ["above"];
  if (dy <= -SCENE_RULES.clear) return ["below"];
  if (Math.abs(dy) <= SCENE_RULES.level) return ["left", "of"];
  return null;
}

/**
 * The caption words of a scene (without `<START>`/`<END>`), naming its digits left to right.
 * Throws where the scene breaks {@linkcode SCENE_RULES}, so the caption would be ambiguous.
 *
 * @example
 * ```ts
 * import { sceneCaption } from "@convgrad/data";
 * sceneCaption([
 *   { source: 0, label: 2, size: "large", x: 20, y: 28 },
 *   { source: 1, label: 7, size: "small", x: 0, y: 0 },
 * ]); // ["a", "small", "seven", "above", "a", "large", "two"]
 * ```
 */
export function sceneCaption(digits: readonly SceneDigit[]): string[] {
  if (!Array.isArray(digits) || digits.length === 0) {
    throw new RangeError(`sceneCaption: digits must be a non-empty array, got ${digits}`);
  }
  const sorted = [...digits].sort((a, b) => centre(a)[0] - centre(b)[0]);
  const words: string[] = [];
  sorted.forEach((d, k) => {
    if (!Number.isInteger(d.label) || d.label < 0 || d.label > 9) {
      throw new RangeError(`sceneCaption: label must be an integer in [0, 9], got ${d.label}`);
    }
    if (d.size !== "small" && d.size !== "large") {
      throw new RangeError(`sceneCaption: size must be "small" or "large", got ${d.size}`);
    }
    if (k > 0) {
      const prev = sorted[k - 1];
      const gap = centre(d)[0] - centre(prev)[0], rel = relation(prev, d);
      if (gap < SCENE_RULES.minGap || rel === null) {
        throw new RangeError(
          `sceneCaption: digits ${k - 1} and ${k} (left to right) are ${gap}px apart across and ` +
            `${centre(d)[1] - centre(prev)[1]}px down, which the rules leave unnamed`,
        );
      }
      words.push(...rel);
    }
    words.push("a", d.size, DIGIT_WORDS[d.label]);
  });
  return words;
}

/** Whether the ink boxes of two digits keep at least a pixel apart. */
function apart(a: SceneDigit, b: SceneDigit): boolean {
  const box = (d: SceneDigit) => {
    const m = side(d) / 7;
    return [d.x + m, d.y + m, d.x + side(d) - m, d.y + side(d) - m];
  };
  const [ax0, ay0, ax1, ay1] = box(a), [bx0, by0, bx1, by1] = box(b);
  return ax1 < bx0 || bx1 < ax0 || ay1 < by0 || by1 < ay0;
}

/**
 * Draws one scene's layout: the digit count, then sizes and relations, then positions that
 * realise them; sizes and relations the canvas cannot hold (three large digits on one level) are
 * drawn again.
 */
function drawLayout(
  rand: () => number,
  digits: LabeledImages,
  size: number,
  minDigits: number,
  maxDigits: number,
): SceneDigit[] {
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1)); // [lo, hi]
  // The count is drawn once, so each count is equally likely however hard it is to place.
  const k = int(minDigits, maxDigits);
  for (let config = 0; config < 1000; config++) {
    const sizes = Array.from({ length: k }, () => rand() < 0.5 ? "small" as const : "large");
    const rels = Array.from({ length: k - 1 }, () => int(0, 2)); // above, below, level
    for (let attempt = 0; attempt < 50; attempt++) {
      // Frames left to right: draw x for each, keep the draw if the sorted centres are apart.
      const xs = sizes.map((s) => int(0, size - sideOf(s)));
      const cx = (i: number) => xs[i] + sideOf(sizes[i]) / 2;
      const order = xs.map((_, i) => i).sort((a, b) => cx(a) - cx(b));
      const placed: SceneDigit[] = [];
      let ok = true;
      for (const [j, i] of order.entries()) {
        const s = sideOf(sizes[i]), maxY = size - s;
        let lo = 0, hi = maxY;
        if (j > 0) {
          const prevCy = centre(placed[j - 1])[1];
          const r = rels[j - 1];
          // Centre bounds → top-edge bounds for this digit.
          const [clo, chi] = r === 0
            ? [prevCy + SCENE_RULES.clear, Infinity]
            : r === 1
            ? [-Infinity, prevCy - SCENE_RULES.clear]
            : [prevCy - SCENE_RULES.level, prevCy + SCENE_RULES.level];
          lo = Math.max(0, Math.ceil(clo - s / 2));
          hi = Math.min(maxY, Math.floor(chi - s / 2));
        }
        if (lo > hi) {
          ok = false;
          break;
        }
        const source = Math.floor(rand() * digits.n);
        const d: SceneDigit = {
          source,
          label: digits.labels[source],
          size: sizes[i],
          x: xs[i],
          y: int(lo, hi),
        };
        if (
          (j > 0 && centre(d)[0] - centre(placed[j - 1])[0] < SCENE_RULES.minGap) ||
          placed.some((p) => !apart(p, d))
        ) {
          ok = false;
          break;
        }
        placed.push(d);
      }
      if (ok) return placed;
    }
  }
  throw new RangeError(
    `mnistScenes: cannot place ${k} digits on a ${size}x${size} canvas`,
  );
}

/** Draws `d` onto `canvas` (`size`×`size`), taking the brighter pixel where frames meet. */
function render(canvas: Float32Array, size: number, d: SceneDigit, digits: LabeledImages): void {
  const img = digits.images.subarray(d.source * 784, (d.source + 1) * 784); // [28,28]
  const s = side(d), f = d.size === "large" ? 1 : 2; // f×f source pixels per canvas pixel
  for (let r = 0; r < s; r++) {
    for (let c = 0; c < s; c++) {
      let v = 0;
      for (let i = 0; i < f; i++) {
        for (let j = 0; j < f; j++) v += img[(r * f + i) * 28 + c * f + j];
      }
      const at = (d.y + r) * size + d.x + c;
      canvas[at] = Math.max(canvas[at], v / (f * f));
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
 * console.log(val.images.length); // 4·56·56
 * console.log(decodeCaptions(Array.from(val.captions.subarray(0, 15)), val.vocab));
 * ```
 */
export function mnistScenes(digits: LabeledImages, opts: SceneOptions): MnistScenes {
  const { count, seed = 0, size = 56, minDigits = 1, maxDigits = 3 } = opts ?? {};
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
  for (const [name, v, min] of [["count", count, 1], ["seed", seed, 0], ["size", size, 28]]) {
    if (!Number.isInteger(v) || (v as number) < (min as number)) {
      throw new RangeError(`mnistScenes: ${name} must be an integer >= ${min}, got ${v}`);
    }
  }
  if (
    !Number.isInteger(minDigits) || !Number.isInteger(maxDigits) || minDigits < 1 ||
    maxDigits < minDigits
  ) {
    throw new RangeError(
      `mnistScenes: minDigits and maxDigits must be integers with 1 <= minDigits <= maxDigits, ` +
        `got ${minDigits} and ${maxDigits}`,
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
