/**
 * `Conv2DBackpropInput` for the wasm backend, replacing stock's: stock 4.22 runs it as scalar
 * loops, 6x slower than the forward convolution on a MobileNetV2 1x1 layer (measured 160 ms vs
 * 26 ms, `[8,56,56,24]`, 24→144), so it dominated any conv net's training step there. dX of
 * `y = conv2d(x, w)`, NHWC, any stride and padding.
 *
 * dX = Σ_f W[f] *full dY[f] (each output pixel spreads dY back over the window it read) is one
 * GEMM and a scatter: `Z = dy [M, F] · Wᵀ [F, kh·kw·C]` gives every output pixel's contribution to
 * every tap (XNNPACK), then each row of Z is added where its window lies in dX ("col2im"). For a
 * 1x1 stride-1 unpadded convolution Z is dX itself. Derivation: `docs/stock-kernels.md`.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { heapFloats } from "../backend_types.ts";
import { transposed, withTemps } from "../conv/heap_tensors.ts";
import { input } from "../register.ts";
import {
  type Conv2DAttrs,
  conv2dInfo,
  type KernelArgs,
  matmul,
  patchLimit,
  reshaped,
  rowsOf,
  wasmOf,
} from "./wasm.ts";

/** The stock attributes of `Conv2DBackpropInput`. */
interface Attrs extends Conv2DAttrs {
  inputShape: [number, number, number, number];
}

function conv2dBackpropInput(args: KernelArgs): tf.TensorInfo {
  const b = wasmOf(args), dy = input(args.inputs, "dy"), filter = input(args.inputs, "filter");
  const a = args.attrs as unknown as Attrs;
  const info = conv2dInfo("Conv2DBackpropInput", a.inputShape, filter.shape, a);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C } = info;
  const { outHeight: Ho, outWidth: Wo, outChannels: F } = info;
  if (dy.shape.join() !== [N, Ho, Wo, F].join()) {
    throw new RangeError(
      `Conv2DBackpropInput (wasm): dy must have shape [${[N, Ho, Wo, F]}], got [${dy.shape}]`,
    );
  }
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const taps = kh * kw * C;
  return withTemps(b, (temp) => {
    const wt = temp(transposed(b, filter, [1, taps, F], [1, 1, F, taps])); // Wᵀ [F, taps]
    const identity = kh === 1 && kw === 1 && sh === 1 && sw === 1 && top === 0 && left === 0 &&
      Ho === H && Wo === W;
    if (identity) return reshaped(matmul(b, dy, wt, [N * H * W, F, C]), a.inputShape);
    const dx = b.makeOutput(a.inputShape, "float32");
    heapFloats(b, dx).fill(0);
    const chunk = Math.max(1, Math.floor(patchLimit.floats / (Ho * Wo * taps)));
    for (let n0 = 0; n0 < N; n0 += chunk) {
      const n1 = Math.min(N, n0 + chunk), Mc = (n1 - n0) * Ho * Wo;
      const dyc = rowsOf(b, dy, n0 * Ho * Wo, n1 * Ho * Wo, F, temp);
      const z = temp(matmul(b, dyc, wt, [Mc, F, taps])); // [Mc, taps]
      const zv = heapFloats(b, z), out = heapFloats(b, dx);
      let m = 0;
      for (let n = n0; n < n1; n++) {
        for (let i = 0; i < Ho; i++) {
          for (let j = 0; j < Wo; j++, m++) {
            // Taps (kq, c) of a kernel row land on one run of dX's row: add the in-bounds part.
            const s0 = j * sw - left, q0 = Math.max(0, -s0), q1 = Math.min(kw, W - s0);
            if (q1 <= q0) continue;
            const len = (q1 - q0) * C;
            for (let kp = 0; kp < kh; kp++) {
              const r = i * sh + kp - top;
              if (r < 0 || r >= H) continue;
              const d = ((n * H + r) * W + s0 + q0) * C, src = m * taps + (kp * kw + q0) * C;
              for (let e = 0; e < len; e++) out[d + e] += zv[src + e];
            }
          }
        }
      }
    }
    return dx;
  });
}

/** The kernel's registration record (registered by `register.ts`, replacing stock's). */
export const conv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: "Conv2DBackpropInput",
  backendName: "wasm",
  kernelFunc: conv2dBackpropInput as tf.KernelFunc,
};
