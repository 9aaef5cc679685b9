/**
 * The SVM dual by decomposition with quadprog as the engine (Osuna, Freund and Girosi 1997;
 * Joachims' SVMlight, 1999): each iteration picks a working set B of q multipliers, the maximal
 * violating pairs (the q/2 most violating of I_up and of I_low), and solves the q-variable QP
 *
 *   min_{α_B} ½ α_Bᵀ Q_BB α_B + (∇_B − Q_BB α_B⁰)ᵀ α_B   s.t.  0 ≤ α_B ≤ C,  y_Bᵀα_B = y_Bᵀα_B⁰
 *
 * (the rest of α fixed) exactly with {@linkcode qp}, which checks every result against its KKT
 * conditions; then the gradient follows with the q kernel columns. Shrinking, the kernel cache,
 * the stopping rule (LIBSVM's maximal violating pair gap) and the final KKT check on every
 * point are shared with SMO (`dual.ts`).
 *
 * @module
 */
import { type KernelSpec, KernelTable, resolveKernel } from "./kernels.ts";
import { type DualOptions, type DualResult, DualSolver, LOW, UP } from "./dual.ts";
import { qp } from "./qp.ts";
import { checkC, checkX, checkY } from "./validate.ts";

/** Options of {@linkcode decomposition}. */
export interface DecompositionOptions extends DualOptions {
  /**
   * Working set size q, even, >= 2. Default 4: the fastest of 2–32 on the benchmark's rbf data
   * (fresh processes, two each: n = 20,000: 2.12–2.16 s at q = 4, 2.20–2.22 at 2, 2.56–2.62 at 8,
   * 3.26–3.29 at 16, 4.63–4.66 at 32; n = 2000: 84–87 ms at 4, 85–89 at 2, 101–117 at 8, 134–144
   * at 16, 223–229 at 32): an iteration's cost grows with q (q columns, a q-variable QP) while
   * the iterations fall only as about q^−0.6 (17,040 at q = 2, 10,283 at 4, 3,271 at 32).
   */
  workingSet?: number;
}

/** The default working set size (measured: see {@linkcode DecompositionOptions.workingSet}). */
export const DEFAULT_WORKING_SET = 4;

/**
 * Solves the SVM dual by decomposition, each q-variable subproblem solved by quadprog.
 *
 * @param X n points (rows of d features)
 * @param y labels, +1 or −1
 * @param kernel the kernel (see `fitSVM` for the conventions)
 * @param C the box bound, > 0
 *
 * @example
 * ```ts
 * import { decomposition } from "@convgrad/svm";
 * const X = [[0, 0], [1, 1], [2, 2], [3, 3]], y = [-1, -1, 1, 1];
 * const { alpha } = decomposition(X, y, { kernel: "linear" }, 10, { workingSet: 2 }); // [0, 1, 1, 0]
 * ```
 */
export function decomposition(
  X: ArrayLike<number>[],
  y: ArrayLike<number>,
  kernel: KernelSpec,
  C: number,
  opts: DecompositionOptions = {},
): DualResult {
  const op = "decomposition";
  checkX(op, X);
  const labels = checkY(op, y, X.length);
  checkC(op, C);
  using table = new KernelTable(X, resolveKernel(op, kernel, X), { reuse: true });
  return solveDecomposition(table, labels, C, opts);
}

/** {@linkcode decomposition} on checked input. */
export function solveDecomposition(
  table: KernelTable,
  y: Float64Array,
  C: number,
  opts: DecompositionOptions = {},
): DualResult {
  const q = opts.workingSet ?? DEFAULT_WORKING_SET;
  if (!Number.isInteger(q) || q < 2 || q % 2) {
    throw new RangeError(`decomposition: workingSet must be an even integer >= 2, got ${q}`);
  }
  return new Decomposition(table, y, C, q, opts).solve();
}

/** Decomposition: q-variable working sets, each solved by quadprog. */
class Decomposition extends DualSolver {
  readonly #q: number;
  readonly #set: Int32Array; // the working set B
  #size = 0;
  readonly #up: TopK;
  readonly #low: TopK;
  readonly #old: Float64Array;
  readonly #coef: Float64Array;

  constructor(table: KernelTable, y: Float64Array, C: number, q: number, opts: DualOptions) {
    super("decomposition", table, y, C, opts);
    // The step holds the q columns at once: never more than the cache keeps.
    this.#q = Math.max(2, Math.min(q, this.cache.capacity, 2 * Math.floor(this.n / 2)));
    this.#set = new Int32Array(this.#q);
    this.#up = new TopK(this.#q);
    this.#low = new TopK(this.#q);
    this.#old = new Float64Array(this.#q);
    this.#coef = new Float64Array(this.#q);
  }

  advance(limit: number): number {
    let steps = 0;
    while (steps < limit && this.select()) this.step(), steps++;
    return steps;
  }

  /**
   * The maximal violating pairs: the points of I_up by decreasing −y∇ and those of I_low by
   * decreasing y∇, taken alternately (a point once), so q/2 from each side, one side topping up
   * the other when short.
   */
  select(): boolean {
    const { active, flags, y, G } = this, m = this.m, q = this.#q;
    const up = this.#up, low = this.#low;
    up.clear();
    low.clear();
    for (let a = 0; a < m; a++) {
      const t = active[a], f = flags[t], v = y[t] * G[t];
      if (f & UP) up.offer(t, -v);
      if (f & LOW) low.offer(t, v);
    }
    this.gap = up.size && low.size ? up.score[0] + low.score[0] : -Infinity;
    if (!(this.gap >= this.tol)) return false;
    const set = this.#set;
    let size = 0;
    for (let r = 0; size < q && (r < up.size || r < low.size); r++) {
      for (const side of [up, low]) {
        if (r < side.size && size < q && !set.subarray(0, size).includes(side.index[r])) {
          set[size++] = side.index[r];
        }
      }
    }
    this.#size = size;
    return size >= 2;
  }

  /** Solves the subproblem on B with quadprog, then updates ∇ and Ḡ. */
  step(): void {
    const { alpha, y, G, C, active } = this, m = this.m, k = this.#size, B = this.#set;
    const cols = Array.from(B.subarray(0, k), (i) => this.cache.get(i, active, m));
    const old = this.#old;
    for (let b = 0; b < k; b++) old[b] = alpha[B[b]];
    const P = Array.from(
      { length: k },
      (_, b) => Array.from(cols, (col, c) => y[B[b]] * y[B[c]] * col[B[b]]),
    );
    const lin = P.map((row, b) => row.reduce((s, v, c) => s - v * old[c], G[B[b]]));
    const box = Array.from({ length: 2 * k }, (_, r) => {
      const row = new Array(k).fill(0);
      row[r % k] = r < k ? -1 : 1;
      return row;
    });
    const h = Array.from({ length: 2 * k }, (_, r) => (r < k ? 0 : C));
    const yB = Array.from(B.subarray(0, k), (i) => y[i]);
    let rhs = 0;
    for (let b = 0; b < k; b++) rhs += yB[b] * old[b];
    const sol = qp(P, lin, box, h, [yB], [rhs], { tol: Math.min(1e-6, this.tol / 10) });
    // Bounds in quadprog's active set are exactly at the bound; the rest clipped to the box
    // (rounding), and the equality row restored exactly on a free variable.
    const x = Array.from(
      sol.x,
      (v, b) => (sol.active[b] ? 0 : sol.active[k + b] ? C : Math.min(C, Math.max(0, v))),
    );
    let drift = 0;
    for (let b = 0; b < k; b++) drift += yB[b] * (x[b] - old[b]);
    for (let b = 0; b < k && drift !== 0; b++) {
      const v = x[b] - yB[b] * drift;
      if (x[b] > 0 && x[b] < C && v >= 0 && v <= C) (x[b] = v), (drift = 0);
    }
    const coef = this.#coef;
    if (x.every((v, b) => v === old[b])) {
      throw new Error(
        `decomposition: quadprog's subproblem solution left every multiplier where it was, ` +
          `with a KKT gap of ${this.gap} (tol ${this.tol}); raise tol`,
      );
    }
    for (let b = 0; b < k; b++) {
      alpha[B[b]] = x[b];
      coef[b] = (x[b] - old[b]) * yB[b];
      this.setFlags(B[b]);
    }
    // ∇_t += Σ_b Q_tb Δα_b, with Q_tb = y_t y_b K_tb: one pass per multiplier that moved.
    const at = this.at, w = this.table.wasm;
    for (let b = 0; b < k; b++) {
      if (coef[b] !== 0) w.axpy(at.active, 0, m, at.G, at.y, cols[b].byteOffset, coef[b]);
    }
    for (let b = 0; b < k; b++) this.moveGbar(B[b], old[b]);
  }
}

/** The k largest scores offered, sorted (decreasing), with their indices. */
class TopK {
  readonly index: Int32Array;
  readonly score: Float64Array;
  size = 0;
  readonly #k: number;

  constructor(k: number) {
    this.#k = k;
    this.index = new Int32Array(k);
    this.score = new Float64Array(k);
  }

  clear(): void {
    this.size = 0;
  }

  offer(i: number, v: number): void {
    const { index, score } = this;
    if (this.size === this.#k && !(v > score[this.size - 1])) return;
    // Insertion (k is small; after the first few, most offers fail the test above).
    let p = this.size === this.#k ? this.size - 1 : this.size++;
    while (p > 0 && score[p - 1] < v) (index[p] = index[p - 1]), (score[p] = score[p - 1]), p--;
    index[p] = i;
    score[p] = v;
  }
}
