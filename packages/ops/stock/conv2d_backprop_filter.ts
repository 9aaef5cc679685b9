/**
 * Stock `Conv2DBackpropFilter` for the wasm backend (stock 4.22 has none there, so no
 * `tf.conv2d` could train on wasm): dW of `y = conv2d(x, w)`, NHWC, any stride and padding
 * ('same', 'valid', numbers with a rounding mode, explicit).
 *
 * dW[p,q,c,f] = Σ_{n,i,j} xpad[n, i·sh+p, j·sw+q, c] · dy[n,i,j,f] is one matrix product over the
 * M = N·Ho·Wo output pixels: `patchesᵀ [kh·kw·C, M] · dy [M, F]`, run as XNNPACK's GEMM. The
 * transposed side is whichever is smaller: with few taps (kh·kw·C ≤ F) we gather the patches
 * already transposed; otherwise dy is transposed and the patches keep their natural rows (for a
 * 1x1 stride-1 convolution they are x itself), and the small [F, taps] result is turned over.
 * Images are taken in chunks so the patch matrix stays under {@link patchLimit}.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { f32, gemm, type KernelArgs, named, reshaped, type WasmBackend, wasmOf } from "./wasm.ts";

/**
 * Largest patch matrix (floats) built at once: 16 MiB. Tests lower it to reach the chunked path.
 *
 * @example
 * ```ts
 * import { patchLimit } from "./conv2d_backprop_filter.ts";
 * console.log(patchLimit.floats); // 4194304
 * ```
 */
export const patchLimit = { floats: 1 << 22 };

/** The stock attributes of `Conv2DBackpropFilter`. */
interface Attrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat?: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
  filterShape: [number, number, number, number];
}

function conv2dBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const b = wasmOf(args), x = named(args, "x"), dy = named(args, "dy");
  const a = args.attrs as unknown as Attrs;
  if (a.dataFormat !== undefined && a.dataFormat !== "NHWC") {
    throw new RangeError(
      `Conv2DBackpropFilter (wasm): dataFormat must be 'NHWC' (as wasm Conv2D), got '${a.dataFormat}'`,
    );
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const { batchSize: N, outHeight: Ho, outWidth: Wo, outChannels: F } = info;
  if (dy.shape.join() !== [N, Ho, Wo, F].join()) {
    throw new RangeError(
      `Conv2DBackpropFilter (wasm): dy must have shape [${[N, Ho, Wo, F]}], got [${dy.shape}]`,
    );
  }
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const perImage = Ho * Wo * taps;
  const chunk = Math.max(1, Math.floor(patchLimit.floats / perImage));
  const gather = taps <= F ? transposedPatches : patchRows;
  if (chunk >= N) return gather(b, x, dy, info, 0, N, true);
  const acc = new Float64Array(taps * F); // [kh,kw,C,F]
  for (let n0 = 0; n0 < N; n0 += chunk) {
    const part = gather(b, x, dy, info, n0, Math.min(N, n0 + chunk), false);
    const v = f32(b, part);
    for (let e = 0; e < acc.length; e++) acc[e] += v[e];
    b.disposeData(part.dataId);
  }
  const dw = b.makeOutput(a.filterShape, "float32");
  f32(b, dw).set(acc);
  return dw;
}

/** A copy of rows [m0, m1) of a row-major [*, width] tensor, or the tensor itself if that is all. */
function rows(b: WasmBackend, t: tf.TensorInfo, m0: number, m1: number, width: number) {
  const all = m0 === 0 && m1 * width === t.shape.reduce((p, s) => p * s, 1);
  if (all) return { t, own: false };
  const out = b.makeOutput([m1 - m0, width], "float32");
  f32(b, out).set(f32(b, t).subarray(m0 * width, m1 * width));
  return { t: out, own: true };
}

/**
 * Few taps: patchesᵀ [taps, Mc] gathered directly, times dy's rows [Mc, F] → dW [taps, F] (the
 * stock filter layout [kh,kw,C,F] as it comes).
 */
function transposedPatches(
  b: WasmBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  n0: number,
  n1: number,
  whole: boolean,
): tf.TensorInfo {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: Ho, outWidth: Wo, outChannels: F } =
    info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const taps = kh * kw * C, Mc = (n1 - n0) * Ho * Wo;
  const pt = b.makeOutput([taps, Mc], "float32");
  const dyc = rows(b, dy, n0 * Ho * Wo, n1 * Ho * Wo, F);
  try {
    const xv = f32(b, x), p = f32(b, pt);
    p.fill(0); // padding taps stay zero
    let m = 0;
    for (let n = n0; n < n1; n++) {
      for (let i = 0; i < Ho; i++) {
        for (let j = 0; j < Wo; j++, m++) {
          for (let kp = 0; kp < kh; kp++) {
            const r = i * sh + kp - top;
            if (r < 0 || r >= H) continue;
            for (let kq = 0; kq < kw; kq++) {
              const s = j * sw + kq - left;
              if (s < 0 || s >= W) continue;
              const xb = ((n * H + r) * W + s) * C;
              let t = (kp * kw + kq) * C * Mc + m;
              for (let c = 0; c < C; c++, t += Mc) p[t] = xv[xb + c];
            }
          }
        }
      }
    }
    const dw = gemm(b, pt, dyc.t, [taps, Mc, F]); // [taps, F]
    return whole ? reshaped(dw, [kh, kw, C, F]) : dw;
  } finally {
    b.disposeData(pt.dataId);
    if (dyc.own) b.disposeData(dyc.t.dataId);
  }
}

/**
 * Many taps: dyᵀ [F, Mc] times the patch rows [Mc, taps] (x itself for a 1x1 stride-1 unpadded
 * convolution) → [F, taps], turned over into dW [taps, F].
 */
function patchRows(
  b: WasmBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  n0: number,
  n1: number,
  whole: boolean,
): tf.TensorInfo {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: Ho, outWidth: Wo, outChannels: F } =
    info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const taps = kh * kw * C, Mc = (n1 - n0) * Ho * Wo, m0 = n0 * Ho * Wo;
  const identity = kh === 1 && kw === 1 && sh === 1 && sw === 1 && top === 0 && left === 0 &&
    Ho === H && Wo === W;
  const dyt = b.makeOutput([F, Mc], "float32");
  const patches = identity
    ? rows(b, x, m0, m0 + Mc, C)
    : { t: b.makeOutput([Mc, taps], "float32"), own: true };
  let prod: tf.TensorInfo | undefined;
  try {
    const dv = f32(b, dy), d = f32(b, dyt);
    for (let m = 0; m < Mc; m++) {
      const row = (m0 + m) * F;
      for (let f = 0, t = m; f < F; f++, t += Mc) d[t] = dv[row + f];
    }
    if (!identity) {
      const xv = f32(b, x), p = f32(b, patches.t);
      p.fill(0);
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
    }
    prod = gemm(b, dyt, patches.t, [F, Mc, taps]); // [F, taps]
    const dw = b.makeOutput(whole ? [kh, kw, C, F] : [taps, F], "float32");
    const pv = f32(b, prod), out = f32(b, dw);
    for (let f = 0; f < F; f++) {
      for (let t = 0; t < taps; t++) out[t * F + f] = pv[f * taps + t];
    }
    return dw;
  } finally {
    b.disposeData(dyt.dataId);
    if (patches.own) b.disposeData(patches.t.dataId);
    if (prod) b.disposeData(prod.dataId);
  }
}

/** The kernel's registration record (registered by `register.ts`). */
export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "wasm",
  kernelFunc: conv2dBackpropFilter as tf.KernelFunc,
};
