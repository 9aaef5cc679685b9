/**
 * Test helpers shared by the ops tests and the parity suite: compare a float32 tensor with a
 * float64 oracle array.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Max absolute and relative (to the oracle's largest magnitude) differences. */
export function errors(
  actual: tf.Tensor | ArrayLike<number>,
  expected: ArrayLike<number>,
): { abs: number; rel: number } {
  const a = actual instanceof tf.Tensor ? actual.dataSync() : actual;
  if (a.length !== expected.length) {
    throw new RangeError(`errors: length ${a.length} differs from the oracle's ${expected.length}`);
  }
  let abs = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) return { abs: Infinity, rel: Infinity };
    abs = Math.max(abs, Math.abs(a[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return { abs, rel: abs / Math.max(scale, 1e-30) };
}

/** Throws unless `actual` matches the oracle to `rel` (relative to the oracle's largest entry). */
export function assertClose(
  actual: tf.Tensor | ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
  rel = 1e-5,
): void {
  const e = errors(actual, expected);
  if (!(e.rel <= rel)) {
    throw new Error(`${what}: max abs error ${e.abs}, relative ${e.rel} > ${rel}`);
  }
}
