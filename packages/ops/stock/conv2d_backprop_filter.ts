/**
 * Stock `Conv2DBackpropFilter` for the wasm backend (stock 4.22 has none there, so no
 * `tf.conv2d` could train on wasm): dW of `y = conv2d(x, w)`, NHWC, any stride and padding
 * ('same', 'valid', numbers with a rounding mode, explicit).
 *
 * dW[p,q,c,f] = Σ_{n,i,j} xpad[n, i·sh+p, j·sw+q, c] · dy[n,i,j,f] is one matrix product over the
 * M = N·Ho·Wo output pixels of the patch rows P [M, kh·kw·C] and dy [M, F], run as XNNPACK's
 * GEMM. Both have the summed axis outermost, so one of them must be turned over: the GEMM takes
 * the narrower as its right-hand side in place (the backend packs that side anew on every call:
 * measured 119 ms for a [25088,144] side against 27 ms for [25088,24]) and the wider one is
 * transposed by our SIMD `relayout.wat`. For a 1x1 stride-1 unpadded convolution P is x itself.
 * Images are taken in chunks so the patch matrix stays under {@link patchLimit}. Derivation: `docs/stock-kernels.md`.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { heapFloats } from "../backend_types.ts";
import { type Temp, transposed, withTemps } from "../conv/heap_tensors.ts";
import { input } from "../register.ts";
import {
  type Conv2DAttrs,
  conv2dInfo,
  type KernelArgs,
  matmul,
  patchLimit,
  reshaped,
  rowsOf,
  type WasmBackend,
  wasmOf,
} from "./wasm.ts";

/** The stock attributes of `Conv2DBackpropFilter`. */
interface Attrs extends Conv2DAttrs {
  filterShape: [number, number, number, number];
}

function conv2dBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const b = wasmOf(args), x = input(args.inputs, "x"), dy = input(args.inputs, "dy");
  const a = args.attrs as unknown as Attrs;
  const info = conv2dInfo("Conv2DBackpropFilter", x.shape, a.filterShape, a);
  const { batchSize: N, outHeight: Ho, outWidth: Wo, outChannels: F } = info;
  if (dy.shape.join() !== [N, Ho, Wo, F].join()) {
    throw new RangeError(
      `Conv2DBackpropFilter (wasm): dy must have shape [${[N, Ho, Wo, F]}], got [${dy.shape}]`,
    );
  }
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const chunk = Math.max(1, Math.floor(patchLimit.floats / (Ho * Wo * taps)));
  if (chunk >= N) {
    return reshaped(withTemps(b, (temp) => imagesDw(b, x, dy, info, 0, N, temp)), a.filterShape);
  }
  const acc = new Float64Array(taps * F); // [kh,kw,C,F]
  for (let n0 = 0; n0 < N; n0 += chunk) {
    const n1 = Math.min(N, n0 + chunk);
    const part = withTemps(b, (temp) => imagesDw(b, x, dy, info, n0, n1, temp));
    const v = heapFloats(b, part);
    for (let e = 0; e < acc.length; e++) acc[e] += v[e];
    b.disposeData(part.dataId);
  }
  const dw = b.makeOutput(a.filterShape, "float32");
  heapFloats(b, dw).set(acc);
  return dw;
}

/** The contribution [taps, F] of images [n0, n1) to dW; its temporaries go to `temp`. */
function imagesDw(
  b: WasmBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  n0: number,
  n1: number,
  temp: Temp,
): tf.TensorInfo {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: Ho, outWidth: Wo, outChannels: F } =
    info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const taps = kh * kw * C, Mc = (n1 - n0) * Ho * Wo, m0 = n0 * Ho * Wo;
  const identity = kh === 1 && kw === 1 && sh === 1 && sw === 1 && top === 0 && left === 0 &&
    Ho === H && Wo === W;
  const patches = identity
    ? rowsOf(b, x, m0, m0 + Mc, C, temp)
    : temp(patchRows(b, x, info, n0, n1)); // [Mc, taps]
  const dyc = rowsOf(b, dy, m0, m0 + Mc, F, temp); // [Mc, F]
  if (taps <= F) {
    // dWᵀ [F, taps] = dyᵀ [F, Mc] · P [Mc, taps], turned over (it is small).
    const dyt = temp(transposed(b, dyc, [1, Mc, F], [1, 1, F, Mc]));
    const dwt = temp(matmul(b, dyt, patches, [F, Mc, taps]));
    return transposed(b, dwt, [1, F, taps], [1, 1, taps, F]);
  }
  // dW [taps, F] = Pᵀ [taps, Mc] · dy [Mc, F].
  const pt = temp(transposed(b, patches, [1, Mc, taps], [1, 1, taps, Mc]));
  return matmul(b, pt, dyc, [taps, Mc, F]);
}

/** The patch rows [Mc, kh·kw·C] of images [n0, n1): row (n,i,j) is the window y[n,i,j] read. */
function patchRows(
  b: WasmBackend,
  x: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  n0: number,
  n1: number,
): tf.TensorInfo {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: Ho, outWidth: Wo } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const taps = kh * kw * C;
  const rows = b.makeOutput([(n1 - n0) * Ho * Wo, taps], "float32");
  const xv = heapFloats(b, x), p = heapFloats(b, rows);
  p.fill(0); // padding taps stay zero
  let m = 0;
  for (let n = n0; n < n1; n++) {
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++, m++) {
        // Taps (kq, c) of a kernel row are one run of x's row: copy the in-bounds part.
        const s0 = j * sw - left, q0 = Math.max(0, -s0), q1 = Math.min(kw, W - s0);
        if (q1 <= q0) continue;
        for (let kp = 0; kp < kh; kp++) {
          const r = i * sh + kp - top;
          if (r < 0 || r >= H) continue;
          const xb = ((n * H + r) * W + s0 + q0) * C;
          p.set(xv.subarray(xb, xb + (q1 - q0) * C), m * taps + (kp * kw + q0) * C);
        }
      }
    }
  }
  return rows;
}

/** The kernel's registration record (registered by `register.ts`). */
export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "wasm",
  kernelFunc: conv2dBackpropFilter as tf.KernelFunc,
};
