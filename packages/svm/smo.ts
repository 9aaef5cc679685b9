/**
 * Sequential minimal optimisation for the SVM dual, in LIBSVM's form (see `dual.ts`): each step
 * moves two multipliers along the equality constraint, `i` the most violating index going up,
 * `j` the partner with the best second-order decrease (WSS 3), solved analytically. The kernel
 * matrix is never formed: its columns come from the wasm kernel module into an LRU cache.
 *
 * @module
 */
import { type KernelSpec, KernelTable, resolveKernel } from "./kernels.ts";
import { type DualOptions, type DualResult, DualSolver, TAU } from "./dual.ts";
import { checkC, checkX, checkY } from "./validate.ts";

/** What {@linkcode smo} returns. */
export type SMOResult = DualResult;
/** Options of {@linkcode smo}. */
export type SMOOptions = DualOptions;

/**
 * Solves the SVM dual by SMO.
 *
 * @param X n points (rows of d features)
 * @param y labels, +1 or −1
 * @param kernel the kernel (see `fitSVM` for the conventions)
 * @param C the box bound, > 0
 *
 * @example
 * ```ts
 * import { smo } from "@convgrad/svm";
 * const { alpha } = smo([[0, 0], [2, 2]], [-1, 1], { kernel: "linear" }, 10); // [0.25, 0.25]
 * ```
 */
export function smo(
  X: ArrayLike<number>[],
  y: ArrayLike<number>,
  kernel: KernelSpec,
  C: number,
  opts: SMOOptions = {},
): SMOResult {
  checkX("smo", X);
  const labels = checkY("smo", y, X.length);
  checkC("smo", C);
  return solveSMO(new KernelTable(X, resolveKernel("smo", kernel, X)), labels, C, opts);
}

/** {@linkcode smo} on checked input. */
export function solveSMO(
  table: KernelTable,
  y: Float64Array,
  C: number,
  opts: SMOOptions = {},
): SMOResult {
  return new SMO(table, y, C, opts).solve();
}

/** SMO: working sets of two, chosen by WSS 3, each solved in closed form. */
class SMO extends DualSolver {
  #i = -1;
  #j = -1;

  constructor(table: KernelTable, y: Float64Array, C: number, opts: SMOOptions) {
    super("smo", table, y, C, opts);
  }

  /** WSS 3 over the active set (its two loops in the kernel module's wasm). */
  select(): boolean {
    const w = this.table.wasm, at = this.at, m = this.m;
    const i = w.maxUp(at.active, m, at.flags, at.y, at.G);
    if (i < 0) return false; // no index can go up: only when shrinking has emptied I_up
    const Ki = this.cache.get(i, this.active, m);
    const j = w.partner(at.active, m, at.flags, at.y, at.G, at.QD, Ki.byteOffset, this.QD[i], TAU);
    this.gap = w.up.value + w.low.value;
    this.#i = i;
    this.#j = j;
    return this.gap >= this.tol && j >= 0;
  }

  /** The unconstrained step along y_i α_i + y_j α_j = const, clipped to the box. */
  step(): void {
    const { alpha, y, G, C, active } = this, i = this.#i, j = this.#j, m = this.m;
    const Ki = this.cache.get(i, active, m), Kj = this.cache.get(j, active, m);
    const yi = y[i], yj = y[j], ai = alpha[i], aj = alpha[j];
    const quad = Math.max(this.QD[i] + this.QD[j] - 2 * Ki[j], TAU);
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
    this.setFlags(i);
    this.setFlags(j);
    // ∇_t += Q_ti Δα_i + Q_tj Δα_j, with Q_ti = y_t y_i K_ti.
    const di = (alpha[i] - ai) * yi, dj = (alpha[j] - aj) * yj, at = this.at;
    this.table.wasm.update2(at.active, m, at.y, at.G, Ki.byteOffset, Kj.byteOffset, di, dj);
    this.moveGbar(i, ai);
    this.moveGbar(j, aj);
  }
}
