/**
 * Binary (±1) convolution by XNOR-popcount on sign bits packed 32 to a word: exact `filt` of ±1
 * tensors, with weights 32x smaller; kernels for `cpu` (JS) and `wasm` (our own SIMD module).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { binaryConv2dPacked, packSigns, setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const w = packSigns(tf.randomNormal([64, 64, 3, 3]).sign(), 1); // once, 32x smaller
 * const x = tf.randomNormal([1, 64, 56, 56]).sign() as tf.Tensor4D; // [N,C,H,W]
 * const y = binaryConv2dPacked(x, w, { pad: 1 }); // [1,64,56,56], = filt(x, sign(w), {pad: 1})
 * ```
 *
 * @module
 */
import "./kernels_cpu.ts";
import "./kernels_wasm.ts";

export { type PackedSigns, packSigns, unpackSigns } from "./pack.ts";
export { binaryConv2d, binaryConv2dPacked } from "./binary_conv.ts";
export { BINARY_CONV2D, type BinaryConvOptions } from "./options.ts";
export {
  binaryConvSum,
  type BinaryConvSumInputs,
  packBases,
  type PackedBases,
  type WeightBases,
} from "./bases.ts";
export { decodePackedBases, encodePackedBases } from "./format.ts";
