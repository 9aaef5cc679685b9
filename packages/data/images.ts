/**
 * Labelled image sets in memory, and how the apps walk them: a seeded train/validation split and
 * deterministic mini-batches.
 *
 * @module
 */
import { createRng } from "@convgrad/base";

/**
 * `n` images in `[0, 1]` with integer labels: grey ones row-major `[n, 1, height, width]` (NCHW
 * with one channel, the layout the CNN takes; the same memory as `[n, height·width]`), colour ones
 * `[n, height, width, channels]` (NHWC, the layout of stock TF.js layers).
 */
export interface LabeledImages {
  images: Float32Array;
  labels: Uint8Array;
  n: number;
  height: number;
  width: number;
  /** Values per pixel; default 1. */
  channels?: number;
}

/** Values per image of `set`. */
function imageSize(set: LabeledImages): number {
  return set.height * set.width * (set.channels ?? 1);
}

/** 0..n−1 shuffled by Fisher–Yates with `createRng(seed)`. */
export function permutation(n: number, seed: number): Uint32Array {
  const p = Uint32Array.from({ length: n }, (_, i) => i), rand = createRng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/**
 * The examples of `set` at `idx`, copied into a new set.
 *
 * @example
 * ```ts
 * import { loadMnist, subset } from "@convgrad/data";
 * const firstTen = subset((await loadMnist()).test, Array.from({ length: 10 }, (_, i) => i));
 * ```
 */
export function subset(set: LabeledImages, idx: ArrayLike<number>): LabeledImages {
  for (let i = 0; i < idx.length; i++) {
    if (!Number.isInteger(idx[i]) || idx[i] < 0 || idx[i] >= set.n) {
      throw new RangeError(`subset: idx[${i}] must be an integer in [0, ${set.n}), got ${idx[i]}`);
    }
  }
  const hw = imageSize(set);
  const images = new Float32Array(idx.length * hw), labels = new Uint8Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    images.set(set.images.subarray(idx[i] * hw, (idx[i] + 1) * hw), i * hw);
    labels[i] = set.labels[idx[i]];
  }
  const { height, width, channels } = set;
  return { images, labels, n: idx.length, height, width, ...(channels ? { channels } : {}) };
}

/**
 * Splits `set` at random (seeded) into `validation` examples and the rest: 55k/5k for MNIST.
 *
 * @example
 * ```ts
 * import { loadMnist, splitTrainValidation } from "@convgrad/data";
 * const { train, validation } = splitTrainValidation((await loadMnist()).train, { seed: 0 });
 * console.log(train.n, validation.n); // 55000 5000
 * ```
 */
export function splitTrainValidation(
  set: LabeledImages,
  { validation = 5000, seed = 0 }: { validation?: number; seed?: number } = {},
): { train: LabeledImages; validation: LabeledImages } {
  if (!Number.isInteger(validation) || validation < 0 || validation >= set.n) {
    throw new RangeError(
      `splitTrainValidation: validation must be an integer in [0, ${set.n}), got ${validation}`,
    );
  }
  const p = permutation(set.n, seed);
  return {
    train: subset(set, p.subarray(validation)),
    validation: subset(set, p.subarray(0, validation)),
  };
}

/** One mini-batch: `size` images (laid out as in the set) and their labels. */
export interface Batch {
  images: Float32Array;
  labels: Uint8Array;
  size: number;
}

/** Options of {@linkcode batches}. */
export interface BatchOptions {
  /** Shuffle the order (seeded by `seed` and `epoch`). Default false. */
  shuffle?: boolean;
  seed?: number;
  /** Each epoch gets its own order, the same on every run, so a resumed run replays it. */
  epoch?: number;
  /** Use only the first `limit` examples. */
  limit?: number;
}

/**
 * Mini-batches over `set` (the last one may be smaller), each example once.
 *
 * @example
 * ```ts
 * import { batches, loadMnist } from "@convgrad/data";
 * const { test } = await loadMnist();
 * for (const b of batches(test, 1000)) console.log(b.size);
 * ```
 */
export function* batches(
  set: LabeledImages,
  batchSize: number,
  opts: BatchOptions = {},
): Generator<Batch> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batches: batchSize must be a positive integer, got ${batchSize}`);
  }
  const n = Math.min(opts.limit ?? set.n, set.n);
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`batches: limit must be >= 1, got ${opts.limit}`);
  }
  const { seed = 0, epoch = 0 } = opts;
  for (const [name, v] of Object.entries({ seed, epoch })) {
    if (!Number.isInteger(v) || v < 0) {
      throw new RangeError(`batches: ${name} must be a non-negative integer, got ${v}`);
    }
  }
  const order = opts.shuffle ? permutation(n, seed * 100003 + epoch) : undefined;
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    if (!order) {
      const hw = imageSize(set);
      yield {
        images: set.images.subarray(start * hw, end * hw),
        labels: set.labels.subarray(start, end),
        size: end - start,
      };
    } else {
      const b = subset(set, order.subarray(start, end));
      yield { images: b.images, labels: b.labels, size: b.n };
    }
  }
}
