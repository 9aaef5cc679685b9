/**
 * Seeded test data for the rnn tests: each array as a float32 tensor and, with the same values,
 * as a float64 oracle array; and the comparison of TF.js gradients with the oracle's.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { createRng } from "@convgrad/base";
import { assertClose } from "@convgrad/base/testing";
import type { Arr, CaptioningParamsRef } from "./reference.ts";
import {
  type CaptioningParams,
  type CaptioningSizes,
  type CellType,
  initCaptioningParams,
} from "./captioning.ts";

/** The same values as a float32 tensor and as an oracle array. */
export interface Pair {
  t: tf.Tensor;
  a: Arr;
}

/**
 * Uniform values in `[-scale, scale)` from `seed`, rounded to float32 so that the tensor and the
 * oracle array hold the same numbers. The tensor is kept out of any enclosing tidy.
 *
 * @example
 * ```ts
 * import { pair } from "./test_data.ts";
 * const { t, a } = pair([2, 3], 1);
 * t.shape; // [2, 3]; a.data holds the same 6 values in float64
 * ```
 */
export function pair(shape: number[], seed: number, scale = 1): Pair {
  const rand = createRng(seed), n = shape.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: n }, () => (2 * rand() - 1) * scale);
  return { t: tf.keep(tf.tensor(data, shape)), a: { data: Float64Array.from(data), shape } };
}

/**
 * Seeded int32 token ids in `[0, V)`: the tensor and the plain values.
 *
 * @example
 * ```ts
 * import { tokens } from "./test_data.ts";
 * const { t, ids } = tokens([2, 4], 5, 1);
 * t.dtype; // "int32"; ids.length === 8
 * ```
 */
export function tokens(shape: number[], V: number, seed: number): { t: tf.Tensor; ids: number[] } {
  const rand = createRng(seed), n = shape.reduce((a, b) => a * b, 1);
  const ids = Array.from({ length: n }, () => Math.floor(rand() * V));
  return { t: tf.keep(tf.tensor(ids, shape, "int32")), ids };
}

/**
 * Asserts each gradient tensor matches the oracle's array of the same name, relative to the
 * largest magnitude over all of them (a parameter whose gradient all but vanishes is compared
 * on the scale of the others, not on its own).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertGrads } from "./test_data.ts";
 * assertGrads({ a: tf.tensor([1, 2]) }, { a: Float64Array.of(1, 2) }, "example");
 * ```
 */
export function assertGrads(
  actual: Record<string, tf.Tensor>,
  expected: Record<string, ArrayLike<number>>,
  what: string,
  rel = 1e-5,
): void {
  let scale = 0;
  for (const e of Object.values(expected)) {
    for (const v of Array.from(e)) scale = Math.max(scale, Math.abs(v));
  }
  for (const [name, t] of Object.entries(actual)) {
    const e = expected[name];
    if (e === undefined) throw new Error(`${what}: the oracle has no '${name}'`);
    // Pad the oracle with one entry of the common scale, so the relative error is against it.
    assertClose([...t.dataSync(), scale], [...Array.from(e), scale], `${what} ${name}`, rel);
  }
}

/**
 * Captioner parameters from {@linkcode initCaptioningParams}, kept, with their values as oracle
 * arrays.
 *
 * @example
 * ```ts
 * import { captioningParams } from "./test_data.ts";
 * const { tensors } = captioningParams({ D: 4, Wd: 3, H: 5, V: 6 }, "lstm", 1);
 * tensors.Wx.shape; // [3, 20]
 * ```
 */
export function captioningParams(
  sizes: CaptioningSizes,
  cellType: CellType,
  seed: number,
): { tensors: CaptioningParams; arrays: CaptioningParamsRef } {
  const tensors = initCaptioningParams(sizes, cellType, seed);
  const arrays = Object.fromEntries(
    Object.entries(tensors).map(([k, t]) => [
      k,
      { data: Float64Array.from(tf.keep(t).dataSync()), shape: t.shape },
    ]),
  );
  return { tensors, arrays: arrays as unknown as CaptioningParamsRef };
}
