/**
 * Sequential minimal optimisation for the SVM dual (Platt; the working-set selection and update
 * of LIBSVM, Fan, Chen and Lin 2005): two multipliers at a time, chosen by second-order gain,
 * with the kernel matrix never formed, only its columns, kept in an LRU cache.
 *
 * Dual in LIBSVM's form: `min ½ αᵀQα − eᵀα`, `Q_ij = y_i y_j K_ij`, `0 ≤ α ≤ C`, `yᵀα = 0`.
 *
 * @module
 */
import type { KernelFn } from "./kernels.ts";

/** What {@linkcode smo} returns. */
export interface SMOResult {
  alpha: Float64Array;
  /** `Qα − e`, the dual objective's gradient at `alpha`. */
  grad: Float64Array;
  iterations: number;
  /** Kernel columns computed (cache misses). */
  columns: number;
}

/** Options of {@linkcode smo}. */
export interface SMOOptions {
  /** Stop when the maximal violating pair's gap is below this. Default 1e-5. */
  tol?: number;
  /** Kernel cache size in bytes. Default 256 MiB. */
  cacheBytes?: number;
  /** Default max(10⁷, 100 n). */
  maxIterations?: number;
}

/** The non-positive curvature substitute of LIBSVM. */
const TAU = 1e-12;

/**
 * Solves the dual by SMO.
 *
 * @example
 * ```ts
 * import { smo } from "@convgrad/svm";
 * const X = [[0, 0], [2, 2]], y = [-1, 1];
 * const { alpha } = smo(X, y, (a, b) => a[0] * b[0] + a[1] * b[1], 10); // [0.25, 0.25]
 * ```
 */
export function smo(
  X: ArrayLike<number>[],
  y: ArrayLike<number>,
  k: KernelFn,
  C: number,
  opts: SMOOptions = {},
): SMOResult {
  const n = X.length, tol = opts.tol ?? 1e-5;
  const maxIterations = opts.maxIterations ?? Math.max(1e7, 100 * n);
  const capacity = Math.max(2, Math.floor((opts.cacheBytes ?? 256 * 2 ** 20) / (8 * n)));
  const cache = new Map<number, Float64Array>(); // insertion order = recency
  let columns = 0;
  const column = (i: number): Float64Array => {
    let c = cache.get(i);
    if (c) {
      cache.delete(i);
    } else {
      c = new Float64Array(n);
      for (let t = 0; t < n; t++) c[t] = k(X[i], X[t]);
      columns++;
      if (cache.size >= capacity) cache.delete(cache.keys().next().value!);
    }
    cache.set(i, c);
    return c;
  };
  const QD = Float64Array.from(X, (x) => k(x, x));
  const alpha = new Float64Array(n), G = new Float64Array(n).fill(-1);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    // i: the most violating index going up; j: second-order best partner going down.
    let Gmax = -Infinity, i = -1;
    for (let t = 0; t < n; t++) {
      if (y[t] === 1 ? alpha[t] < C : alpha[t] > 0) {
        const v = -y[t] * G[t];
        if (v >= Gmax) (Gmax = v), (i = t);
      }
    }
    if (i < 0) break;
    const Ki = column(i);
    let Gmax2 = -Infinity, j = -1, best = Infinity;
    for (let t = 0; t < n; t++) {
      if (y[t] === 1 ? alpha[t] > 0 : alpha[t] < C) {
        const v = y[t] * G[t];
        if (v >= Gmax2) Gmax2 = v;
        const b = Gmax + v;
        if (b > 0) {
          const a = QD[i] + QD[t] - 2 * Ki[t];
          const gain = -(b * b) / (a > 0 ? a : TAU);
          if (gain <= best) (best = gain), (j = t);
        }
      }
    }
    if (Gmax + Gmax2 < tol || j < 0) break;
    const Kj = column(j);
    const yi = y[i], yj = y[j], ai = alpha[i], aj = alpha[j];
    const quad = Math.max(QD[i] + QD[j] - 2 * Ki[j], TAU);
    if (yi !== yj) {
      const delta = (-G[i] - G[j]) / quad, diff = ai - aj;
      alpha[i] += delta;
      alpha[j] += delta;
      if (diff > 0 ? alpha[j] < 0 : alpha[i] < 0) {
        if (diff > 0) (alpha[j] = 0), (alpha[i] = diff);
        else (alpha[i] = 0), (alpha[j] = -diff);
      }
      if (diff > 0 ? alpha[i] > C : alpha[j] > C) {
        if (diff > 0) (alpha[i] = C), (alpha[j] = C - diff);
        else (alpha[j] = C), (alpha[i] = C + diff);
      }
    } else {
      const delta = (G[i] - G[j]) / quad, sum = ai + aj;
      alpha[i] -= delta;
      alpha[j] += delta;
      if (sum > C ? alpha[i] > C : alpha[j] < 0) {
        if (sum > C) (alpha[i] = C), (alpha[j] = sum - C);
        else (alpha[j] = 0), (alpha[i] = sum);
      }
      if (sum > C ? alpha[j] > C : alpha[i] < 0) {
        if (sum > C) (alpha[j] = C), (alpha[i] = sum - C);
        else (alpha[i] = 0), (alpha[j] = sum);
      }
    }
    // G += Q_:i Δα_i + Q_:j Δα_j, with Q_ti = y_t y_i K_ti.
    const di = (alpha[i] - ai) * yi, dj = (alpha[j] - aj) * yj;
    for (let t = 0; t < n; t++) G[t] += y[t] * (Ki[t] * di + Kj[t] * dj);
  }
  if (iterations >= maxIterations) {
    throw new Error(`smo: no convergence in ${maxIterations} iterations (tol ${tol})`);
  }
  return { alpha, grad: G, iterations, columns };
}
