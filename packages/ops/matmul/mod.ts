/**
 * The matrix product `matMul` (transpose flags on either operand) with its gradient: our GEMM on
 * wasm, stock `BatchMatMul` on cpu and webgl; the float64 oracle in
 * `@convgrad/ops/matmul-reference`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { matMul, setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const [da] = tf.grads((a: tf.Tensor) => matMul(a as tf.Tensor2D, tf.ones([3, 8])).sum())([
 *   tf.ones([4, 3]),
 * ]);
 * ```
 *
 * @module
 */
import "./kernels_stock.ts";
import "./kernels_wasm.ts";
import "./gradients.ts";

export { matMul, type MatMulOptions } from "./mat_mul.ts";
export { MAT_MUL } from "./kernel_names.ts";
