/**
 * convgrad ops: 2-D convolutions (`filt`, `valid`, `full`) as TF.js kernels on cpu, wasm and
 * webgl, each with an explicit, verified gradient, and NCHW max-pooling and the matrix product
 * `matMul` likewise; the float64 oracles live in `@convgrad/ops/reference`,
 * `@convgrad/ops/pool-reference` and `@convgrad/ops/matmul-reference`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { filt, setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const x = tf.randomNormal([2, 3, 8, 8]) as tf.Tensor4D; // [N,C,H,W]
 * const k = tf.randomNormal([4, 3, 3, 3]) as tf.Tensor4D; // [F,C,kh,kw]
 * const [dx, dk] = tf.grads((x: tf.Tensor, k: tf.Tensor) =>
 *   filt(x as tf.Tensor4D, k as tf.Tensor4D).square().sum()
 * )([x, k]);
 * ```
 *
 * @module
 */
import "./conv/kernels_cpu.ts";
import "./conv/kernels_wasm.ts";
import "./conv/kernels_webgl.ts";
import "./conv/gradients.ts";
import "./pool/kernels_cpu.ts";
import "./pool/kernels_wasm.ts";
import "./pool/kernels_webgl.ts";
import "./pool/gradients.ts";
import "./stock/register.ts";

export { filt } from "./conv/filt.ts";
export { valid } from "./conv/valid.ts";
export {
  FILT,
  FILT_BACKPROP_FILTER,
  FILT_BACKPROP_INPUT,
  FULL,
  VALID,
} from "./conv/kernel_names.ts";
export { full } from "./conv/full.ts";
export { maxPool } from "./pool/max_pool.ts";
export type { ConvOptions } from "./conv/options.ts";
export { outSize, toPair } from "./checks.ts";
export { type BackendName, setBackend, type SetBackendOptions, wasmBinaries } from "./backend.ts";
export { gradcheck, type GradcheckOptions, type GradcheckResult } from "./gradcheck.ts";
export * from "./abc/mod.ts";
export * from "./adam/mod.ts";
export * from "./binary/mod.ts";
export * from "./matmul/mod.ts";
export { STOCK_WASM_KERNELS } from "./stock/register.ts";
