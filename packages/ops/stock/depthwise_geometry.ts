/**
 * What both depthwise backprop kernels share: the geometry from their stock attributes, the walk
 * over every filter tap that lands inside the input (their plain-loop path), and the SIMD walk of
 * `depthwise.wat` for multiplier 1 with channels in fours (MobileNet's case).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { heapFloats } from "../backend_types.ts";
import { checkNoDilation, type WasmBackend } from "./wasm.ts";
import { heapModule, heapOffset } from "../wasm_heap.ts";
import { WASM_BASE64 } from "./depthwise_wasm.ts";

/** The stock attributes of the depthwise backprop kernels (besides the shape they produce). */
export interface DepthwiseAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/**
 * Stock's conv geometry for a depthwise filter [kh,kw,C,mult] on x [N,H,W,C]; checks that dy is
 * [N,Ho,Wo,C·mult].
 */
export function depthwiseInfo(
  kernel: string,
  xShape: readonly number[],
  filterShape: readonly number[],
  dyShape: readonly number[],
  a: DepthwiseAttrs,
): tf.backend_util.Conv2DInfo {
  checkNoDilation(kernel, a.dilations);
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    true,
  );
  const expected = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  if (dyShape.join() !== expected.join()) {
    throw new RangeError(`${kernel} (wasm): dy must have shape [${expected}], got [${dyShape}]`);
  }
  return info;
}

/** Whether `depthwise.wat` covers the case: one output channel per input channel, four a lane. */
export function simdFits(info: tf.backend_util.Conv2DInfo): boolean {
  return info.outChannels === info.inChannels && info.inChannels % 4 === 0;
}

/** The export of depthwise.wat (see there). */
interface Depthwise {
  depthwise(mode: number, x: number, dy: number, k: number, ...geometry: number[]): void;
}

/**
 * Runs depthwise.wat: mode 0 accumulates dW into `k` from `x` and `dy`; mode 1 accumulates dX
 * into `x` from the filter `k` and `dy`. Zeroes the accumulating tensor first.
 */
export function depthwiseSimd(
  b: WasmBackend,
  mode: 0 | 1,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  k: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): void {
  heapFloats(b, mode === 0 ? k : x).fill(0);
  heapModule<Depthwise>(b, WASM_BASE64).depthwise(
    mode,
    heapOffset(b, x),
    heapOffset(b, dy),
    heapOffset(b, k),
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  );
}

/**
 * Calls `visit(xb, db, kb)` for every image, output pixel and filter tap that reads inside the
 * input: the offsets of that input pixel in x [N,H,W,C], of the output pixel in dy
 * [N,Ho,Wo,C·mult] and of the tap in the filter [kh,kw,C·mult]. The caller loops over channels.
 */
export function forEachTap(
  info: tf.backend_util.Conv2DInfo,
  visit: (xb: number, db: number, kb: number) => void,
): void {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: Ho, outWidth: Wo } =
    info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const CM = info.outChannels;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < Ho; i++) {
      for (let kp = 0; kp < kh; kp++) {
        const r = i * sh + kp - top;
        if (r < 0 || r >= H) continue;
        for (let j = 0; j < Wo; j++) {
          const db = ((n * Ho + i) * Wo + j) * CM;
          for (let kq = 0; kq < kw; kq++) {
            const s = j * sw + kq - left;
            if (s < 0 || s >= W) continue;
            visit(((n * H + r) * W + s) * C, db, (kp * kw + kq) * CM);
          }
        }
      }
    }
  }
}
