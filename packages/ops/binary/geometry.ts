/**
 * What the binary conv kernels of every backend share: the kernel's name and attributes, its
 * geometry, argument checks, and the step that turns a +1-padded result into a zero-padded one.
 *
 * @module
 */
import { checkOperand, toPair } from "../conv/options.ts";
import { geometry } from "../conv/geometry.ts";
import type { Geometry } from "../conv/loops.ts";
import { popcount32, wordsFor } from "./pack.ts";

/**
 * Kernel `ConvgradBinaryConv2D`: inputs `{x, w}` with `x [N,C,H,W]` float32 (read as signs) and
 * either `w [F,kh,kw,⌈C/32⌉]` int32, packed weight bits, or `w [F,C,kh,kw]` float32 (read as
 * signs, packed by the kernel); attrs {@linkcode BinaryConvAttrs}. Output `[N,F,Ho,Wo]` float32,
 * integer-valued.
 */
export const BINARY_CONV2D = "ConvgradBinaryConv2D";

/** Options of the binary convolutions. */
export interface BinaryConvOptions {
  /** Step between output positions, `>= 1`, a number or `[h, w]`. Default 1. */
  stride?: number | [number, number];
  /** Rows/columns added on each side of the input, `>= 0`, a number or `[h, w]`. Default 0. */
  pad?: number | [number, number];
  /**
   * What the padding holds. `0` (default): zeros, so the result equals `filt` with the same
   * `pad`; the kernels pad with +1 and subtract what those +1s added at the border (as Larq
   * does), so the inner loop stays branch-free. `1`: +1, i.e. `filt` of the input padded with
   * ones; skips that correction.
   */
  padValue?: 0 | 1;
}

/** The attributes of the binary conv kernel, already validated. */
export interface BinaryConvAttrs {
  stride: [number, number];
  pad: [number, number];
  padValue: 0 | 1;
}

/** Sizes of one binary convolution: the float convolution's, plus the packing's. */
export interface BinaryGeometry extends Geometry {
  /** Words per pixel: ⌈C/32⌉. */
  cw: number;
  /** Signs per output: C·kh·kw; the dot product is K − 2·popcount. */
  K: number;
}

/** The geometry from x `[N,C,H,W]` and the kernel's `w`, packed or not (see BINARY_CONV2D). */
export function binaryGeometry(
  xShape: readonly number[],
  w: { shape: readonly number[]; dtype: string },
  a: BinaryConvAttrs,
): BinaryGeometry {
  const C = xShape[1];
  const [F, kh, kw] = w.dtype === "int32" ? w.shape : [w.shape[0], w.shape[2], w.shape[3]];
  return { ...geometry(xShape, [F, C, kh, kw], a), cw: wordsFor(C), K: C * kh * kw };
}

/**
 * Validates `x [N,C,H,W]` against weights of (unpacked) shape `[F,C,kh,kw]` and the options;
 * returns the kernel attributes.
 */
export function checkBinaryConv(
  op: string,
  x: unknown,
  wShape: readonly number[],
  opts: BinaryConvOptions,
): BinaryConvAttrs {
  const xt = checkOperand(op, "x", x, "[N,C,H,W]");
  if (opts === null || typeof opts !== "object") {
    throw new TypeError(`${op}: options must be an object, got ${JSON.stringify(opts)}`);
  }
  const stride = toPair(op, "stride", opts.stride, 1, 1);
  const pad = toPair(op, "pad", opts.pad, 0, 0);
  const padValue = opts.padValue ?? 0;
  if (padValue !== 0 && padValue !== 1) {
    throw new RangeError(`${op}: padValue must be 0 or 1, got ${JSON.stringify(opts.padValue)}`);
  }
  const [, C, H, W] = xt.shape, [, WC, kh, kw] = wShape;
  if (WC !== C) {
    throw new RangeError(
      `${op}: channel mismatch: x [N,C,H,W] has C=${C} but the weights [F,C,kh,kw] have C=${WC}`,
    );
  }
  if (C === 0 || H === 0 || W === 0 || kh === 0 || kw === 0) {
    throw new RangeError(
      `${op}: no channels or empty spatial size: x [${xt.shape}], weights [${wShape}]`,
    );
  }
  if (kh > H + 2 * pad[0] || kw > W + 2 * pad[1]) {
    throw new RangeError(
      `${op}: kernel ${kh}x${kw} is larger than the padded input ` +
        `${H + 2 * pad[0]}x${W + 2 * pad[1]} (x [${xt.shape}], pad [${pad}])`,
    );
  }
  return { stride, pad, padValue };
}

/** Set bits (−1s) of each group of `cw` words: per filter tap, `[F·kh·kw]` from `[F,kh,kw,cw]`. */
export function tapPopcounts(w: ArrayLike<number>, groups: number, cw: number): Int32Array {
  const counts = new Int32Array(groups);
  for (let t = 0; t < groups; t++) {
    for (let k = 0; k < cw; k++) counts[t] += popcount32(w[t * cw + k]);
  }
  return counts;
}

/** Taps of a window starting at `start` that fall before (`< 0`) and after (`>= size`) the input. */
const cutBefore = (start: number, k: number) => Math.min(k, Math.max(0, -start));
const cutAfter = (start: number, k: number, size: number) =>
  Math.min(k, Math.max(0, start + k - size));

/** Σ over the taps outside a window cut by (top, bottom, left, right) of `C − 2·ones`, per filter. */
function cutCorrection(
  ones: Int32Array,
  g: BinaryGeometry,
  top: number,
  bottom: number,
  left: number,
  right: number,
): Int32Array {
  const { F, C, kh, kw } = g, taps = kh * kw;
  const c = new Int32Array(F);
  for (let p = 0; p < kh; p++) {
    const rowOut = p < top || p >= kh - bottom;
    for (let q = 0; q < kw; q++) {
      if (!rowOut && q >= left && q < kw - right) continue;
      for (let f = 0, t = p * kw + q; f < F; f++, t += taps) c[f] += C - 2 * ones[t];
    }
  }
  return c;
}

/**
 * Turns `y [N,F,Ho,Wo]`, computed with +1 padding, into the zero-padded result: a +1 under tap
 * (p, q) of filter f added `Σ_c w[f,c,p,q] = C − 2·ones[f,p,q]`, so each output whose window
 * overlaps the padding loses exactly those terms. Outputs whose windows are cut the same way (the
 * same edge or corner) share one correction per filter, so this costs a pass over the border
 * outputs only.
 *
 * @param ones the −1s of each filter tap, `[F,kh,kw]` (see {@linkcode tapPopcounts})
 */
export function removeOnePadding(y: Float32Array, ones: Int32Array, g: BinaryGeometry): void {
  const { N, F, H, W, kh, kw, sh, sw, ph, pw, Ho, Wo } = g;
  if (ph === 0 && pw === 0) return;
  const plane = Ho * Wo;
  const cache: Int32Array[] = []; // by cut: (kh+1)²(kw+1)² at most
  // columns jLo <= j < jHi have windows inside the input horizontally
  const jLo = Math.min(Wo, Math.ceil(pw / sw));
  const jHi = Math.max(jLo, Math.min(Wo, Math.floor((W + pw - kw) / sw) + 1));
  for (let i = 0; i < Ho; i++) {
    const top = cutBefore(i * sh - ph, kh), bottom = cutAfter(i * sh - ph, kh, H);
    const rowCut = top + bottom > 0;
    for (let j = 0; j < Wo; j++) {
      if (!rowCut && j === jLo) j = jHi; // skip the interior
      if (j === Wo) break;
      const left = cutBefore(j * sw - pw, kw), right = cutAfter(j * sw - pw, kw, W);
      const key = ((top * (kh + 1) + bottom) * (kw + 1) + left) * (kw + 1) + right;
      const c = cache[key] ??= cutCorrection(ones, g, top, bottom, left, right);
      for (let n = 0; n < N; n++) {
        for (let f = 0, o = n * F * plane + i * Wo + j; f < F; f++, o += plane) y[o] -= c[f];
      }
    }
  }
}
