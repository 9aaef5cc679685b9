/**
 * Stock `DepthwiseConv2dNativeBackpropInput` for the wasm backend (stock 4.22 has none there):
 * NHWC, any stride, padding and depth multiplier.
 *
 * dx[n,r,s,c] = Σ over the taps (p, q) and outputs (i, j) with i·sh+p−top = r, j·sw+q−left = s of
 * Σ_m dy[n,i,j,c·mult+m] · w[p,q,c,m]: each output pixel spreads its gradient back over the
 * window it read, channels innermost: four per SIMD step in `depthwise.wat` for multiplier 1,
 * plain loops otherwise. At stride 1 that sum is itself a depthwise correlation of dy with the
 * spatially flipped filter, so it runs as stock's XNNPACK `DepthwiseConv2dNative` instead:
 * measured 16 ms against 35 ms for the SIMD scatter on `[8,56,56,144]`, 3x3 (the scatter revisits
 * each dX pixel once per tap, out of cache at that size). Derivation: `docs/stock-kernels.md`.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { heapFloats } from "../backend_types.ts";
import { stock } from "../conv/heap_tensors.ts";
import { input } from "../register.ts";
import { type KernelArgs, type WasmBackend, wasmOf } from "./wasm.ts";
import {
  type DepthwiseAttrs,
  depthwiseInfo,
  depthwiseSimd,
  forEachTap,
  simdFits,
} from "./depthwise_geometry.ts";

function depthwiseBackpropInput(args: KernelArgs): tf.TensorInfo {
  const b = wasmOf(args), dy = input(args.inputs, "dy"), filter = input(args.inputs, "filter");
  const a = args.attrs as unknown as DepthwiseAttrs & { inputShape: number[] };
  const info = depthwiseInfo(
    "DepthwiseConv2dNativeBackpropInput",
    a.inputShape,
    filter.shape,
    dy.shape,
    a,
  );
  const flipped = asFlippedCorrelation(info);
  if (flipped) return correlateFlipped(b, dy, filter, flipped);
  if (simdFits(info)) {
    const dx = b.makeOutput(a.inputShape, "float32");
    depthwiseSimd(b, 1, dx, dy, filter, info);
    return dx;
  }
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C } = info;
  const mult = info.outChannels / C;
  const dx = b.makeOutput([N, H, W, C], "float32");
  const out = heapFloats(b, dx), dv = heapFloats(b, dy), wv = heapFloats(b, filter);
  out.fill(0);
  forEachTap(info, (xb, db, wb) => {
    if (mult === 1) {
      for (let c = 0; c < C; c++) out[xb + c] += dv[db + c] * wv[wb + c];
    } else {
      for (let c = 0; c < C; c++) {
        const o = c * mult;
        let sum = 0;
        for (let m = 0; m < mult; m++) sum += dv[db + o + m] * wv[wb + o + m];
        out[xb + c] += sum;
      }
    }
  });
  return dx;
}

/**
 * The padding of dY under which dX is a stride-1 correlation of dY with the flipped filter
 * (`kh−1−top` above, enough below to give H rows), or undefined where that does not hold: other
 * strides, multipliers, or padding beyond the window (which would need negative padding).
 */
function asFlippedCorrelation(info: tf.backend_util.Conv2DInfo): number[][] | undefined {
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const { top, bottom, left, right } = info.padInfo;
  if (sh !== 1 || sw !== 1 || info.outChannels !== info.inChannels) return undefined;
  if (top >= kh || bottom >= kh || left >= kw || right >= kw) return undefined;
  return [[0, 0], [kh - 1 - top, kh - 1 - bottom], [kw - 1 - left, kw - 1 - right], [0, 0]];
}

/** dX = depthwise(dy, flip(filter)) with `pad`, by the backend's own XNNPACK kernel. */
function correlateFlipped(
  b: WasmBackend,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  pad: number[][],
): tf.TensorInfo {
  const [kh, kw, C] = filter.shape;
  const flip = b.makeOutput(filter.shape, "float32");
  try {
    const w = heapFloats(b, filter), v = heapFloats(b, flip);
    for (let p = 0; p < kh; p++) {
      for (let q = 0; q < kw; q++) {
        v.set(
          w.subarray((p * kw + q) * C, (p * kw + q + 1) * C),
          ((kh - 1 - p) * kw + kw - 1 - q) * C,
        );
      }
    }
    return stock("DepthwiseConv2dNative", b, { x: dy, filter: flip }, {
      strides: [1, 1],
      pad,
      dilations: [1, 1],
    });
  } finally {
    b.disposeData(flip.dataId);
  }
}

/** The kernel's registration record (registered by `register.ts`). */
export const depthwiseBackpropInputConfig: tf.KernelConfig = {
  kernelName: "DepthwiseConv2dNativeBackpropInput",
  backendName: "wasm",
  kernelFunc: depthwiseBackpropInput as tf.KernelFunc,
};
