/**
 * Registers, for the wasm backend, the stock-named kernels TF.js 4.22 lacks there
 * (`Conv2DBackpropFilter`, `DepthwiseConv2dNativeBackpropInput`,
 * `DepthwiseConv2dNativeBackpropFilter`, `UnsortedSegmentSum`) and replaces its wrong
 * `MaxPoolGrad`. Importing `@convgrad/ops` runs this once; importing it again changes nothing.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { registerKernelOnce } from "../register.ts";
import { conv2dBackpropFilterConfig } from "./conv2d_backprop_filter.ts";
import { depthwiseBackpropFilterConfig } from "./depthwise_backprop_filter.ts";
import { depthwiseBackpropInputConfig } from "./depthwise_backprop_input.ts";
import { maxPoolGradConfig } from "./max_pool_grad.ts";
import { unsortedSegmentSumConfig } from "./unsorted_segment_sum.ts";

/**
 * The stock kernel names `@convgrad/ops` registers for the `wasm` backend: the four stock TF.js
 * 4.22 lacks there, and `MaxPoolGrad`, whose stock version it replaces.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { STOCK_WASM_KERNELS } from "@convgrad/ops";
 * console.log(STOCK_WASM_KERNELS.every((k) => tf.getKernel(k, "wasm") !== undefined)); // true
 * ```
 */
export const STOCK_WASM_KERNELS: readonly string[] = [
  "Conv2DBackpropFilter",
  "DepthwiseConv2dNativeBackpropInput",
  "DepthwiseConv2dNativeBackpropFilter",
  "UnsortedSegmentSum",
  "MaxPoolGrad",
];

for (
  const config of [
    conv2dBackpropFilterConfig,
    depthwiseBackpropInputConfig,
    depthwiseBackpropFilterConfig,
    unsortedSegmentSumConfig,
  ]
) registerKernelOnce(config);

/** Marks our MaxPoolGrad, so that a second copy of convgrad (another bundle) leaves it in place. */
const OURS = Symbol.for("convgrad.stockKernel");
const current = tf.getKernel("MaxPoolGrad", "wasm");
if ((current?.kernelFunc as { [OURS]?: boolean } | undefined)?.[OURS] !== true) {
  if (current !== undefined) tf.unregisterKernel("MaxPoolGrad", "wasm");
  Object.assign(maxPoolGradConfig.kernelFunc, { [OURS]: true });
  tf.registerKernel(maxPoolGradConfig);
}
