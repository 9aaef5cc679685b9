/**
 * The float64 oracle: every convolution and gradient as plain loops straight from the definitions
 * in `docs/convolutions.md`, plus the banded (Toeplitz) matrix form (same file). Slow on purpose;
 * every kernel is tested against it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { outSize } from "../checks.ts";

/** A rank-4 float64 array, row-major. */
export interface Array4 {
  data: Float64Array;
  shape: [number, number, number, number];
}

/** A dense row-major float64 matrix. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** Stride and padding as `[h, w]` pairs. */
export interface RefOptions {
  stride?: [number, number];
  pad?: [number, number];
}

/**
 * Creates a zero-filled {@linkcode Array4}.
 *
 * @example
 * ```ts
 * import { zeros4 } from "@convgrad/ops/reference";
 * zeros4([1, 1, 2, 2]).data.length; // 4
 * ```
 */
export function zeros4(shape: [number, number, number, number]): Array4 {
  return { data: new Float64Array(shape[0] * shape[1] * shape[2] * shape[3]), shape };
}

/**
 * Copies a rank-4 tensor into float64.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fromTensor } from "@convgrad/ops/reference";
 * fromTensor(tf.ones([1, 1, 2, 2])).shape; // [1, 1, 2, 2]
 * ```
 */
export function fromTensor(t: tf.Tensor): Array4 {
  if (t.rank !== 4) throw new RangeError(`fromTensor: t must have rank 4, got [${t.shape}]`);
  return { data: Float64Array.from(t.dataSync()), shape: t.shape as Array4["shape"] };
}

/**
 * Converts to a float32 tensor.
 *
 * @example
 * ```ts
 * import { toTensor, zeros4 } from "@convgrad/ops/reference";
 * toTensor(zeros4([1, 1, 2, 2])).dispose();
 * ```
 */
export function toTensor(a: Array4): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from(a.data), a.shape);
}

/**
 * `k` with both spatial axes reversed: `flip(k)[f,c,i,j] = k[f,c,kh-1-i,kw-1-j]`.
 *
 * @example
 * ```ts
 * import { flipRef } from "@convgrad/ops/reference";
 * flipRef({ data: Float64Array.of(1, 2), shape: [1, 1, 1, 2] }).data; // [2, 1]
 * ```
 */
export function flipRef(k: Array4): Array4 {
  const [F, C, kh, kw] = k.shape;
  const out = zeros4(k.shape);
  for (let f = 0; f < F; f++) {
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          out.data[((f * C + c) * kh + i) * kw + j] =
            k.data[((f * C + c) * kh + kh - 1 - i) * kw + kw - 1 - j];
        }
      }
    }
  }
  return out;
}

/** Index into an [A,B,H,W] array, or -1 outside the spatial bounds (zero padding). */
function at(a: Array4, i0: number, i1: number, h: number, w: number): number {
  const [, B, H, W] = a.shape;
  if (h < 0 || h >= H || w < 0 || w >= W) return -1;
  return ((i0 * B + i1) * H + h) * W + w;
}

/**
 * Cross-correlation `y[n,f,i,j] = Σ_c Σ_p Σ_q xpad[n,c,i·sh+p,j·sw+q] k[f,c,p,q]`.
 *
 * @example
 * ```ts
 * import { filtRef } from "@convgrad/ops/reference";
 * const x = { data: Float64Array.of(1, 2, 3), shape: [1, 1, 1, 3] as [1, 1, 1, 3] };
 * const k = { data: Float64Array.of(1, -1), shape: [1, 1, 1, 2] as [1, 1, 1, 2] };
 * filtRef(x, k).data; // [-1, -1]
 * ```
 */
export function filtRef(x: Array4, k: Array4, opts: RefOptions = {}): Array4 {
  const [sh, sw] = opts.stride ?? [1, 1];
  const [ph, pw] = opts.pad ?? [0, 0];
  const [N, C, H, W] = x.shape;
  const [F, , kh, kw] = k.shape;
  const Ho = outSize(H, kh, sh, ph), Wo = outSize(W, kw, sw, pw);
  const y = zeros4([N, F, Ho, Wo]);
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      for (let i = 0; i < Ho; i++) {
        for (let j = 0; j < Wo; j++) {
          let s = 0;
          for (let c = 0; c < C; c++) {
            for (let p = 0; p < kh; p++) {
              for (let q = 0; q < kw; q++) {
                const xi = at(x, n, c, i * sh + p - ph, j * sw + q - pw);
                if (xi >= 0) s += x.data[xi] * k.data[((f * C + c) * kh + p) * kw + q];
              }
            }
          }
          y.data[((n * F + f) * Ho + i) * Wo + j] = s;
        }
      }
    }
  }
  return y;
}

/**
 * True (valid) convolution: the kernel flipped, `valid(x, k) = filt(x, flip(k))`.
 *
 * @example
 * ```ts
 * import { validRef } from "@convgrad/ops/reference";
 * const x = { data: Float64Array.of(1, 2, 3), shape: [1, 1, 1, 3] as [1, 1, 1, 3] };
 * const k = { data: Float64Array.of(1, -1), shape: [1, 1, 1, 2] as [1, 1, 1, 2] };
 * validRef(x, k).data; // [1, 1]
 * ```
 */
export function validRef(x: Array4, k: Array4, opts: RefOptions = {}): Array4 {
  return filtRef(x, flipRef(k), opts);
}

/**
 * Full convolution, straight from its definition (`docs/convolutions.md`, "full"):
 * `y[n,f,i,j] = Σ_c Σ_{m,l} x[n,c,m,l] k[f,c,i-m,j-l]` over all overlaps; `[N,F,H+kh-1,W+kw-1]`.
 *
 * @example
 * ```ts
 * import { fullRef } from "@convgrad/ops/reference";
 * const x = { data: Float64Array.of(1, 2), shape: [1, 1, 1, 2] as [1, 1, 1, 2] };
 * const k = { data: Float64Array.of(1, 1), shape: [1, 1, 1, 2] as [1, 1, 1, 2] };
 * fullRef(x, k).data; // [1, 3, 2]
 * ```
 */
export function fullRef(x: Array4, k: Array4): Array4 {
  const [N, C, H, W] = x.shape;
  const [F, , kh, kw] = k.shape;
  const y = zeros4([N, F, H + kh - 1, W + kw - 1]);
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      for (let c = 0; c < C; c++) {
        for (let m = 0; m < H; m++) {
          for (let l = 0; l < W; l++) {
            const xv = x.data[((n * C + c) * H + m) * W + l];
            for (let p = 0; p < kh; p++) {
              for (let q = 0; q < kw; q++) {
                y.data[((n * F + f) * (H + kh - 1) + m + p) * (W + kw - 1) + l + q] += xv *
                  k.data[((f * C + c) * kh + p) * kw + q];
              }
            }
          }
        }
      }
    }
  }
  return y;
}

/**
 * Gradients of `L = Σ dy ⊙ filt(x, k)` by the chain rule applied to {@linkcode filtRef}'s loops,
 * one term at a time (no convolution identities used, so it checks them).
 *
 * @example
 * ```ts
 * import { filtGradRef } from "@convgrad/ops/reference";
 * const x = { data: Float64Array.of(1, 2, 3), shape: [1, 1, 1, 3] as [1, 1, 1, 3] };
 * const k = { data: Float64Array.of(1, -1), shape: [1, 1, 1, 2] as [1, 1, 1, 2] };
 * const dy = { data: Float64Array.of(1, 1), shape: [1, 1, 1, 2] as [1, 1, 1, 2] };
 * filtGradRef(x, k, dy).dk.data; // [3, 5]
 * ```
 */
export function filtGradRef(
  x: Array4,
  k: Array4,
  dy: Array4,
  opts: RefOptions = {},
): { dx: Array4; dk: Array4 } {
  const [sh, sw] = opts.stride ?? [1, 1];
  const [ph, pw] = opts.pad ?? [0, 0];
  const [N, C] = x.shape;
  const [F, , kh, kw] = k.shape;
  const [, , Ho, Wo] = dy.shape;
  const dx = zeros4(x.shape), dk = zeros4(k.shape);
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      for (let i = 0; i < Ho; i++) {
        for (let j = 0; j < Wo; j++) {
          const g = dy.data[((n * F + f) * Ho + i) * Wo + j];
          for (let c = 0; c < C; c++) {
            for (let p = 0; p < kh; p++) {
              for (let q = 0; q < kw; q++) {
                const xi = at(x, n, c, i * sh + p - ph, j * sw + q - pw);
                if (xi < 0) continue;
                const ki = ((f * C + c) * kh + p) * kw + q;
                dx.data[xi] += g * k.data[ki];
                dk.data[ki] += g * x.data[xi];
              }
            }
          }
        }
      }
    }
  }
  return { dx, dk };
}

/**
 * Gradients of `Σ dy ⊙ valid(x, k)`: those of filt with the kernel flipped, and dk flipped back.
 *
 * @example
 * ```ts
 * import { validGradRef } from "@convgrad/ops/reference";
 * const x = { data: Float64Array.of(1, 2, 3), shape: [1, 1, 1, 3] as [1, 1, 1, 3] };
 * const k = { data: Float64Array.of(1, -1), shape: [1, 1, 1, 2] as [1, 1, 1, 2] };
 * const dy = { data: Float64Array.of(1, 1), shape: [1, 1, 1, 2] as [1, 1, 1, 2] };
 * validGradRef(x, k, dy).dk.data; // [5, 3]
 * ```
 */
export function validGradRef(
  x: Array4,
  k: Array4,
  dy: Array4,
  opts: RefOptions = {},
): { dx: Array4; dk: Array4 } {
  const { dx, dk } = filtGradRef(x, flipRef(k), dy, opts);
  return { dx, dk: flipRef(dk) };
}

/**
 * Gradients of `Σ dy ⊙ full(x, k)`, differentiating {@linkcode fullRef}'s loops term by term.
 *
 * @example
 * ```ts
 * import { fullGradRef } from "@convgrad/ops/reference";
 * const x = { data: Float64Array.of(1, 2), shape: [1, 1, 1, 2] as [1, 1, 1, 2] };
 * const k = { data: Float64Array.of(1, 1), shape: [1, 1, 1, 2] as [1, 1, 1, 2] };
 * const dy = { data: Float64Array.of(1, 0, 0), shape: [1, 1, 1, 3] as [1, 1, 1, 3] };
 * fullGradRef(x, k, dy).dk.data; // [1, 0]
 * ```
 */
export function fullGradRef(x: Array4, k: Array4, dy: Array4): { dx: Array4; dk: Array4 } {
  const [N, C, H, W] = x.shape;
  const [F, , kh, kw] = k.shape;
  const Wy = W + kw - 1, Hy = H + kh - 1;
  const dx = zeros4(x.shape), dk = zeros4(k.shape);
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      for (let c = 0; c < C; c++) {
        for (let m = 0; m < H; m++) {
          for (let l = 0; l < W; l++) {
            const xi = ((n * C + c) * H + m) * W + l;
            for (let p = 0; p < kh; p++) {
              for (let q = 0; q < kw; q++) {
                const g = dy.data[((n * F + f) * Hy + m + p) * Wy + l + q];
                const ki = ((f * C + c) * kh + p) * kw + q;
                dx.data[xi] += g * k.data[ki];
                dk.data[ki] += g * x.data[xi];
              }
            }
          }
        }
      }
    }
  }
  return { dx, dk };
}

/**
 * The 1-D filtering matrix (`docs/convolutions.md`): `(A_w x)_i = Σ_j w_j x_{i+j}`, a Toeplitz
 * (banded) `(n-f+1) × n` matrix with `w` on each row, shifted one column per row.
 *
 * @example
 * ```ts
 * import { convMatrix1d } from "@convgrad/ops/reference";
 * convMatrix1d(Float64Array.of(1, 2), 3).data; // [1, 2, 0, 0, 1, 2]
 * ```
 */
export function convMatrix1d(w: Float64Array, n: number): Matrix {
  if (!Number.isInteger(n) || n < w.length || w.length === 0) {
    throw new RangeError(
      `convMatrix1d: n must be an integer >= w.length (${w.length}) > 0, got ${n}`,
    );
  }
  const rows = n - w.length + 1;
  const A: Matrix = { rows, cols: n, data: new Float64Array(rows * n) };
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < w.length; j++) A.data[i * n + i + j] = w[j];
  }
  return A;
}

/**
 * The 2-D multi-channel filtering matrix for one image: `vec(filt(x, k)) = A_k vec(x)` with
 * `A_k` of size `(F·Ho·Wo) × (C·H·W)`. Its transpose maps `vec(dy)` to `vec(dx)`.
 *
 * @example
 * ```ts
 * import { convMatrix } from "@convgrad/ops/reference";
 * const k = { data: Float64Array.of(1, 2), shape: [1, 1, 1, 2] as [1, 1, 1, 2] };
 * convMatrix(k, [1, 1, 3]).data; // [1, 2, 0, 0, 1, 2]
 * ```
 */
export function convMatrix(
  k: Array4,
  inputShape: [number, number, number],
  opts: RefOptions = {},
): Matrix {
  const [sh, sw] = opts.stride ?? [1, 1];
  const [ph, pw] = opts.pad ?? [0, 0];
  const [C, H, W] = inputShape;
  const [F, KC, kh, kw] = k.shape;
  if (KC !== C) throw new RangeError(`convMatrix: k has C=${KC}, inputShape has C=${C}`);
  const Ho = outSize(H, kh, sh, ph), Wo = outSize(W, kw, sw, pw);
  const A: Matrix = { rows: F * Ho * Wo, cols: C * H * W, data: new Float64Array(0) };
  A.data = new Float64Array(A.rows * A.cols);
  for (let f = 0; f < F; f++) {
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++) {
        const row = (f * Ho + i) * Wo + j;
        for (let c = 0; c < C; c++) {
          for (let p = 0; p < kh; p++) {
            for (let q = 0; q < kw; q++) {
              const h = i * sh + p - ph, w = j * sw + q - pw;
              if (h < 0 || h >= H || w < 0 || w >= W) continue;
              A.data[row * A.cols + (c * H + h) * W + w] += k.data[((f * C + c) * kh + p) * kw + q];
            }
          }
        }
      }
    }
  }
  return A;
}

/**
 * `A v`, or `Aᵀ v` when `transpose` is set.
 *
 * @example
 * ```ts
 * import { convMatrix1d, matVec } from "@convgrad/ops/reference";
 * matVec(convMatrix1d(Float64Array.of(1, 2), 3), Float64Array.of(1, 1, 1)); // [3, 3]
 * ```
 */
export function matVec(A: Matrix, v: Float64Array, transpose = false): Float64Array {
  if (v.length !== (transpose ? A.rows : A.cols)) {
    throw new RangeError(
      `matVec: v has length ${v.length}, expected ${transpose ? A.rows : A.cols}`,
    );
  }
  const out = new Float64Array(transpose ? A.cols : A.rows);
  for (let r = 0; r < A.rows; r++) {
    for (let c = 0; c < A.cols; c++) {
      const a = A.data[r * A.cols + c];
      if (transpose) out[c] += a * v[r];
      else out[r] += a * v[c];
    }
  }
  return out;
}
