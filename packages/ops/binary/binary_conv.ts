/**
 * Binary convolution: `filt` of two ±1 tensors as XNOR-popcount on packed sign bits.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { checkOperand } from "../checks.ts";
import {
  BINARY_CONV2D,
  type BinaryConvAttrs,
  type BinaryConvOptions,
  checkBinaryConv,
} from "./options.ts";
import { checkPacked, type PackedSigns, wordsFor } from "./pack.ts";

/**
 * Runs the kernel on x and packed weight bits `[F,kh,kw,⌈C/32⌉]` (F may stack several bases).
 * The bits travel as an int32 tensor that lives only for this call.
 */
export function runBinaryConv(
  x: tf.Tensor4D,
  words: Uint32Array,
  packedShape: [number, number, number, number],
  attrs: BinaryConvAttrs,
): tf.Tensor4D {
  const bits = new Int32Array(words.buffer, words.byteOffset, words.length);
  const w = tf.tensor(bits, packedShape, "int32");
  try {
    return tf.engine().runKernel(
      BINARY_CONV2D,
      { x, w },
      attrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor4D;
  } finally {
    w.dispose();
  }
}

/**
 * Binary cross-correlation, NCHW: for ±1 tensors it returns exactly `filt(x, w, opts)`, computed
 * as `C·kh·kw − 2·popcount(x XOR w)` on sign bits packed 32 to a word. Any other value is read
 * as its sign (`sign(0) = +1`), so in general the result is `filt(sign(x), sign(w))`.
 *
 * Padding is zero padding by default, as in `filt` (see {@linkcode BinaryConvOptions.padValue}).
 * Inference only: no gradient is registered. Kernels: `cpu` (JS) and `wasm` (our own SIMD
 * module). The kernel packs `w` on every call; a model packs once with {@linkcode packSigns} and
 * calls {@linkcode binaryConv2dPacked}.
 *
 * @param x activations `[N,C,H,W]`, float32, ±1
 * @param w weights `[F,C,kh,kw]`, float32, ±1
 * @returns `[N,F,Ho,Wo]` float32, integer-valued, `Ho = ⌊(H + 2·ph − kh)/sh⌋ + 1`
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { binaryConv2d, setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const x = tf.tensor4d([1, -1, -1, 1], [1, 1, 2, 2]);
 * const w = tf.tensor4d([1, -1], [1, 1, 1, 2]);
 * binaryConv2d(x, w).print(); // [[[[2], [-2]]]]
 * ```
 */
export function binaryConv2d(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  opts: BinaryConvOptions = {},
): tf.Tensor4D {
  const wt = checkOperand("binaryConv2d", "w", w, "[F,C,kh,kw]");
  const attrs = checkBinaryConv("binaryConv2d", x, wt.shape, opts);
  return tf.engine().runKernel(
    BINARY_CONV2D,
    { x, w },
    attrs as unknown as tf.NamedAttrMap,
  ) as tf.Tensor4D;
}

/**
 * {@linkcode binaryConv2d} with weights packed beforehand by `packSigns(w, 1)`: the form a model
 * uses, packing its weights once (32x smaller).
 *
 * @param x activations `[N,C,H,W]`, float32, ±1
 * @param w weights `[F,C,kh,kw]` packed along C (axis 1)
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { binaryConv2dPacked, packSigns, setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const w = packSigns(tf.tensor4d([1, -1], [1, 1, 1, 2]), 1);
 * binaryConv2dPacked(tf.tensor4d([1, -1, -1, 1], [1, 1, 2, 2]), w).print(); // [[[[2], [-2]]]]
 * ```
 */
export function binaryConv2dPacked(
  x: tf.Tensor4D,
  w: PackedSigns,
  opts: BinaryConvOptions = {},
): tf.Tensor4D {
  const p = checkPacked("binaryConv2dPacked", "w", w);
  if (p.shape.length !== 4 || p.axis !== 1) {
    throw new RangeError(
      `binaryConv2dPacked: w must be weights [F,C,kh,kw] packed along axis 1, got shape ` +
        `[${p.shape}] packed along axis ${p.axis}`,
    );
  }
  const attrs = checkBinaryConv("binaryConv2dPacked", x, p.shape, opts);
  const [F, C, kh, kw] = p.shape;
  return runBinaryConv(x, p.words, [F, kh, kw, wordsFor(C)], attrs);
}
