/**
 * The argument checks and the size arithmetic every op shares: one operand check, one parser for
 * `number | [h, w]` options, and the output-size formula of a strided, padded window.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Normalises a size option given as a number or `[h, w]` to `[h, w]` of integers `>= min`
 * (`[dflt, dflt]` when absent), or throws a RangeError naming `op` and `name`.
 *
 * @example
 * ```ts
 * import { toPair } from "@convgrad/ops";
 * toPair("myLayer", "stride", 2, 1, 1); // [2, 2]
 * ```
 */
export function toPair(
  op: string,
  name: string,
  v: unknown,
  dflt: number | undefined,
  min: number,
): [number, number] {
  const p: unknown[] = v === undefined && dflt !== undefined
    ? [dflt, dflt]
    : Array.isArray(v)
    ? v
    : [v, v];
  if (p.length !== 2 || !p.every((e) => Number.isInteger(e) && (e as number) >= min)) {
    throw new RangeError(
      `${op}: ${name} must be an integer >= ${min} or a pair [h, w] of them, got ${
        JSON.stringify(v)
      }`,
    );
  }
  return p as [number, number];
}

/** Checks one operand of a spatial op: a float32 tensor of rank 4 laid out as `layout`. */
export function checkOperand(op: string, name: string, t: unknown, layout: string): tf.Tensor4D {
  if (!(t instanceof tf.Tensor)) {
    throw new TypeError(`${op}: ${name} must be a tf.Tensor ${layout}, got ${typeof t}`);
  }
  if (t.rank !== 4) {
    throw new RangeError(
      `${op}: ${name} must have rank 4 ${layout}, got shape [${t.shape.join(",")}]`,
    );
  }
  if (t.dtype !== "float32") {
    throw new TypeError(`${op}: ${name} must have dtype float32, got ${t.dtype}`);
  }
  return t as tf.Tensor4D;
}

/**
 * Output size along one axis of a window of `kernel` rows moved by `stride` over `size` rows with
 * `pad` zero rows on each side: `⌊(size + 2·pad − kernel) / stride⌋ + 1`.
 *
 * @example
 * ```ts
 * import { outSize } from "@convgrad/ops";
 * outSize(28, 7, 1, 0); // 22
 * ```
 */
export function outSize(size: number, kernel: number, stride: number, pad: number): number {
  return Math.floor((size + 2 * pad - kernel) / stride) + 1;
}
