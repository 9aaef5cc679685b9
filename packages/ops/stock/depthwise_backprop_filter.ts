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
  forEachTap,
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
  const { inChannels: C, filterHeight: kh, filterWidth: kw } = info;
  const mult = info.outChannels / C;
  const acc = new Float64Array(kh * kw * C * mult); // [kh,kw,C,mult]
  const xv = heapFloats(b, x), dv = heapFloats(b, dy);
  forEachTap(info, (xb, db, ab) => {
    if (mult === 1) {
      for (let c = 0; c < C; c++) acc[ab + c] += xv[xb + c] * dv[db + c];
    } else {
      for (let c = 0; c < C; c++) {
        const v = xv[xb + c], o = c * mult;
        for (let m = 0; m < mult; m++) acc[ab + o + m] += v * dv[db + o + m];
      }
    }
  });
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
