/**
 * The kernel-SVM dual as a cvxopt-style QP, and a cvxopt-style solver over the npm `quadprog`
 * package (Goldfarb–Idnani) that never returns an unchecked point.
 *
 * @module
 */
import quadprog from "quadprog";
import { kernelMatrix, type KernelSpec, KernelTable, resolveKernel } from "./kernels.ts";
import { checkC, checkX, checkY } from "./validate.ts";

/** `min ½ vᵀPv + qᵀv  s.t.  Gv ≤ h, Av = b`, dense, row-major arrays of rows. */
export interface QP {
  /** The quadratic term, n x n, symmetric positive semidefinite. */
  P: number[][];
  /** The linear term, n. */
  q: number[];
  /** Inequality constraints' rows, m x n. */
  G: number[][];
  /** Their right-hand sides, m. */
  h: number[];
  /** Equality constraints' rows, p x n. */
  A: number[][];
  /** Their right-hand sides, p. */
  b: number[];
}

/**
 * The SVM dual (`docs/svm-dual.md`) as a QP in cvxopt's form `min ½ vᵀPv + qᵀv, Gv ≤ h, Av = b`.
 *
 * Derivation. The soft-margin primal is `min_{w,b,ξ} ½‖w‖² + C Σ ξ_n` subject to
 * `y_n (wᵀφ(x_n) + b) ≥ 1 − ξ_n` and `ξ_n ≥ 0`. With multipliers `α_n ≥ 0`, `μ_n ≥ 0` for the two
 * constraint families, the Lagrangian's stationarity gives `w = Σ α_n y_n φ(x_n)` (∂/∂w),
 * `Σ α_n y_n = 0` (∂/∂b) and `C − α_n − μ_n = 0` (∂/∂ξ_n, so `α_n ≤ C` as `μ_n ≥ 0`).
 * Substituting back, the dual is:
 * `max_α Σ α_n − ½ Σ_nm α_n α_m y_n y_m k(x_n, x_m)`, `0 ≤ α_n ≤ C`, `Σ α_n y_n = 0`.
 * Maximising is minimising the negative (same point, value negated), so with `v = α`:
 * - `½ vᵀPv = ½ Σ_nm α_n α_m y_n y_m K_nm`: `P = (y yᵀ) ∘ K` (elementwise), PSD as K is;
 * - `qᵀv = −Σ α_n`: `q = −1`;
 * - `−α_n ≤ 0` and `α_n ≤ C`: `G = [−I; I]` (2N × N), `h = [0; C·1]`;
 * - `Σ α_n y_n = 0`: `A = yᵀ` (1 × N), `b = 0`.
 *
 * The homework this comes from writes the objective's factor as "1/v": a typo for ½ (with any
 * other factor the minimiser would not be the dual's maximiser).
 *
 * @example
 * ```ts
 * import { dualQP } from "@convgrad/svm";
 * const { P, q } = dualQP([[0, 0], [1, 1]], [-1, 1], { kernel: "linear" }, 1);
 * // P = [[0, 0], [0, 2]], q = [-1, -1]
 * ```
 */
export function dualQP(
  X: ArrayLike<number>[],
  y: ArrayLike<number>,
  kernel: KernelSpec,
  C: number,
): QP {
  const op = "dualQP";
  checkX(op, X);
  const n = X.length, labels = checkY(op, y, n);
  checkC(op, C);
  using table = new KernelTable(X, resolveKernel(op, kernel, X), { reuse: true });
  const K = kernelMatrix(table);
  const P = Array.from(
    { length: n },
    (_, i) => Array.from({ length: n }, (_, j) => labels[i] * labels[j] * K[i * n + j]),
  );
  const G = Array.from({ length: 2 * n }, (_, r) => {
    const row = new Array(n).fill(0);
    row[r % n] = r < n ? -1 : 1;
    return row;
  });
  return {
    P,
    q: new Array(n).fill(-1),
    G,
    h: [...new Array(n).fill(0), ...new Array(n).fill(C)],
    A: [Array.from(labels)],
    b: [0],
  };
}

/** What {@linkcode qp} returns. */
export interface QPSolution {
  /** The minimiser. */
  x: Float64Array;
  /** `½ xᵀPx + qᵀx`. */
  objective: number;
  /** The ridge added to P's diagonal for the accepted solve (quadprog needs P ≻ 0). */
  ridge: number;
  /** Solves tried until one passed the checks. */
  attempts: number;
  /** Per row of G: 1 where that inequality is in quadprog's final active set (holds with =). */
  active: Uint8Array;
}

/** Options of {@linkcode qp}. */
export interface QPOptions {
  /** Accepted violation of constraints and KKT conditions, relative to the data's scale. Default 1e-5. */
  tol?: number;
}

const matVec = (M: number[][], x: ArrayLike<number>) =>
  M.map((row) => row.reduce((s, v, j) => s + v * x[j], 0));

/**
 * Solves `min ½ xᵀPx + qᵀx  s.t.  Gx ≤ h, Ax = b` with quadprog. quadprog wants P strictly
 * positive definite (a kernel matrix is only semidefinite), so a ridge scaled to P's diagonal is
 * added; and with some ridges it returns a wrong point without a word (box constraints
 * violated, measured). So every solution is checked — feasibility, then the KKT conditions
 * with quadprog's multipliers — and on failure the solve is retried with other ridges; if none
 * passes, this throws rather than return a silently wrong answer.
 *
 * @example
 * ```ts
 * import { qp } from "@convgrad/svm";
 * // min ½(x² + y²) − x − y  s.t.  x + y ≤ 1
 * const { x } = qp([[1, 0], [0, 1]], [-1, -1], [[1, 1]], [1], [], []); // [0.5, 0.5]
 * ```
 */
export function qp(
  P: number[][],
  q: number[],
  G: number[][],
  h: number[],
  A: number[][],
  b: number[],
  opts: QPOptions = {},
): QPSolution {
  for (const [name, v] of [["q", q], ["h", h], ["b", b]] as const) {
    if (!Array.isArray(v)) throw new TypeError(`qp: ${name} must be an array of numbers, got ${v}`);
  }
  const n = q.length;
  if (n === 0) throw new RangeError("qp: q must be non-empty (one entry per variable), got []");
  const shapes = [["P", P, n], ["G", G, h.length], ["A", A, b.length]] as const;
  for (const [name, M, rows] of shapes) {
    if (!Array.isArray(M) || M.length !== rows || M.some((r) => r?.length !== n)) {
      throw new RangeError(
        `qp: ${name} must be ${rows} x ${n} (q has ${n} entries), got ` +
          (Array.isArray(M)
            ? `${M.length} rows of lengths ${[...new Set(M.map((r) => r?.length))]}`
            : M),
      );
    }
  }
  const entries = { P: P.flat(), q, G: G.flat(), h, A: A.flat(), b };
  for (const [name, v] of Object.entries(entries)) {
    const k = v.findIndex((x) => typeof x !== "number" || !Number.isFinite(x));
    if (k >= 0) {
      throw new RangeError(`qp: ${name} must hold finite numbers, got ${v[k]} (entry ${k})`);
    }
  }
  const tol = opts.tol ?? 1e-5;
  if (!(tol > 0) || !Number.isFinite(tol)) {
    throw new RangeError(`qp: tol must be a finite number > 0, got ${opts.tol}`);
  }
  const scale = Math.max(1e-12, ...P.map((r, i) => Math.abs(r[i])));
  const cons = [...A, ...G.map((r) => r.map((v) => -v))]; // quadprog: aᵀx ≥ b0
  const b0 = [...b, ...h.map((v) => -v)];
  const meq = A.length;
  const fails: string[] = [];
  for (const [attempt, rel] of [1e-9, 1e-11, 1e-7, 1e-13, 1e-5].entries()) {
    const ridge = rel * scale;
    // 1-indexed copies (quadprog overwrites its inputs), P and q divided by P's scale: the
    // argmin is the same, and quadprog's fixed tolerances then meet numbers near 1.
    const D = [
      [] as number[],
      ...P.map((r, i) => [0, ...r.map((v, j) => (v + (i === j ? ridge : 0)) / scale)]),
    ];
    const Amat = [
      [] as number[],
      ...Array.from({ length: n }, (_, i) => [0, ...cons.map((c) => c[i])]),
    ];
    const res = quadprog.solveQP(D, [0, ...q.map((v) => -v / scale)], Amat, [0, ...b0], meq);
    if (res.message) {
      fails.push(`ridge ${ridge.toExponential(1)}: ${res.message}`);
      continue;
    }
    const activeSet = (res.iact as number[]).slice(1).filter((k) => k > 0).map((k) => k - 1);
    // First the exact solution on quadprog's active set, without the ridge; then its own point.
    const raw = {
      x: Float64Array.from(res.solution.slice(1) as number[]),
      lambda: (res.Lagrangian as number[]).slice(1).map((l) => l * scale),
    };
    const candidates = [polish(P, q, cons, b0, meq, activeSet), raw];
    const reasons: string[] = [];
    for (const c of candidates) {
      if (c === null) continue;
      const why = check(P, q, cons, b0, meq, c.x, c.lambda, tol, scale);
      if (why) {
        reasons.push(why);
        continue;
      }
      const Px = matVec(P, c.x);
      const objective = c.x.reduce((s, v, i) => s + 0.5 * v * Px[i] + q[i] * v, 0);
      const active = new Uint8Array(G.length);
      for (const k of activeSet) if (k >= meq) active[k - meq] = 1;
      return { x: c.x, objective, ridge, attempts: attempt + 1, active };
    }
    fails.push(`ridge ${ridge.toExponential(1)}: ${reasons.join(" / ")}`);
  }
  throw new Error(
    `qp: quadprog found no point passing the feasibility and KKT checks (${fails.join("; ")}); ` +
      "for an SVM, fitSVM(..., {solver: 'smo'}) solves the same dual without quadprog",
  );
}

/** Why `x` (with multipliers `lambda` of `consᵀx ≥ b0`) is not a KKT point, or "" if it is. */
function check(
  P: number[][],
  q: number[],
  cons: number[][],
  b0: number[],
  meq: number,
  x: Float64Array,
  lambda: number[],
  tol: number,
  scale: number,
): string {
  const xs = Math.max(1, ...Array.from(x, Math.abs));
  for (let k = 0; k < cons.length; k++) {
    const slack = cons[k].reduce((s, v, i) => s + v * x[i], 0) - b0[k];
    const bound = tol * Math.max(1, Math.abs(b0[k]), xs);
    if (k < meq ? Math.abs(slack) > bound : slack < -bound) {
      return `constraint ${k} violated by ${(-slack).toExponential(2)}`;
    }
    if (k >= meq && lambda[k] < -tol * scale) return `multiplier ${k} is negative (${lambda[k]})`;
    if (k >= meq && Math.abs(lambda[k] * slack) > tol * scale * xs * xs) {
      return `complementary slackness fails at constraint ${k}`;
    }
  }
  // Stationarity: Px + q = Σ λ_k a_k. quadprog reports equality multipliers without their sign
  // (it flips such a constraint when its multiplier turns negative), so those are refitted here
  // by least squares against the residual of the inequality terms.
  const Px = matVec(P, x);
  const r = Px.map((v, i) =>
    v + q[i] - cons.reduce((s, c, k) => s + (k >= meq ? lambda[k] * c[i] : 0), 0)
  );
  const nu = leastSquares(cons.slice(0, meq), r);
  for (let i = 0; i < x.length; i++) {
    const res = r[i] - nu.reduce((s, v, k) => s + v * cons[k][i], 0);
    if (Math.abs(res) > tol * scale * xs) {
      return `stationarity residual ${res.toExponential(2)} at ${i}`;
    }
  }
  return "";
}

/** `argmin_ν ‖r − Σ_k ν_k rows[k]‖²` by the normal equations (rows are few: the equalities). */
function leastSquares(rows: number[][], r: number[]): number[] {
  const m = rows.length;
  const M = rows.map((
    a,
  ) => [
    ...rows.map((b) => a.reduce((s, v, i) => s + v * b[i], 0)),
    a.reduce((s, v, i) => s + v * r[i], 0),
  ]);
  for (let c = 0; c < m; c++) {
    const p = M.slice(c).reduce(
      (best, row, i) => (Math.abs(row[c]) > Math.abs(M[best][c]) ? c + i : best),
      c,
    );
    [M[c], M[p]] = [M[p], M[c]];
    if (Math.abs(M[c][c]) < 1e-300) continue;
    for (let i = 0; i < m; i++) {
      if (i === c) continue;
      const f = M[i][c] / M[c][c];
      for (let j = c; j <= m; j++) M[i][j] -= f * M[c][j];
    }
  }
  return M.map((row, c) => (Math.abs(row[c]) < 1e-300 ? 0 : row[m] / row[c]));
}

/**
 * The exact minimiser with the constraints in `activeSet` held as equalities (and the others
 * ignored), with its multipliers; null if that system is singular or inconsistent. Constraints on
 * one variable (bounds) fix it; the rest form a KKT system over the free variables, solved by
 * Gaussian elimination.
 */
function polish(
  P: number[][],
  q: number[],
  cons: number[][],
  b0: number[],
  meq: number,
  activeSet: number[],
): { x: Float64Array; lambda: number[] } | null {
  const n = q.length, x = new Float64Array(n), fixedBy = new Int32Array(n).fill(-1);
  const others: number[] = [];
  for (const k of new Set([...Array.from({ length: meq }, (_, i) => i), ...activeSet])) {
    const nz = cons[k].flatMap((v, i) => (v !== 0 ? [i] : []));
    if (nz.length === 1 && k >= meq) {
      const i = nz[0], v = b0[k] / cons[k][i];
      if (fixedBy[i] >= 0 && Math.abs(x[i] - v) > 1e-12 * (1 + Math.abs(v))) return null;
      x[i] = v;
      fixedBy[i] = k;
    } else others.push(k);
  }
  const free = [...x.keys()].filter((i) => fixedBy[i] < 0), m = free.length + others.length;
  // [P_FF  −E_Fᵀ; E_F  0] [x_F; μ] = [−q_F − P_FB x_B; b0_E − E_B x_B]
  const M = Array.from({ length: m }, () => new Float64Array(m + 1));
  free.forEach((i, r) => {
    free.forEach((j, c) => (M[r][c] = P[i][j]));
    others.forEach((k, c) => (M[r][free.length + c] = -cons[k][i]));
    M[r][m] = -q[i] - P[i].reduce((s, v, j) => s + (fixedBy[j] >= 0 ? v * x[j] : 0), 0);
  });
  others.forEach((k, r) => {
    free.forEach((i, c) => (M[free.length + r][c] = cons[k][i]));
    M[free.length + r][m] = b0[k] -
      cons[k].reduce((s, v, j) => s + (fixedBy[j] >= 0 ? v * x[j] : 0), 0);
  });
  const sol = solve(M);
  if (sol === null) return null;
  free.forEach((i, r) => (x[i] = sol[r]));
  const lambda = new Array(cons.length).fill(0);
  others.forEach((k, r) => (lambda[k] = sol[free.length + r]));
  // A bound's multiplier takes up what is left of the gradient in its variable.
  const Px = matVec(P, x);
  for (let i = 0; i < n; i++) {
    const k = fixedBy[i];
    if (k < 0) continue;
    let g = Px[i] + q[i];
    for (const o of others) g -= lambda[o] * cons[o][i];
    lambda[k] = g / cons[k][i];
  }
  return { x, lambda };
}

/** Solves the augmented system `M = [A | b]` in place; null if singular. */
function solve(M: Float64Array[]): Float64Array | null {
  const m = M.length;
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    if (Math.abs(M[p][c]) < 1e-14) return null;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = c + 1; r < m; r++) {
      const f = M[r][c] / M[c][c];
      if (f !== 0) { for (let j = c; j <= m; j++) M[r][j] -= f * M[c][j]; }
    }
  }
  const x = new Float64Array(m);
  for (let r = m - 1; r >= 0; r--) {
    let s = M[r][m];
    for (let j = r + 1; j < m; j++) s -= M[r][j] * x[j];
    x[r] = s / M[r][r];
  }
  return x;
}
