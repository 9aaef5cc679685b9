/**
 * The gradient of max-pooling, registered once for every backend: dY goes to each window's first
 * maximum (the `ConvgradMaxPoolBackprop` kernel of each backend), zero elsewhere.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { registerGradientOnce } from "../register.ts";
import { MAX_POOL, MAX_POOL_BACKPROP } from "./kernel_names.ts";

registerGradientOnce({
  kernelName: MAX_POOL,
  inputsToSave: ["x"],
  gradFunc: (dy, [x], attrs) => ({
    x: () =>
      tf.engine().runKernel(MAX_POOL_BACKPROP, { x, dy: dy as tf.Tensor }, attrs) as tf.Tensor,
  }),
});
