/**
 * Argument checks shared by the rnn ops: every tensor against a symbolic layout such as
 * `N,T,D` or `H,4H`, so a size that disagrees with another argument's is reported with the
 * argument that fixed it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** One argument: its name in messages, the value, its layout (`"N,T,D"`), its dtype. */
export type ArgSpec = [name: string, value: unknown, layout: string, dtype?: tf.DataType];

/**
 * Checks each argument's type, dtype, rank and sizes; a layout entry `kS` (as `4H`) is `k` times
 * the size `S`. Returns the size bound to each symbol. Throws a TypeError (not a tensor, wrong
 * dtype) or RangeError (rank or size) naming `op`, the argument, what it got and what was
 * expected.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { checkArgs } from "@convgrad/rnn";
 * const dims = checkArgs("myOp", [["x", tf.zeros([2, 3]), "N,D"], ["w", tf.zeros([3, 8]), "D,4H"]]);
 * dims.H; // 2
 * ```
 */
export function checkArgs(op: string, specs: ArgSpec[]): Record<string, number> {
  const dims: Record<string, number> = {}, from: Record<string, string> = {};
  for (const [name, t, layout, dtype = "float32"] of specs) {
    if (!(t instanceof tf.Tensor)) {
      throw new TypeError(
        `${op}: ${name} must be a tf.Tensor [${layout}], got ${
          t === null ? "null" : Array.isArray(t) ? "an array" : typeof t
        }`,
      );
    }
    if (t.dtype !== dtype) {
      const why = dtype === "int32" ? " (token ids are integers)" : "";
      throw new TypeError(`${op}: ${name} must have dtype ${dtype}${why}, got ${t.dtype}`);
    }
    const axes = layout.split(",");
    if (t.rank !== axes.length) {
      throw new RangeError(
        `${op}: ${name} must have rank ${axes.length} [${layout}], got shape [${t.shape}]`,
      );
    }
    axes.forEach((axis, i) => {
      const [, k = "1", sym] = /^(\d*)(\w+)$/.exec(axis)!;
      const factor = Number(k || 1), size = t.shape[i];
      if (size < 1) {
        throw new RangeError(`${op}: ${name} has shape [${t.shape}], every size must be >= 1`);
      }
      if (dims[sym] === undefined) {
        if (size % factor !== 0) {
          throw new RangeError(
            `${op}: ${name} has shape [${t.shape}], expected [${layout}]: axis ${i} (${size}) ` +
              `is not a multiple of ${factor}`,
          );
        }
        dims[sym] = size / factor;
        from[sym] = name;
      } else if (size !== factor * dims[sym]) {
        throw new RangeError(
          `${op}: ${name} has shape [${t.shape}], expected [${layout}] with ${sym} = ${
            dims[sym]
          } (from ${from[sym]}): axis ${i} should be ${factor * dims[sym]}`,
        );
      }
    });
  }
  return dims;
}

/**
 * Reads the int32 token ids of `t` and throws a RangeError naming `op`, `name` and the first
 * position whose id lies outside `[0, V)`. Returns the ids.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { checkTokens } from "@convgrad/rnn";
 * checkTokens("myOp", "captions", tf.tensor2d([[1, 2]], [1, 2], "int32"), 3); // Int32Array [1, 2]
 * ```
 */
export function checkTokens(op: string, name: string, t: tf.Tensor, V: number): Int32Array {
  const ids = t.dataSync() as Int32Array;
  const bad = ids.findIndex((v) => v < 0 || v >= V);
  if (bad >= 0) {
    const pos = t.shape.map((_, i) =>
      Math.floor(bad / t.strides.slice(i).concat(1)[0]) % t.shape[i]
    );
    throw new RangeError(
      `${op}: ${name}[${pos}] is ${ids[bad]}, outside the vocabulary [0, ${V})`,
    );
  }
  return ids;
}
