/**
 * The float64 oracle of the stock-named kernels: stock's NHWC conv and depthwise conv mapped onto
 * our NCHW {@linkcode filtRef} / {@linkcode filtGradRef} (asymmetric padding as explicit zero
 * rows, a depthwise filter as an ordinary one that is zero off its diagonal blocks), and plain
 * loops for max-pooling, segment sums and tiling. Derivation: `docs/stock-kernels.md`.
 *
 * @module
 */
import { type Array4, filtGradRef, filtRef, zeros4 } from "../conv/reference.ts";

type Shape4 = [number, number, number, number];

/** Stride and the four paddings of a stock NHWC convolution or pooling. */
export interface StockGeometry {
  stride: [number, number];
  /** Zero rows above, below; columns left, right. */
  pad: { top: number; bottom: number; left: number; right: number };
}

/** Gradients of `Σ dy ⊙ y` with respect to the input and the filter. */
export interface ConvGrads {
  y: Float64Array;
  dx: Float64Array;
  dw: Float64Array;
}

/** x [N,H,W,C] → zero-padded NCHW [N,C,H+top+bottom,W+left+right]. */
function paddedNchw(x: ArrayLike<number>, [N, H, W, C]: Shape4, g: StockGeometry): Array4 {
  const { top, bottom, left, right } = g.pad;
  const Hp = H + top + bottom, Wp = W + left + right;
  const out = zeros4([N, C, Hp, Wp]);
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      for (let w = 0; w < W; w++) {
        for (let c = 0; c < C; c++) {
          out.data[((n * C + c) * Hp + h + top) * Wp + w + left] = x[((n * H + h) * W + w) * C + c];
        }
      }
    }
  }
  return out;
}

/** NCHW [N,C,H,W] → NHWC, cropping `top`/`left` rows/columns off and keeping `H`×`W`. */
function croppedNhwc(a: Array4, H: number, W: number, top = 0, left = 0): Float64Array {
  const [N, C, Ha, Wa] = a.shape, out = new Float64Array(N * H * W * C);
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      for (let w = 0; w < W; w++) {
        for (let c = 0; c < C; c++) {
          out[((n * H + h) * W + w) * C + c] = a.data[((n * C + c) * Ha + h + top) * Wa + w + left];
        }
      }
    }
  }
  return out;
}

/** The shared core: a stock NHWC conv whose NCHW kernel `k` is [F,C,kh,kw]. */
function convByFilt(
  x: ArrayLike<number>,
  xShape: Shape4,
  k: Array4,
  dy: ArrayLike<number>,
  g: StockGeometry,
): { y: Float64Array; dx: Float64Array; dk: Array4 } {
  const [N, H, W] = xShape, F = k.shape[0];
  const xp = paddedNchw(x, xShape, g);
  const y = filtRef(xp, k, { stride: g.stride });
  const [, , Ho, Wo] = y.shape;
  const dyN = paddedNchw(dy, [N, Ho, Wo, F], { stride: [1, 1], pad: zeroPad });
  const { dx, dk } = filtGradRef(xp, k, dyN, { stride: g.stride });
  return { y: croppedNhwc(y, Ho, Wo), dx: croppedNhwc(dx, H, W, g.pad.top, g.pad.left), dk };
}

const zeroPad = { top: 0, bottom: 0, left: 0, right: 0 };

/**
 * `tf.conv2d(x, w)` (NHWC, filter [kh,kw,C,F]) and the gradients of `Σ dy ⊙ y`, in float64.
 *
 * @example
 * ```ts
 * import { conv2dRef } from "./reference.ts";
 * const g = { stride: [1, 1] as [number, number], pad: { top: 0, bottom: 0, left: 0, right: 0 } };
 * conv2dRef([1, 2, 3], [1, 1, 3, 1], [1, -1], [1, 2, 1, 1], [1, 1], g).dw; // [3, 5]
 * ```
 */
export function conv2dRef(
  x: ArrayLike<number>,
  xShape: Shape4,
  w: ArrayLike<number>,
  wShape: Shape4,
  dy: ArrayLike<number>,
  g: StockGeometry,
): ConvGrads {
  const [kh, kw, C, F] = wShape;
  const k = zeros4([F, C, kh, kw]);
  for (let p = 0; p < kh; p++) {
    for (let q = 0; q < kw; q++) {
      for (let c = 0; c < C; c++) {
        for (let f = 0; f < F; f++) {
          k.data[((f * C + c) * kh + p) * kw + q] = w[((p * kw + q) * C + c) * F + f];
        }
      }
    }
  }
  const r = convByFilt(x, xShape, k, dy, g);
  const dw = new Float64Array(kh * kw * C * F);
  for (let p = 0; p < kh; p++) {
    for (let q = 0; q < kw; q++) {
      for (let c = 0; c < C; c++) {
        for (let f = 0; f < F; f++) {
          dw[((p * kw + q) * C + c) * F + f] = r.dk.data[((f * C + c) * kh + p) * kw + q];
        }
      }
    }
  }
  return { y: r.y, dx: r.dx, dw };
}

/**
 * `tf.depthwiseConv2d(x, w)` (NHWC, filter [kh,kw,C,mult], output channel c·mult+m) and the
 * gradients of `Σ dy ⊙ y`, in float64: the ordinary conv whose kernel is `w` on the diagonal
 * blocks (output channel c·mult+m reads input channel c only) and zero elsewhere.
 *
 * @example
 * ```ts
 * import { depthwiseRef } from "./reference.ts";
 * const g = { stride: [1, 1] as [number, number], pad: { top: 0, bottom: 0, left: 0, right: 0 } };
 * depthwiseRef([1, 2], [1, 1, 1, 2], [3, 4], [1, 1, 2, 1], [1, 1], g).y; // [3, 8]
 * ```
 */
export function depthwiseRef(
  x: ArrayLike<number>,
  xShape: Shape4,
  w: ArrayLike<number>,
  wShape: Shape4,
  dy: ArrayLike<number>,
  g: StockGeometry,
): ConvGrads {
  const [kh, kw, C, mult] = wShape, F = C * mult;
  const k = zeros4([F, C, kh, kw]);
  const tap = (p: number, q: number, c: number, m: number) => ((p * kw + q) * C + c) * mult + m;
  for (let c = 0; c < C; c++) {
    for (let m = 0; m < mult; m++) {
      for (let p = 0; p < kh; p++) {
        for (let q = 0; q < kw; q++) {
          k.data[(((c * mult + m) * C + c) * kh + p) * kw + q] = w[tap(p, q, c, m)];
        }
      }
    }
  }
  const r = convByFilt(x, xShape, k, dy, g);
  const dw = new Float64Array(kh * kw * F);
  for (let c = 0; c < C; c++) {
    for (let m = 0; m < mult; m++) {
      for (let p = 0; p < kh; p++) {
        for (let q = 0; q < kw; q++) {
          dw[tap(p, q, c, m)] = r.dk.data[(((c * mult + m) * C + c) * kh + p) * kw + q];
        }
      }
    }
  }
  return { y: r.y, dx: r.dx, dw };
}

/**
 * `tf.maxPool(x)` (NHWC, window kh×kw) and its gradient in float64: each window's value and
 * gradient at its first maximum in row-major order, padding excluded.
 *
 * @example
 * ```ts
 * import { maxPoolRef } from "./reference.ts";
 * const g = { stride: [2, 2] as [number, number], pad: { top: 0, bottom: 0, left: 0, right: 0 } };
 * maxPoolRef([-3, -1, -2, -4], [1, 2, 2, 1], [2, 2], [1], g).dx; // [0, 1, 0, 0]
 * ```
 */
export function maxPoolRef(
  x: ArrayLike<number>,
  [N, H, W, C]: Shape4,
  [kh, kw]: [number, number],
  dy: ArrayLike<number>,
  g: StockGeometry,
): { y: Float64Array; dx: Float64Array } {
  const [sh, sw] = g.stride, { top, bottom, left, right } = g.pad;
  const Ho = Math.floor((H + top + bottom - kh) / sh) + 1;
  const Wo = Math.floor((W + left + right - kw) / sw) + 1;
  const y = new Float64Array(N * Ho * Wo * C), dx = new Float64Array(N * H * W * C);
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++) {
        for (let c = 0; c < C; c++) {
          let best = -1;
          for (let p = 0; p < kh; p++) {
            for (let q = 0; q < kw; q++) {
              const r = i * sh + p - top, s = j * sw + q - left;
              if (r < 0 || r >= H || s < 0 || s >= W) continue;
              const a = ((n * H + r) * W + s) * C + c;
              if (best < 0 || x[a] > x[best]) best = a;
            }
          }
          const o = ((n * Ho + i) * Wo + j) * C + c;
          y[o] = x[best];
          dx[best] += dy[o];
        }
      }
    }
  }
  return { y, dx };
}

/**
 * `tf.unsortedSegmentSum(x, ids, numSegments)` over x's first axis, in float64; ids outside
 * [0, numSegments) are dropped.
 *
 * @example
 * ```ts
 * import { segmentSumRef } from "./reference.ts";
 * segmentSumRef([1, 2, 3], [3, 1], [1, 1, 0], 2); // [3, 3]
 * ```
 */
export function segmentSumRef(
  x: ArrayLike<number>,
  xShape: readonly number[],
  ids: ArrayLike<number>,
  numSegments: number,
): Float64Array {
  const inner = xShape.slice(1).reduce((p, s) => p * s, 1);
  const out = new Float64Array(numSegments * inner);
  for (let m = 0; m < xShape[0]; m++) {
    const k = ids[m];
    if (k < 0 || k >= numSegments) continue;
    for (let e = 0; e < inner; e++) out[k * inner + e] += x[m * inner + e];
  }
  return out;
}

/** A stock padding option: 'same', 'valid', a number for every side, or explicit NHWC pairs. */
export type StockPad = "same" | "valid" | number | [
  [0, 0],
  [number, number],
  [number, number],
  [0, 0],
];

/**
 * The four paddings stock TF.js uses for `pad` on an `H`×`W` input with a `kh`×`kw` window and
 * `stride` (our own statement of its 'same' rule: pad just enough that the output is
 * ⌈size/stride⌉, the odd row or column at the bottom/right).
 *
 * @example
 * ```ts
 * import { stockGeometry } from "./reference.ts";
 * stockGeometry("same", [8, 8], [3, 3], [2, 2]).pad; // { top: 0, bottom: 1, left: 0, right: 1 }
 * ```
 */
export function stockGeometry(
  pad: StockPad,
  [H, W]: [number, number],
  [kh, kw]: [number, number],
  stride: [number, number],
): StockGeometry {
  if (pad === "same") {
    const total = (size: number, k: number, s: number) =>
      Math.max((Math.ceil(size / s) - 1) * s + k - size, 0);
    const th = total(H, kh, stride[0]), tw = total(W, kw, stride[1]);
    const top = Math.floor(th / 2), left = Math.floor(tw / 2);
    return { stride, pad: { top, bottom: th - top, left, right: tw - left } };
  }
  if (pad === "valid") return { stride, pad: { ...zeroPad } };
  if (typeof pad === "number") {
    return { stride, pad: { top: pad, bottom: pad, left: pad, right: pad } };
  }
  const [, [top, bottom], [left, right]] = pad;
  return { stride, pad: { top, bottom, left, right } };
}

/**
 * `tf.tile(x, reps)` in float64: `out[o] = x[o mod shape]` along every axis.
 *
 * @example
 * ```ts
 * import { tileRef } from "./reference.ts";
 * tileRef([1, 2], [1, 2], [2, 2]); // [1, 2, 1, 2, 1, 2, 1, 2]
 * ```
 */
export function tileRef(x: ArrayLike<number>, shape: number[], reps: number[]): Float64Array {
  const outShape = shape.map((s, i) => s * reps[i]);
  const n = outShape.reduce((a, b) => a * b, 1), out = new Float64Array(n);
  for (let o = 0; o < n; o++) {
    let rest = o, i = 0, stride = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      const od = rest % outShape[d];
      rest = Math.floor(rest / outShape[d]);
      i += (od % shape[d]) * stride;
      stride *= shape[d];
    }
    out[o] = x[i];
  }
  return out;
}
