/**
 * Registers, for the wasm backend, the stock-named kernels TF.js 4.22 lacks there
 * (`Conv2DBackpropFilter`, `DepthwiseConv2dNativeBackpropInput`,
 * `DepthwiseConv2dNativeBackpropFilter`, `UnsortedSegmentSum`), replaces its wrong `MaxPoolGrad`
 * and its slow `Conv2DBackpropInput` and `Tile`. Importing `@convgrad/ops` runs this once;
 * importing it again changes nothing.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { registerKernelOnce } from "../register.ts";
import { conv2dBackpropFilterConfig } from "./conv2d_backprop_filter.ts";
import { conv2dBackpropInputConfig } from "./conv2d_backprop_input.ts";
import { depthwiseBackpropFilterConfig } from "./depthwise_backprop_filter.ts";
import { depthwiseBackpropInputConfig } from "./depthwise_backprop_input.ts";
import { maxPoolGradConfig } from "./max_pool_grad.ts";
import { tileConfig } from "./tile.ts";
import { unsortedSegmentSumConfig } from "./unsorted_segment_sum.ts";

/**
 * The stock kernel names `@convgrad/ops` registers for the `wasm` backend: the four stock TF.js
 * 4.22 lacks there, and `MaxPoolGrad` (stock's is wrong), `Conv2DBackpropInput` and `Tile`
 * (stock's are slow), which it replaces.
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
  "Conv2DBackpropInput",
  "Tile",
];

for (
  const config of [
    conv2dBackpropFilterConfig,
    depthwiseBackpropInputConfig,
    depthwiseBackpropFilterConfig,
    unsortedSegmentSumConfig,
  ]
) registerKernelOnce(config);

/** Marks our replacements, so that a second copy of convgrad (another bundle) leaves them be. */
const OURS = Symbol.for("convgrad.stockKernel");

/** Puts `config` in place of the wasm backend's own kernel of that name, unless ours is there. */
function replaceKernel(config: tf.KernelConfig): void {
  const current = tf.getKernel(config.kernelName, "wasm");
  if ((current?.kernelFunc as { [OURS]?: boolean } | undefined)?.[OURS] === true) return;
  if (current !== undefined) tf.unregisterKernel(config.kernelName, "wasm");
  Object.assign(config.kernelFunc, { [OURS]: true });
  tf.registerKernel(config);
}

replaceKernel(maxPoolGradConfig);
replaceKernel(conv2dBackpropInputConfig);
replaceKernel(tileConfig);
