/**
 * A fused Adam step (`adamUpdate`): the weight and both moments in one kernel on cpu and wasm,
 * equal to the bit to TF.js's `tf.train.adam` step.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { adamUpdate, setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const [x] = adamUpdate(tf.ones([2]), tf.zeros([2]), tf.zeros([2]), tf.ones([2]), {
 *   learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, accBeta1: 0.9, accBeta2: 0.999,
 * });
 * ```
 *
 * @module
 */
import "./kernels_cpu.ts";
import "./kernels_wasm.ts";

export { type AdamStepOptions, adamUpdate } from "./adam_update.ts";
