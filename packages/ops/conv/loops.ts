/**
 * The three loop nests every conv kernel reduces to, on float32 arrays in NCHW. The cpu backend
 * runs them directly; they are also the fallback of the wasm kernels for shapes XNNPACK cannot take.
 * Each keeps its innermost loop over contiguous output columns so the JIT can keep it tight.
 *
 * @module
 */

/** Shapes and geometry of one strided, padded correlation. */
export interface Geometry {
  N: number;
  C: number;
  H: number;
  W: number;
  F: number;
  kh: number;
  kw: number;
  Ho: number;
  Wo: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
}

/** Range of output columns j whose input column j·sw+q−pw lies inside [0, W). */
function colRange(g: Geometry, q: number): [number, number] {
  const lo = Math.max(0, Math.ceil((g.pw - q) / g.sw));
  const hi = Math.min(g.Wo, Math.floor((g.W - 1 + g.pw - q) / g.sw) + 1);
  return [lo, hi];
}

/** y [N,F,Ho,Wo] = filt(x [N,C,H,W], k [F,C,kh,kw]); `flip` reads k spatially reversed. */
export function correlate(
  x: Float32Array,
  k: Float32Array,
  g: Geometry,
  flip: boolean,
): Float32Array {
  const { N, C, H, W, F, kh, kw, Ho, Wo, sh, sw, ph, pw } = g;
  const y = new Float32Array(N * F * Ho * Wo);
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      const yBase = (n * F + f) * Ho * Wo;
      for (let c = 0; c < C; c++) {
        const xBase = (n * C + c) * H * W;
        for (let p = 0; p < kh; p++) {
          for (let q = 0; q < kw; q++) {
            const kv = flip
              ? k[((f * C + c) * kh + kh - 1 - p) * kw + kw - 1 - q]
              : k[((f * C + c) * kh + p) * kw + q];
            const [jlo, jhi] = colRange(g, q);
            for (let i = 0; i < Ho; i++) {
              const h = i * sh + p - ph;
              if (h < 0 || h >= H) continue;
              const xRow = xBase + h * W + q - pw, yRow = yBase + i * Wo;
              for (let j = jlo; j < jhi; j++) y[yRow + j] += kv * x[xRow + j * sw];
            }
          }
        }
      }
    }
  }
  return y;
}

/** dX [N,C,H,W] of filt: every dY entry scattered back through the kernel taps it used. */
export function backpropInput(dy: Float32Array, k: Float32Array, g: Geometry): Float32Array {
  const { N, C, H, W, F, kh, kw, Ho, Wo, sh, sw, ph, pw } = g;
  const dx = new Float32Array(N * C * H * W);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const xBase = (n * C + c) * H * W;
      for (let f = 0; f < F; f++) {
        const yBase = (n * F + f) * Ho * Wo;
        for (let p = 0; p < kh; p++) {
          for (let q = 0; q < kw; q++) {
            const kv = k[((f * C + c) * kh + p) * kw + q];
            const [jlo, jhi] = colRange(g, q);
            for (let i = 0; i < Ho; i++) {
              const h = i * sh + p - ph;
              if (h < 0 || h >= H) continue;
              const xRow = xBase + h * W + q - pw, yRow = yBase + i * Wo;
              for (let j = jlo; j < jhi; j++) dx[xRow + j * sw] += kv * dy[yRow + j];
            }
          }
        }
      }
    }
  }
  return dx;
}

/** dK [F,C,kh,kw] of filt: for each tap, the dot product of dY with the input it multiplied. */
export function backpropFilter(x: Float32Array, dy: Float32Array, g: Geometry): Float32Array {
  const { N, C, H, W, F, kh, kw, Ho, Wo, sh, sw, ph, pw } = g;
  const dk = new Float32Array(F * C * kh * kw);
  for (let f = 0; f < F; f++) {
    for (let c = 0; c < C; c++) {
      for (let p = 0; p < kh; p++) {
        for (let q = 0; q < kw; q++) {
          const [jlo, jhi] = colRange(g, q);
          let s = 0;
          for (let n = 0; n < N; n++) {
            const xBase = (n * C + c) * H * W, yBase = (n * F + f) * Ho * Wo;
            for (let i = 0; i < Ho; i++) {
              const h = i * sh + p - ph;
              if (h < 0 || h >= H) continue;
              const xRow = xBase + h * W + q - pw, yRow = yBase + i * Wo;
              for (let j = jlo; j < jhi; j++) s += x[xRow + j * sw] * dy[yRow + j];
            }
          }
          dk[((f * C + c) * kh + p) * kw + q] = s;
        }
      }
    }
  }
  return dk;
}
