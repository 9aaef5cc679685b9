/**
 * The float64 oracle for ABC-Net, straight from the definitions: the full `n × M` basis matrix
 * (no bin reduction), its minimum-norm least squares, each gradient rule's formula, and the
 * activation bases. Slow on purpose; the ops are tested against it.
 *
 * @module
 */
import type { AbcGradient } from "./abc_conv.ts";
import { basisShifts } from "./binarize.ts";
import { minNormSolver } from "./lstsq.ts";

/** The binarization of a flat weight vector in float64. */
export interface BinarizationRef {
  u: number[];
  /** `B_m`, each of w's length, ±1. */
  bases: Float64Array[];
  alpha: Float64Array;
  /** `P g = B B⁺ g`, the orthogonal projection onto span(B). */
  project(g: ArrayLike<number>): Float64Array;
}

/**
 * `B_m = sign(w − mean + u_m·std)` (population std, `sign(0) = +1`) and the minimum-norm
 * `α = B⁺ w`, with `B` the full `n × M` matrix.
 *
 * @example
 * ```ts
 * import { binarizeWeightsRef } from "@convgrad/ops/abc-reference";
 * // Coinciding bases: four equal columns [1,−1] and one [1,1]; min-norm α = [¼,¼,¼,¼,0].
 * binarizeWeightsRef([1, -1], 5).alpha;
 * ```
 */
export function binarizeWeightsRef(w: ArrayLike<number>, M: number): BinarizationRef {
  const u = basisShifts(M), n = w.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += w[i] / n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (w[i] - mean) ** 2 / n;
  const std = Math.sqrt(variance);
  const bases = u.map((um) => Float64Array.from(w, (wi) => (wi - mean + um * std >= 0 ? 1 : -1)));
  const A = new Float64Array(n * M); // row-major n × M
  bases.forEach((b, m) => b.forEach((v, i) => (A[i * M + m] = v)));
  const solver = minNormSolver(A, n, M);
  const project = (g: ArrayLike<number>) => {
    const c = solver.solve(g);
    return Float64Array.from(
      { length: n },
      (_, i) => bases.reduce((s, b, m) => s + c[m] * b[i], 0),
    );
  };
  return { u, bases, alpha: solver.solve(w), project };
}

/**
 * `Ŵ = Σ_m α_m B_m` in float64.
 *
 * @example
 * ```ts
 * import { abcWeightsRef } from "@convgrad/ops/abc-reference";
 * abcWeightsRef([1, -1], 5); // [1, -1]
 * ```
 */
export function abcWeightsRef(w: ArrayLike<number>, M: number): Float64Array {
  return binarizeWeightsRef(w, M).project(w);
}

/**
 * `∂c/∂W` under `rule`, from `g = ∂c/∂Ŵ` (flat, w's length), by the formulas of `abcConv2d`.
 *
 * @example
 * ```ts
 * import { abcWeightGradRef } from "@convgrad/ops/abc-reference";
 * abcWeightGradRef([0.9, -1.1, 0.2, -0.1], [1, 0, 0, 0], 2, "alpha_exact"); // [0.5, -0.5, 0, 0]
 * ```
 */
export function abcWeightGradRef(
  w: ArrayLike<number>,
  g: ArrayLike<number>,
  M: number,
  rule: AbcGradient,
): Float64Array {
  const b = binarizeWeightsRef(w, M);
  const s1 = b.alpha.reduce((s, a) => s + a, 0), s2 = b.alpha.reduce((s, a) => s + a * a, 0);
  const pg = b.project(g);
  const scaled = (f: number) => Float64Array.from(g, (v) => f * v);
  if (rule === "ste") return scaled(s1);
  if (rule === "paper_literal") return scaled(s2);
  if (rule === "alpha_exact") return pg;
  return scaled(s1).map((v, i) => v + pg[i]);
}

/**
 * `Σ_n β_n H_{v_n}(r)` with `H_v(r) = 2·[clip(r + v, 0, 1) ≥ 0.5] − 1`, literally.
 *
 * @example
 * ```ts
 * import { abcActivationRef } from "@convgrad/ops/abc-reference";
 * abcActivationRef([0.1, 0.4, 0.9], [0.25, -0.25], [0.5, 0.5]); // [-1, 0, 1]
 * ```
 */
export function abcActivationRef(
  r: ArrayLike<number>,
  v: ArrayLike<number>,
  beta: ArrayLike<number>,
): Float64Array {
  const clip = (s: number) => Math.min(1, Math.max(0, s));
  return Float64Array.from(r, (ri) => {
    let a = 0;
    for (let k = 0; k < v.length; k++) a += beta[k] * (clip(ri + v[k]) >= 0.5 ? 1 : -1);
    return a;
  });
}

/**
 * The straight-through gradients of `Σ dy ⊙ abcActivation(r, v, beta)`: `1[0 ≤ r + v ≤ 1]` for
 * `∂H/∂r` and `∂H/∂v`, exact for β.
 *
 * @example
 * ```ts
 * import { abcActivationGradRef } from "@convgrad/ops/abc-reference";
 * abcActivationGradRef([0.1, 1.5], [0], [2], [1, 1]); // { dr: [2, 0], dv: [2], dbeta: [0] }
 * ```
 */
export function abcActivationGradRef(
  r: ArrayLike<number>,
  v: ArrayLike<number>,
  beta: ArrayLike<number>,
  dy: ArrayLike<number>,
): { dr: Float64Array; dv: Float64Array; dbeta: Float64Array } {
  const N = v.length;
  const dr = new Float64Array(r.length), dv = new Float64Array(N), dbeta = new Float64Array(N);
  for (let i = 0; i < r.length; i++) {
    for (let k = 0; k < N; k++) {
      const s = r[i] + v[k];
      const inside = s >= 0 && s <= 1 ? 1 : 0;
      dr[i] += dy[i] * beta[k] * inside;
      dv[k] += dy[i] * beta[k] * inside;
      dbeta[k] += dy[i] * (Math.min(1, Math.max(0, s)) >= 0.5 ? 1 : -1);
    }
  }
  return { dr, dv, dbeta };
}
