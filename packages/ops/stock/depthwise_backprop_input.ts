/**
 * Stock `DepthwiseConv2dNativeBackpropInput` for the wasm backend (stock 4.22 has none there):
 * NHWC, any stride, padding and depth multiplier.
 *
 * dx[n,r,s,c] = Σ over the taps (p, q) and outputs (i, j) with i·sh+p−top = r, j·sw+q−left = s of
 * Σ_m dy[n,i,j,c·mult+m] · w[p,q,c,m]: each output pixel spreads its gradient back over the
 * window it read, channels innermost.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { f32, type KernelArgs, named, wasmOf } from "./wasm.ts";
import { type DepthwiseAttrs, depthwiseInfo } from "./depthwise_geometry.ts";

function depthwiseBackpropInput(args: KernelArgs): tf.TensorInfo {
  const b = wasmOf(args), dy = named(args, "dy"), filter = named(args, "filter");
  const a = args.attrs as unknown as DepthwiseAttrs & { inputShape: number[] };
  const info = depthwiseInfo(
    "DepthwiseConv2dNativeBackpropInput",
    a.inputShape,
    filter.shape,
    dy.shape,
    a,
  );
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: Ho, outWidth: Wo } =
    info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const mult = info.outChannels / C, CM = C * mult;
  const dx = b.makeOutput([N, H, W, C], "float32");
  const out = f32(b, dx), dv = f32(b, dy), wv = f32(b, filter);
  out.fill(0);
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
            const xb = ((n * H + r) * W + s) * C, wb = (kp * kw + kq) * CM;
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
          }
        }
      }
    }
  }
  return dx;
}

/** The kernel's registration record (registered by `register.ts`). */
export const depthwiseBackpropInputConfig: tf.KernelConfig = {
  kernelName: "DepthwiseConv2dNativeBackpropInput",
  backendName: "wasm",
  kernelFunc: depthwiseBackpropInput as tf.KernelFunc,
};
