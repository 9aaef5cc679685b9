/**
 * Sign bits, 32 to a word: the storage format of binary (±1) tensors.
 *
 * A value `v` becomes the bit `v < 0`: 1 for −1, 0 for +1, so `sign(0) = +1` (and −0 and NaN read
 * as +1 too). The packed axis moves innermost and is cut into `ceil(len/32)` words; element `c`
 * of that axis is bit `c % 32` of word `⌊c/32⌋`. The unused high bits of the last word are 0,
 * i.e. +1 in both operands of an XNOR-popcount, so they XOR to 0 and never change a count.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** A ±1 tensor packed along one axis by {@linkcode packSigns}. */
export interface PackedSigns {
  /** Shape of the tensor that was packed. */
  readonly shape: readonly number[];
  /** The packed axis, `0 <= axis < shape.length`. */
  readonly axis: number;
  /**
   * The bits, row-major over `shape` with `axis` removed, then `ceil(shape[axis]/32)` words:
   * for weights `[F,C,kh,kw]` packed along C (axis 1) that is `[F,kh,kw,ceil(C/32)]`.
   */
  readonly words: Uint32Array;
}

/** Words needed for `n` signs. */
export const wordsFor = (n: number): number => Math.ceil(n / 32);

/**
 * Packs `src`, viewed as `[outer, len, inner]`, into `words` viewed as `[outer, inner, ⌈len/32⌉]`
 * (which must be zeroed). The one loop that turns floats into bits on the host. It tests `v < 0`
 * on the float's bits, without a branch: random signs would mispredict half the time.
 */
export function packInto(
  src: Float32Array,
  outer: number,
  len: number,
  inner: number,
  words: Uint32Array,
): void {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const cw = wordsFor(len);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < len; c++) {
      const shift = c & 31, s = (o * len + c) * inner, d = o * inner * cw + (c >>> 5);
      for (let i = 0; i < inner; i++) {
        const u = bits[s + i], mag = u & 0x7fffffff;
        // v < 0: sign bit set, magnitude not zero (−0) and not above infinity's (NaN)
        const neg = (u >>> 31) & ((mag + 0x7fffffff) >>> 31) & ~((0x7f800000 - mag) >>> 31);
        words[d + i * cw] |= neg << shift;
      }
    }
  }
}

/** Number of set bits of a 32-bit word. */
export function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

function checkAxis(op: string, axis: unknown, rank: number): number {
  if (!Number.isInteger(axis) || (axis as number) < -rank || (axis as number) >= rank) {
    throw new RangeError(
      `${op}: axis must be an integer in [${-rank}, ${rank}), got ${JSON.stringify(axis)}`,
    );
  }
  return (axis as number) < 0 ? (axis as number) + rank : (axis as number);
}

/** Sizes before, along and after `axis`. */
function split(shape: readonly number[], axis: number): [number, number, number] {
  const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  return [prod(shape.slice(0, axis)), shape[axis], prod(shape.slice(axis + 1))];
}

/**
 * Packs the signs of `t` along `axis` (negative counts from the end), 32 to a `Uint32` word.
 * Reads `t` synchronously; `t` is not disposed.
 *
 * @param t a numeric tensor, usually ±1 (any value is read as its sign, `sign(0) = +1`)
 * @param axis the axis to pack: the channel axis, 1 for weights `[F,C,kh,kw]`
 * @returns the bits, 32x smaller than float32 when `shape[axis]` is a multiple of 32
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { packSigns, setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const p = packSigns(tf.tensor2d([[1, -1, 0, -2]]), 1);
 * p.words; // Uint32Array [10]: bits 1 and 3 are the negative entries
 * ```
 */
export function packSigns(t: tf.Tensor, axis: number): PackedSigns {
  if (!(t instanceof tf.Tensor)) {
    throw new TypeError(`packSigns: t must be a tf.Tensor, got ${typeof t}`);
  }
  if (t.dtype === "string" || t.dtype === "complex64" || t.rank === 0) {
    throw new TypeError(
      `packSigns: t must be a numeric tensor of rank >= 1, got dtype ${t.dtype}, shape [${t.shape}]`,
    );
  }
  const ax = checkAxis("packSigns", axis, t.rank);
  const [outer, len, inner] = split(t.shape, ax);
  const words = new Uint32Array(outer * inner * wordsFor(len));
  const values = t.dataSync();
  packInto(
    values instanceof Float32Array ? values : Float32Array.from(values),
    outer,
    len,
    inner,
    words,
  );
  return { shape: t.shape.slice(), axis: ax, words };
}

/**
 * Checks that `p` is a well-formed {@linkcode PackedSigns} and returns it typed.
 * `what` names the argument in the error.
 */
export function checkPacked(op: string, what: string, p: unknown): PackedSigns {
  const q = p as Partial<PackedSigns> | null;
  if (
    q === null || typeof q !== "object" || !(q.words instanceof Uint32Array) ||
    !Array.isArray(q.shape) || !q.shape.every((d) => Number.isInteger(d) && d >= 0)
  ) {
    throw new TypeError(
      `${op}: ${what} must be PackedSigns {shape, axis, words: Uint32Array} from packSigns, got ${
        q === null || typeof q !== "object" ? JSON.stringify(q) : `keys [${Object.keys(q)}]`
      }`,
    );
  }
  const rank = q.shape.length;
  if (!Number.isInteger(q.axis) || (q.axis as number) < 0 || (q.axis as number) >= rank) {
    throw new RangeError(
      `${op}: ${what}.axis must be an integer in [0, ${rank}), got ${JSON.stringify(q.axis)}`,
    );
  }
  const ax = q.axis as number;
  const [outer, len, inner] = split(q.shape, ax);
  const expected = outer * inner * wordsFor(len);
  if (q.words.length !== expected) {
    throw new RangeError(
      `${op}: ${what}.words has ${q.words.length} words, but shape [${q.shape}] packed along ` +
        `axis ${ax} needs ${expected}`,
    );
  }
  return q as PackedSigns;
}

/**
 * The ±1 float32 tensor that `p` packs: `unpackSigns(packSigns(t, a))` is `sign(t)` with
 * `sign(0) = +1`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { packSigns, setBackend, unpackSigns } from "@convgrad/ops";
 * await setBackend("wasm");
 * unpackSigns(packSigns(tf.tensor1d([3, -0.5, 0]), 0)).print(); // [1, -1, 1]
 * ```
 */
export function unpackSigns(p: PackedSigns): tf.Tensor {
  const { shape, axis, words } = checkPacked("unpackSigns", "p", p);
  const [outer, len, inner] = split(shape, axis);
  const cw = wordsFor(len);
  const out = new Float32Array(outer * len * inner);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < len; c++) {
      const shift = c & 31, d = (o * len + c) * inner, s = o * inner * cw + (c >>> 5);
      for (let i = 0; i < inner; i++) out[d + i] = (words[s + i * cw] >>> shift) & 1 ? -1 : 1;
    }
  }
  return tf.tensor(out, shape.slice(), "float32");
}
