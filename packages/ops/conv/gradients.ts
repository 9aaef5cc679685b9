/**
 * The backward pass of filt, valid and full, registered once for every backend.
 *
 * For `Y = filt(X, K)` (derived step by step in `docs/convolutions.md`), with upstream gradient dY:
 *   dX[n,c] = Σ_f K[f,c] *full dY[n,f]      (each output pixel spreads dY back over its window)
 *   dK[f,c] = Σ_n X[n,c] *filt dY[n,f]      (each tap sees dY weighted by the inputs it touched)
 * With stride s the same holds for dY dilated by s (s−1 zeros between entries); with padding p,
 * dX is cropped by p and dK correlates the padded X. Both are kernels of their own
 * (`ConvgradFiltBackpropInput`, `ConvgradFiltBackpropFilter`) so each backend can pick its layout.
 *
 * `valid(X, K) = filt(X, flip(K))`, so its gradients are filt's with a flipped kernel and dK
 * flipped back; `full(X, K) = filt(X, flip(K))` with padding kernel−1 likewise (then dX is
 * `filt(dY, Kᵀ)`, see "valid and full reuse filt's gradient" in `docs/convolutions.md`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { registerGradientOnce } from "../register.ts";
import { fullAttrs } from "./geometry.ts";
import { FILT, FILT_BACKPROP_FILTER, FILT_BACKPROP_INPUT, FULL, VALID } from "./kernel_names.ts";
import type { ConvAttrs } from "./options.ts";

function backpropInput(dy: tf.Tensor, k: tf.Tensor, x: tf.Tensor, a: ConvAttrs): tf.Tensor {
  const attrs = { stride: a.stride, pad: a.pad, inputShape: x.shape };
  return tf.engine().runKernel(FILT_BACKPROP_INPUT, { dy, k }, attrs) as tf.Tensor;
}

function backpropFilter(x: tf.Tensor, dy: tf.Tensor, k: tf.Tensor, a: ConvAttrs): tf.Tensor {
  const attrs = { stride: a.stride, pad: a.pad, kernelShape: k.shape };
  return tf.engine().runKernel(FILT_BACKPROP_FILTER, { x, dy }, attrs) as tf.Tensor;
}

/** Both spatial axes reversed. */
const flip = (k: tf.Tensor) => tf.reverse(k, [2, 3]);

registerGradientOnce({
  kernelName: FILT,
  inputsToSave: ["x", "k"],
  gradFunc: (dy, saved, attrs) => {
    const [x, k] = saved, a = attrs as unknown as ConvAttrs;
    const g = dy as tf.Tensor;
    return { x: () => backpropInput(g, k, x, a), k: () => backpropFilter(x, g, k, a) };
  },
});

function flippedGradient(attrsOf: (k: tf.Tensor, attrs: ConvAttrs) => ConvAttrs): tf.GradFunc {
  return (dy, saved, attrs) => {
    const [x, k] = saved, a = attrsOf(k, attrs as unknown as ConvAttrs);
    const g = dy as tf.Tensor;
    return {
      x: () => backpropInput(g, flip(k), x, a),
      k: () => flip(backpropFilter(x, g, k, a)),
    };
  };
}

registerGradientOnce({
  kernelName: VALID,
  inputsToSave: ["x", "k"],
  gradFunc: flippedGradient((_k, a) => a),
});

registerGradientOnce({
  kernelName: FULL,
  inputsToSave: ["x", "k"],
  gradFunc: flippedGradient((k) => fullAttrs(k.shape)),
});
