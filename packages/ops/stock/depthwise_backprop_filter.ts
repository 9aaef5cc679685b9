/**
 * Stock `DepthwiseConv2dNativeBackpropFilter` for the wasm backend (stock 4.22 has none there, so
 * no `tf.depthwiseConv2d`, hence no MobileNet, could train on wasm): NHWC, any stride, padding
 * and depth multiplier.
 *
 * dW[p,q,c,m] = Σ_{n,i,j} xpad[n, i·sh+p, j·sw+q, c] · dy[n,i,j,c·mult+m]: every channel is its
 * own correlation, so there is no matrix product to hand to XNNPACK; one pass over dy with the
 * channels innermost (contiguous in both x and dy) accumulates every tap: four channels per SIMD
 * step in `depthwise.wat` for multiplier 1 (MobileNet's case), plain loops otherwise. Derivation: `docs/stock-kernels.md`.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { heapFloats } from "../backend_types.ts";
import { input } from "../register.ts";
import { type KernelArgs, wasmOf } from "./wasm.ts";
import {
  type DepthwiseAttrs,
  depthwiseInfo,
  depthwiseSimd,
  simdFits,
} from "./depthwise_geometry.ts";

function depthwiseBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const b = wasmOf(args), x = input(args.inputs, "x"), dy = input(args.inputs, "dy");
  const a = args.attrs as unknown as DepthwiseAttrs & { filterShape: number[] };
  const info = depthwiseInfo(
    "DepthwiseConv2dNativeBackpropFilter",
    x.shape,
    a.filterShape,
    dy.shape,
    a,
  );
  if (simdFits(info)) {
    const dw = b.makeOutput(a.filterShape, "float32");
    depthwiseSimd(b, 0, x, dy, dw, info);
    return dw;
  }
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: Ho, outWidth: Wo } =
    info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const mult = info.outChannels / C, CM = C * mult;
  const acc = new Float64Array(kh * kw * CM); // [kh,kw,C,mult]
  const xv = heapFloats(b, x), dv = heapFloats(b, dy);
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
            const xb = ((n * H + r) * W + s) * C, ab = (kp * kw + kq) * CM;
            if (mult === 1) {
              for (let c = 0; c < C; c++) acc[ab + c] += xv[xb + c] * dv[db + c];
            } else {
              for (let c = 0; c < C; c++) {
                const v = xv[xb + c], o = c * mult;
                for (let m = 0; m < mult; m++) acc[ab + o + m] += v * dv[db + o + m];
              }
            }
          }
        }
      }
    }
  }
  const dw = b.makeOutput([kh, kw, C, mult], "float32");
  heapFloats(b, dw).set(acc);
  return dw;
}

/** The kernel's registration record (registered by `register.ts`). */
export const depthwiseBackpropFilterConfig: tf.KernelConfig = {
  kernelName: "DepthwiseConv2dNativeBackpropFilter",
  backendName: "wasm",
  kernelFunc: depthwiseBackpropFilter as tf.KernelFunc,
};
