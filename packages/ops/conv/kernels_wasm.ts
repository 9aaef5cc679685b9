/**
 * The conv kernels on TF.js's `wasm` backend. They drive the backend's own XNNPACK-backed
 * `Conv2D` (NHWC, SIMD) on tensors that stay in the backend's heap, and do the NCHW ⇄ NHWC
 * relayouts themselves with strided copies on that heap: measured, the stock wasm `Transpose`
 * costs half a convolution on these shapes, a copy loop a tenth.
 *
 * Every formula is the seed's: dK = Σ_n X *filt dY becomes one NHWC convolution with the batch as
 * channels (X viewed as [C,H,W,N], dY as a [Ho,Wo,N,F] kernel, dilated by the stride); dX = Σ_f
 * K *full dY is one NHWC convolution of dY with the flipped, transposed kernel.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { input, registerKernelOnce } from "../register.ts";
import { fullAttrs } from "./geometry.ts";
import { FILT, FILT_BACKPROP_FILTER, FILT_BACKPROP_INPUT, FULL, VALID } from "./kernel_names.ts";
import type { ConvAttrs } from "./options.ts";

interface WasmBackend {
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  disposeData(dataId: object): boolean;
}

type Shape4 = [number, number, number, number];

/**
 * A relayout: `out[a,b,c,d] = src[off + a·s0 + b·s1 + c·s2 + d·s3]` for `out` of `shape`. Negative
 * strides read an axis reversed (the kernel flip), a shape smaller than the source crops it.
 */
interface View {
  shape: Shape4;
  strides: Shape4;
  offset: number;
}

function copyView(b: WasmBackend, src: tf.TensorInfo, v: View): tf.TensorInfo {
  const out = b.makeOutput(v.shape, "float32");
  // Read both views after allocating: allocation may grow (and so detach) the heap.
  gather(b.typedArrayFromHeap(src), b.typedArrayFromHeap(out), v);
  return out;
}

const TILE = 32;

/**
 * The copy behind {@linkcode copyView}. A transpose read in destination order strides through
 * the source once per element; instead the destination's last axis and the source's contiguous
 * axis are walked in 32x32 tiles, so both sides of a tile stay in L1 (5x faster here).
 */
function gather(s: Float32Array, d: Float32Array, v: View): void {
  const shape = v.shape, ss = v.strides, ds = stridesOf(shape);
  const r = ss.findIndex((st, i) => i < 3 && Math.abs(st) === 1);
  // Axes looped outside the tiled plane (the last one and `r`).
  const outer = [0, 1, 2].filter((i) => i !== r);
  const inner = r < 0 ? 2 : r;
  const [A, B] = r < 0 ? [shape[0], shape[1]] : [shape[outer[0]], shape[outer[1]]];
  const [sa, sb] = r < 0 ? [ss[0], ss[1]] : [ss[outer[0]], ss[outer[1]]];
  const [da, db] = r < 0 ? [ds[0], ds[1]] : [ds[outer[0]], ds[outer[1]]];
  const R = shape[inner], sr = ss[inner], dr = ds[inner];
  const E = shape[3], se = ss[3];
  for (let a = 0; a < A; a++) {
    for (let bb = 0; bb < B; bb++) {
      const sBase = v.offset + a * sa + bb * sb, dBase = a * da + bb * db;
      for (let r0 = 0; r0 < R; r0 += TILE) {
        const r1 = Math.min(R, r0 + TILE);
        for (let e0 = 0; e0 < E; e0 += TILE) {
          const e1 = Math.min(E, e0 + TILE);
          for (let e = e0; e < e1; e++) {
            let si = sBase + r0 * sr + e * se, di = dBase + r0 * dr + e;
            for (let t = r0; t < r1; t++, si += sr, di += dr) d[di] = s[si];
          }
        }
      }
    }
  }
}

/** Row-major strides of a contiguous rank-4 shape. */
function stridesOf([, b, c, d]: readonly number[]): Shape4 {
  return [b * c * d, c * d, d, 1];
}

/** [A,B,C,D] → [A,C,D,B] (NCHW → NHWC). */
const toChannelsLast = (s: readonly number[]): View => {
  const st = stridesOf(s);
  return { shape: [s[0], s[2], s[3], s[1]], strides: [st[0], st[2], st[3], st[1]], offset: 0 };
};
/** [A,C,D,B] → [A,B,C,D] (NHWC → NCHW). */
const toChannelsFirst = (s: readonly number[]): View => {
  const st = stridesOf(s);
  return { shape: [s[0], s[3], s[1], s[2]], strides: [st[0], st[3], st[1], st[2]], offset: 0 };
};

/** k [F,C,kh,kw] as an NHWC filter: [kh,kw,C,F], or [kh,kw,F,C] with `swap`; optionally flipped. */
function filterView(k: readonly number[], flip: boolean, swap: boolean): View {
  const [F, C, kh, kw] = k, [sf, sc, sp, sq] = stridesOf(k);
  const offset = flip ? (kh - 1) * sp + (kw - 1) * sq : 0;
  const p = flip ? -sp : sp, q = flip ? -sq : sq;
  return swap
    ? { shape: [kh, kw, F, C], strides: [p, q, sf, sc], offset }
    : { shape: [kh, kw, C, F], strides: [p, q, sc, sf], offset };
}

/** Runs a stock wasm kernel by name on TensorInfos. */
function stock(
  name: string,
  b: WasmBackend,
  inputs: Record<string, tf.TensorInfo>,
  attrs: Record<string, unknown>,
): tf.TensorInfo {
  const k = tf.getKernel(name, "wasm");
  if (k === undefined) throw new Error(`convgrad: the wasm backend has no '${name}' kernel`);
  return k.kernelFunc({
    inputs,
    backend: b as never,
    attrs: attrs as tf.NamedAttrMap,
  }) as tf.TensorInfo;
}

/** Runs `body` and frees every temporary it registered with `keep`, also on error. */
function withTemps<T>(b: WasmBackend, body: (temp: (t: tf.TensorInfo) => tf.TensorInfo) => T): T {
  const temps: tf.TensorInfo[] = [];
  try {
    return body((t) => (temps.push(t), t));
  } finally {
    for (const t of temps) b.disposeData(t.dataId);
  }
}

const explicitPad = ([ph, pw]: readonly number[]) => [[0, 0], [ph, ph], [pw, pw], [0, 0]];

/** y [N,F,Ho,Wo] = filt(x, k or flip(k)) through XNNPACK. */
function correlate(
  b: WasmBackend,
  x: tf.TensorInfo,
  k: tf.TensorInfo,
  a: ConvAttrs,
  flip: boolean,
): tf.TensorInfo {
  return withTemps(b, (temp) => {
    const xh = temp(copyView(b, x, toChannelsLast(x.shape))); // [N,H,W,C]
    const kh = temp(copyView(b, k, filterView(k.shape, flip, false))); // [kh,kw,C,F]
    const y = temp(stock("Conv2D", b, { x: xh, filter: kh }, {
      strides: a.stride,
      pad: explicitPad(a.pad),
      dilations: [1, 1],
      dataFormat: "NHWC",
    })); // [N,Ho,Wo,F]
    return copyView(b, y, toChannelsFirst(y.shape));
  });
}

function forward(flip: boolean, attrsOf: (k: tf.TensorInfo, a: ConvAttrs) => ConvAttrs) {
  return ({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]) =>
    correlate(
      backend as unknown as WasmBackend,
      input(inputs, "x"),
      input(inputs, "k"),
      attrsOf(input(inputs, "k"), attrs as unknown as ConvAttrs),
      flip,
    );
}

registerKernelOnce({
  kernelName: FILT,
  backendName: "wasm",
  kernelFunc: forward(false, (_k, a) => a),
});
registerKernelOnce({
  kernelName: VALID,
  backendName: "wasm",
  kernelFunc: forward(true, (_k, a) => a),
});
registerKernelOnce({
  kernelName: FULL,
  backendName: "wasm",
  kernelFunc: forward(true, (k) => fullAttrs(k.shape)),
});

registerKernelOnce({
  kernelName: FILT_BACKPROP_INPUT,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = backend as unknown as WasmBackend;
    const dy = input(inputs, "dy"), k = input(inputs, "k");
    const a = attrs as unknown as ConvAttrs & { inputShape: number[] };
    const [, , kh, kw] = k.shape, [N, C, H, W] = a.inputShape;
    const [ph, pw] = a.pad;
    return withTemps(b, (temp) => {
      const dyh = temp(copyView(b, dy, toChannelsLast(dy.shape))); // [N,Ho,Wo,F]
      let dxh: tf.TensorInfo;
      if (a.stride[0] === 1 && a.stride[1] === 1 && ph < kh && pw < kw) {
        // dX = Σ_f K *full dY: correlate dY, padded by kernel−1−pad, with flip(K) as [kh,kw,F,C].
        const kt = temp(copyView(b, k, filterView(k.shape, true, true)));
        dxh = stock("Conv2D", b, { x: dyh, filter: kt }, {
          strides: [1, 1],
          pad: explicitPad([kh - 1 - ph, kw - 1 - pw]),
          dilations: [1, 1],
          dataFormat: "NHWC",
        });
      } else {
        // Strided: the stock transposed convolution does the dilation of dY for us.
        const kf = temp(copyView(b, k, filterView(k.shape, false, false)));
        dxh = stock("Conv2DBackpropInput", b, { dy: dyh, filter: kf }, {
          strides: a.stride,
          pad: explicitPad(a.pad),
          dataFormat: "NHWC",
          inputShape: [N, H, W, C],
        });
      }
      temp(dxh); // [N,H,W,C]
      return copyView(b, dxh, toChannelsFirst(dxh.shape));
    });
  },
});

registerKernelOnce({
  kernelName: FILT_BACKPROP_FILTER,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = backend as unknown as WasmBackend;
    const x = input(inputs, "x"), dy = input(inputs, "dy");
    const a = attrs as unknown as ConvAttrs & { kernelShape: number[] };
    const [F, C, kh, kw] = a.kernelShape;
    return withTemps(b, (temp) => {
      // The batch becomes the channel axis that the convolution sums over.
      const xs = stridesOf(x.shape), ys = stridesOf(dy.shape);
      const xt = temp(copyView(b, x, {
        shape: [x.shape[1], x.shape[2], x.shape[3], x.shape[0]],
        strides: [xs[1], xs[2], xs[3], xs[0]],
        offset: 0,
      })); // [C,H,W,N]
      const dyt = temp(copyView(b, dy, {
        shape: [dy.shape[2], dy.shape[3], dy.shape[0], dy.shape[1]],
        strides: [ys[2], ys[3], ys[0], ys[1]],
        offset: 0,
      })); // [Ho,Wo,N,F]
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
