/**
 * Zero padding for the binary conv kernels, which pad with +1 so that their inner loops stay
 * branch-free: the per-tap popcounts of the weights and the step that turns a +1-padded result
 * into the zero-padded one.
 *
 * @module
 */
import type { BinaryGeometry } from "./options.ts";
import { popcount32 } from "./pack.ts";

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
