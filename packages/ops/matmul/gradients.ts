/**
 * The gradient of the matrix product, registered once for every backend. For C = op(A)·op(B)
 * with upstream dC: dA = dC·op(B)ᵀ and dB = op(A)ᵀ·dC, transposed back when the operand was
 * used transposed; each is one more product with transpose flags, never an explicit transpose.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { registerGradientOnce } from "../register.ts";
import { MAT_MUL } from "./kernel_names.ts";

const mm = (a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean) =>
  tf.engine().runKernel(MAT_MUL, { a, b }, { transposeA, transposeB }) as tf.Tensor;

registerGradientOnce({
  kernelName: MAT_MUL,
  inputsToSave: ["a", "b"],
  gradFunc: (dy, [a, b], attrs) => {
    const dc = dy as tf.Tensor, tA = attrs.transposeA as boolean, tB = attrs.transposeB as boolean;
    // dA = dC·op(B)ᵀ, or its transpose op(B)·dCᵀ when A entered transposed; dB likewise.
    return {
      a: () => tA ? mm(b, dc, tB, true) : mm(dc, b, false, !tB),
      b: () => tB ? mm(dc, a, true, tA) : mm(a, dc, !tA, false),
    };
  },
});
