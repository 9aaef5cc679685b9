/**
 * The conv kernels on TF.js's `wasm` backend. They drive the backend's own XNNPACK-backed
 * `Conv2D` (NHWC, SIMD) on tensors that stay in the backend's heap, and do the NCHW ⇄ NHWC
 * relayouts themselves in that heap (`heap_tensors.ts`). Measured on the MNIST layer: stock wasm
 * `Transpose` 10 ms, a JS copy loop 2 ms, our SIMD transpose 0.3 ms.
 *
 * Per docs/convolutions.md: dK = Σ_n X *filt dY becomes one NHWC convolution with the batch as
 * channels (X viewed as [C,H,W,N], dY as a [Ho,Wo,N,F] kernel, dilated by the stride); dX = Σ_f
 * K *full dY is computed as a GEMM (each dY entry times each kernel tap) and a scatter of the
 * products to the inputs they came from (col2im in `patches.wat`). For 3x3 kernels at stride 1
 * with enough channels and tiles the forward pass, dX and dK run as Winograd F(4x4, 3x3) instead
 * (`winograd.ts`; forward on `[32,64,14,14]*[64,64,3,3]`: 4.8 ms against XNNPACK's 8.0). With one input
 * channel the forward pass is a direct convolution, NCHW in and out (`filt_direct.ts`), and dK is
 * summed from X and the nonzeros of dY directly (`dk_direct.ts`).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { WasmBackend } from "../backend_types.ts";
import { heapModule, heapOffset } from "../wasm_heap.ts";
import { geometry } from "./geometry.ts";
import type { Geometry } from "./loops.ts";
import {
  channelsFirst,
  channelsLast,
  copyView,
  gemm,
  stock,
  stridesOf,
  type Temp,
  transposed,
  type View,
  withTemps,
} from "./heap_tensors.ts";
import type { ConvAttrs } from "./options.ts";
import { backpropFilterDirect } from "./dk_direct.ts";
import { correlateDirect, directFits } from "./filt_direct.ts";
import { WASM_BASE64 as PATCHES_BASE64 } from "./patches_wasm.ts";
import { registerConvKernels } from "./register_kernels.ts";
import {
  winogradBackpropFilter,
  winogradBackpropInput,
  winogradCorrelate,
  winogradCorrelateFits,
  winogradFilterFits,
} from "./winograd.ts";

/** The exports of patches.wat (see there): pointers are byte offsets into the backend's heap. */
interface Patches {
  im2row(x: number, rows: number, ...geometry: number[]): void;
  col2im(z: number, dx: number, ...geometry: number[]): void;
}

/** A convolution's sizes as patches.wat takes them. */
const patchGeometry = (g: Geometry) => [
  g.N,
  g.C,
  g.H,
  g.W,
  g.kh,
  g.kw,
  g.sh,
  g.sw,
  g.ph,
  g.pw,
  g.Ho,
  g.Wo,
];

/** k [F,C,kh,kw] as an NHWC filter [kh,kw,C,F], optionally flipped spatially. */
function filterView(k: readonly number[], flip: boolean): View {
  const [F, C, kh, kw] = k, [sf, sc, sp, sq] = stridesOf(k);
  const offset = flip ? (kh - 1) * sp + (kw - 1) * sq : 0;
  const p = flip ? -sp : sp, q = flip ? -sq : sq;
  return { shape: [kh, kw, C, F], strides: [p, q, sc, sf], offset };
}

const explicitPad = ([ph, pw]: readonly number[]) => [[0, 0], [ph, ph], [pw, pw], [0, 0]];

/**
 * Below this many input channels the forward pass is our direct convolution where it fits
 * (`filt_direct.ts`), else patches times the kernel in one GEMM: measured on the MNIST layer
 * (C = 1, 7x7, 32 filters, batch 100), the GEMM path took 18 ms against 28 ms for XNNPACK's own
 * convolution (whose indirect GEMM reads one float per pointer there) on a busy machine; later,
 * in `bench:mnist --profile`, the direct one 3.4–3.8 ms against 5.6–6.0 ms for the GEMM path
 * (patches and relayout included). dK is `dk_direct.ts` below it.
 */
const FEW_CHANNELS = 2;

/** The last NHWC filter made for each flip, keyed by the source kernel's (immutable) data. */
const filterCache = new Map<boolean, { source: object; filter: tf.TensorInfo }>();

/**
 * k [F,C,kh,kw] as the [kh,kw,C,F] filter XNNPACK takes. Inference calls the same kernel over and
 * over: reusing the relayout also lets the backend reuse its packed XNNPACK operator (keyed by the
 * filter's data), as stock `conv2d` does. One entry per flip, replaced when the kernel changes.
 */
function cachedFilter(b: WasmBackend, k: tf.TensorInfo, flip: boolean): tf.TensorInfo {
  const hit = filterCache.get(flip);
  if (hit?.source === k.dataId) return hit.filter;
  if (hit) b.disposeData(hit.filter.dataId);
  const filter = copyView(b, k, filterView(k.shape, flip));
  filterCache.set(flip, { source: k.dataId, filter });
  return filter;
}

/** y [N,F,Ho,Wo] = filt(x, k or flip(k)) through XNNPACK. */
function correlate(
  b: WasmBackend,
  x: tf.TensorInfo,
  k: tf.TensorInfo,
  a: ConvAttrs,
  flip: boolean,
): tf.TensorInfo {
  return withTemps(b, (temp) => {
    const kh = cachedFilter(b, k, flip); // [kh,kw,C,F]
    if (x.shape[1] < FEW_CHANNELS && directFits(x.shape, k.shape, a)) {
      return correlateDirect(b, x, kh, a, k.shape, temp);
    }
    if (x.shape[1] < FEW_CHANNELS) {
      // Few input channels: one GEMM over explicit patches, rows [N·Ho·Wo, C·kh·kw] times the
      // kernel as [C·kh·kw, F] (for C = 1 the [kh,kw,C,F] filter is exactly that matrix).
      const g = geometry(x.shape, k.shape, a), { N, C, F, Ho, Wo } = g;
      const taps = C * g.kh * g.kw;
      const rows = temp(b.makeOutput([N * Ho * Wo, 1, 1, taps], "float32"));
      heapModule<Patches>(b, PATCHES_BASE64).im2row(
        heapOffset(b, x),
        heapOffset(b, rows),
        ...patchGeometry(g),
      );
      const kmat = temp(
        copyView(b, kh, { shape: [1, 1, taps, F], strides: [0, 0, F, 1], offset: 0 }),
      );
      const y = temp(gemm(b, rows, kmat)); // [N·Ho·Wo,1,1,F]
      return channelsFirst(b, { dataId: y.dataId, shape: [N, Ho, Wo, F], dtype: "float32" });
    }
    const xh = temp(channelsLast(b, x)); // [N,H,W,C]
    const g = geometry(x.shape, k.shape, a);
    if (winogradCorrelateFits(k.shape, a, [g.N, g.F, g.Ho, g.Wo])) {
      return winogradCorrelate(b, xh, kh, a.pad, [g.N, g.Ho, g.Wo], temp);
    }
    const y = temp(stock("Conv2D", b, { x: xh, filter: kh }, {
      strides: a.stride,
      pad: explicitPad(a.pad),
      dilations: [1, 1],
      dataFormat: "NHWC",
    })); // [N,Ho,Wo,F]
    return channelsFirst(b, y);
  });
}

/**
 * dX [N,C,H,W] as one GEMM and a scatter ("col2im"): Z = dY·K, i.e. a 1x1 NHWC convolution of dY
 * [N,Ho,Wo,F] with K viewed as [1,1,F,C·kh·kw] (K's own bytes), gives each output pixel's
 * contribution to every input tap; then each tap is added where the forward pass read it. Any
 * stride and padding; XNNPACK sees a well-shaped GEMM even when C is tiny. Measured against
 * correlating the padded dY with the flipped kernel (`K *full dY` of docs/convolutions.md): as fast
 * at C = 64, 5x faster at C = 1, where XNNPACK's convolution has one output channel to fill.
 */
function backpropInputCol2im(
  b: WasmBackend,
  dyh: tf.TensorInfo,
  k: tf.TensorInfo,
  a: ConvAttrs,
  inputShape: number[],
  temp: Temp,
): tf.TensorInfo {
  const g = geometry(inputShape, k.shape, a), { N, C, H, W, F } = g; // g.Ho, g.Wo: dY's
  const taps = C * g.kh * g.kw;
  const kmat = temp(transposed(b, k, [1, 1, F * taps], [1, 1, F, taps]));
  const z = temp(gemm(b, dyh, kmat)); // [N,Ho,Wo,C·kh·kw]
  const dx = b.makeOutput([N, C, H, W], "float32");
  heapModule<Patches>(b, PATCHES_BASE64).col2im(
    heapOffset(b, z),
    heapOffset(b, dx),
    ...patchGeometry(g),
  );
  return dx;
}

registerConvKernels<WasmBackend>("wasm", {
  backend: (b) => b as unknown as WasmBackend,
  correlate,
  backpropInput: (b, dy, k, a, inputShape) =>
    withTemps(b, (temp) => {
      const dyh = temp(channelsLast(b, dy)); // [N,Ho,Wo,F]
      return winogradCorrelateFits(k.shape, a, inputShape)
        ? winogradBackpropInput(b, dyh, k, a, inputShape, temp)
        : backpropInputCol2im(b, dyh, k, a, inputShape, temp);
    }),
  backpropFilter: (b, x, dy, a, kernelShape) => {
    const [F, C, kh, kw] = kernelShape;
    return withTemps(b, (temp) => {
      if (C < FEW_CHANNELS) return backpropFilterDirect(b, x, dy, a, kernelShape, temp);
      const [N, , H, W] = x.shape, [, , Ho, Wo] = dy.shape;
      const xt = temp(transposed(b, x, [1, N, C * H * W], [C, H, W, N]));
      const dyt = temp(transposed(b, dy, [1, N * F, Ho * Wo], [Ho, Wo, N, F]));
      if (winogradFilterFits(kernelShape, a, N)) {
        return winogradBackpropFilter(b, xt, dyt, a, temp);
      }
      // dK = Σ_n X *filt dY as one convolution: the batch becomes the channel axis it sums over,
      // dY the kernel (dilated by the stride). Measured against im2col + GEMM: as fast at C = 64,
      // 10-20% faster at C = 1, with no column buffer.
      const r = temp(stock("Conv2D", b, { x: xt, filter: dyt }, {
        strides: [1, 1],
        pad: explicitPad(a.pad),
        dilations: a.stride,
        dataFormat: "NHWC",
      })); // [C,Hr,Wr,F], Hr >= kh: rows past kh are taps the stride never used
      const rs = stridesOf(r.shape);
      return copyView(b, r, {
        shape: [F, C, kh, kw],
        strides: [rs[3], rs[0], rs[1], rs[2]],
        offset: 0,
      });
    });
  },
});
