/**
 * The captioner's image encoder, built from convgrad's ops: three `filt` convolutions (5x5×8,
 * 3x3×16, 3x3×64, "same" padding), each followed by a 2x2 `maxPool`, a channel bias and ReLU,
 * then a 4x4 `maxPool`, which leaves one 64-channel descriptor per 32×32 block (a cell of the
 * 64×64 scenes), and a linear classifier of each descriptor into 21 classes (which digit, large or
 * small, or empty). The features are the classes' softmax probabilities per block: `[N, 4·21]`
 * for a scene.
 *
 * The encoder is first trained on MNIST digits in 32×32 cells. `frozen` then keeps it fixed, as
 * cs231n keeps VGG; `trainable` trains it further end to end with the decoder (or from random
 * weights), which needs the convolutions' gradients on wasm that stock TF.js lacks.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { filt, maxPool } from "@convgrad/ops";
import { createRng } from "@convgrad/base";
import { batches, type LabeledImages } from "@convgrad/data";
import { FusedAdam } from "@convgrad/nn";

/**
 * Conv kernels `k1..k3` `[F,C,kh,kw]` and channel biases `b1..b3` `[F]`; the cell classifier
 * `W` `[64,21]`, `c` `[21]`.
 */
export interface EncoderParams {
  k1: tf.Variable;
  b1: tf.Variable;
  k2: tf.Variable;
  b2: tf.Variable;
  k3: tf.Variable;
  b3: tf.Variable;
  W: tf.Variable;
  c: tf.Variable;
}

/** Filters and kernel size of each conv layer. */
const LAYERS: [number, number][] = [[8, 5], [16, 3], [64, 3]];

/**
 * Input pixels per side of one descriptor: three 2x2 pools, then the 4x4 one.
 *
 * @example
 * ```ts
 * import { CELL } from "./encoder.ts";
 * console.log(64 / CELL); // 2 cells per side of a scene
 * ```
 */
export const CELL = 32;

/**
 * Classes of a cell: 0–9 a large digit, 10–19 a small one, 20 an empty cell.
 *
 * @example
 * ```ts
 * import { CELL_CLASSES } from "./encoder.ts";
 * console.log(CELL_CLASSES); // 21
 * ```
 */
export const CELL_CLASSES = 21;

/**
 * Feature length for a `size`×`size` input: 21 class probabilities per 32×32 block.
 *
 * @example
 * ```ts
 * import { featureDim } from "./encoder.ts";
 * featureDim(64); // 84
 * ```
 */
export function featureDim(size: number): number {
  const s = Math.floor(size / CELL);
  return CELL_CLASSES * s * s;
}

/** Uniform Glorot values from `rand`. */
function glorot(rand: () => number, shape: number[], fanIn: number, fanOut: number): tf.Tensor {
  const a = Math.sqrt(6 / (fanIn + fanOut)), n = shape.reduce((x, y) => x * y);
  return tf.tensor(Float32Array.from({ length: n }, () => (2 * rand() - 1) * a), shape);
}

/**
 * A new encoder, Glorot-uniform kernels and zero biases drawn from `createRng(seed)`.
 *
 * @example
 * ```ts
 * import { setBackend } from "@convgrad/ops";
 * import { createEncoder } from "./encoder.ts";
 * await setBackend("wasm");
 * const enc = createEncoder(0);
 * console.log(enc.k1.shape); // [8, 1, 5, 5]
 * ```
 */
export function createEncoder(seed: number): EncoderParams {
  const rand = createRng(seed), p: Record<string, tf.Variable> = {};
  let c = 1;
  LAYERS.forEach(([f, k], i) => {
    p[`k${i + 1}`] = tf.variable(glorot(rand, [f, c, k, k], c * k * k, f * k * k));
    p[`b${i + 1}`] = tf.variable(tf.zeros([f]));
    c = f;
  });
  p.W = tf.variable(glorot(rand, [c, CELL_CLASSES], c, CELL_CLASSES));
  p.c = tf.variable(tf.zeros([CELL_CLASSES]));
  return p as unknown as EncoderParams;
}

/**
 * Class scores of each 32×32 block of images `x` `[N,1,S,S]` (S a multiple of 32):
 * `[N, (S/32)², 21]`, blocks row by row.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { setBackend } from "@convgrad/ops";
 * import { cellLogits, createEncoder } from "./encoder.ts";
 * await setBackend("wasm");
 * cellLogits(tf.zeros([1, 1, 64, 64]) as tf.Tensor4D, createEncoder(0)).shape; // [1, 4, 21]
 * ```
 */
export function cellLogits(x: tf.Tensor4D, p: EncoderParams): tf.Tensor3D {
  if (x.rank !== 4 || x.shape[1] !== 1 || x.shape[2] % CELL !== 0 || x.shape[3] % CELL !== 0) {
    throw new RangeError(`encode: x must be [N,1,H,W] with H, W multiples of 32, got [${x.shape}]`);
  }
  return tf.tidy(() => {
    let h = x;
    const ks = [p.k1, p.k2, p.k3], bs = [p.b1, p.b2, p.b3];
    for (let i = 0; i < 3; i++) {
      const k = ks[i] as tf.Tensor4D, pad = (k.shape[2] - 1) / 2;
      // Pooling before bias and ReLU is the same function (max commutes with both), on 4x fewer
      // values.
      h = maxPool(filt(h, k, { pad }), 2).add(bs[i].reshape([1, -1, 1, 1])).relu(); // [N,F,S/2,S/2]
    }
    const d = maxPool(h, 4); // [N,64,S/32,S/32]: one descriptor per block
    const [N, C, gh, gw] = d.shape;
    const rows = d.transpose([0, 2, 3, 1]).reshape([N * gh * gw, C]); // [N·blocks,64]
    return tf.fused.matMul({ a: rows, b: p.W, bias: p.c }).reshape([N, gh * gw, CELL_CLASSES]);
  });
}

/**
 * Features of images `x` `[N,1,S,S]` (S a multiple of 32): each block's class probabilities,
 * `[N, featureDim(S)]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { setBackend } from "@convgrad/ops";
 * import { createEncoder, encode } from "./encoder.ts";
 * await setBackend("wasm");
 * encode(tf.zeros([2, 1, 64, 64]) as tf.Tensor4D, createEncoder(0)).shape; // [2, 84]
 * ```
 */
export function encode(x: tf.Tensor4D, p: EncoderParams): tf.Tensor2D {
  return tf.tidy(() => tf.softmax(cellLogits(x, p)).reshape([x.shape[0], -1]) as tf.Tensor2D);
}

/**
 * Features of many images, `batchSize` at a time, without gradients: `[n, featureDim]`.
 *
 * @example
 * ```ts
 * import { setBackend } from "@convgrad/ops";
 * import { createEncoder, encodeAll } from "./encoder.ts";
 * await setBackend("wasm");
 * encodeAll(new Float32Array(3 * 64 * 64), 3, 64, createEncoder(0)).length; // 3·84
 * ```
 */
export function encodeAll(
  images: Float32Array,
  n: number,
  size: number,
  p: EncoderParams,
  batchSize = 250,
): Float32Array {
  const d = featureDim(size), hw = size * size, out = new Float32Array(n * d);
  for (let s = 0; s < n; s += batchSize) {
    const m = Math.min(batchSize, n - s);
    const f = tf.tidy(() =>
      encode(tf.tensor4d(images.subarray(s * hw, (s + m) * hw), [m, 1, size, size]), p)
    );
    out.set(f.dataSync(), s * d);
    f.dispose();
  }
  return out;
}

/**
 * MNIST digits as one cell of a 64×64 scene shows them, labelled with what a caption says of
 * the cell: 32×32 frames, every other digit large (class = digit) or halved to 14×14 (class =
 * 10 + digit), each at a random place (seeded) of its frame; every 11th frame is left empty
 * (class 20).
 *
 * @example
 * ```ts
 * import { loadMnist, subset } from "@convgrad/data";
 * import { digitCells } from "./encoder.ts";
 * const { test } = await loadMnist();
 * const cells = digitCells(subset(test, [0, 1, 2]), 0);
 * console.log(cells.height, Array.from(cells.labels)); // 32 [7, 12, 1]
 * ```
 */
export function digitCells(set: LabeledImages, seed: number): LabeledImages {
  const rand = createRng(seed), images = new Float32Array(set.n * 1024);
  const labels = new Uint8Array(set.n);
  for (let i = 0; i < set.n; i++) {
    if (i % 11 === 10) {
      labels[i] = 20;
      continue;
    }
    const src = set.images.subarray(i * 784, (i + 1) * 784), dst = images.subarray(i * 1024);
    const small = i % 2 === 1, s = small ? 14 : 28;
    labels[i] = set.labels[i] + (small ? 10 : 0);
    const y0 = Math.floor(rand() * (33 - s)), x0 = Math.floor(rand() * (33 - s));
    for (let r = 0; r < s; r++) {
      for (let c = 0; c < s; c++) {
        const a = small ? 2 * r * 28 + 2 * c : r * 28 + c;
        dst[(y0 + r) * 32 + x0 + c] = small
          ? (src[a] + src[a + 1] + src[a + 28] + src[a + 29]) / 4
          : src[a];
      }
    }
  }
  return { images, labels, n: set.n, height: 32, width: 32 };
}

/**
 * Trains the encoder, classifier included, on 32×32 cells from {@linkcode digitCells} (which
 * digit, which size, or empty; softmax cross-entropy, Adam) for one pass over `cells`; returns
 * its accuracy on `check`.
 *
 * @example
 * ```ts
 * import { loadMnist, subset } from "@convgrad/data";
 * import { setBackend } from "@convgrad/ops";
 * import { createEncoder, digitCells, pretrainEncoder } from "./encoder.ts";
 * await setBackend("wasm");
 * const { train, test } = await loadMnist();
 * const first = (n: number) => Array.from({ length: n }, (_, i) => i);
 * const cells = digitCells(subset(train, first(200)), 0), check = digitCells(subset(test, first(100)), 1);
 * const accuracy = pretrainEncoder(createEncoder(0), cells, check, { seed: 0 });
 * ```
 */
export function pretrainEncoder(
  p: EncoderParams,
  cells: LabeledImages,
  check: LabeledImages,
  opts: {
    seed: number;
    batchSize?: number;
    lr?: number;
    onStep?: (step: number, loss: number) => void;
  },
): number {
  const { seed, batchSize = 100, lr = 5e-3 } = opts, size = cells.height;
  const optimizer = new FusedAdam(lr);
  const logits = (x: tf.Tensor4D) => cellLogits(x, p).reshape([x.shape[0], -1]); // [N,21]
  let step = 0;
  for (const batch of batches(cells, batchSize, { shuffle: true, seed })) {
    const loss = tf.tidy(() => {
      const x = tf.tensor4d(batch.images, [batch.size, 1, size, size]);
      const y = tf.oneHot(tf.tensor1d(batch.labels, "int32"), CELL_CLASSES);
      return optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(y, logits(x)) as tf.Scalar,
        true,
      )!;
    });
    opts.onStep?.(++step, loss.dataSync()[0]);
    loss.dispose();
  }
  let correct = 0;
  for (const batch of batches(check, 500)) {
    const pred = tf.tidy(() =>
      logits(tf.tensor4d(batch.images, [batch.size, 1, size, size])).argMax(1)
    );
    const got = pred.dataSync();
    pred.dispose();
    for (let i = 0; i < batch.size; i++) correct += got[i] === batch.labels[i] ? 1 : 0;
  }
  optimizer.dispose();
  return correct / check.n;
}
