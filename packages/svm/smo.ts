/**
 * Sequential minimal optimisation for the SVM dual, in LIBSVM's form (see `dual.ts`): each step
 * moves two multipliers along the equality constraint, `i` the most violating index going up,
 * `j` the partner with the best second-order decrease (WSS 3), solved analytically. The kernel
 * matrix is never formed: its columns come from the wasm kernel module into an LRU cache, and
 * the steps themselves run there (`kernel.wat`), the loop's shrinking and checks here.
 *
 * @module
 */
import { type KernelSpec, KernelTable, resolveKernel } from "./kernels.ts";
import { type DualOptions, type DualResult, DualSolver } from "./dual.ts";
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
  using table = new KernelTable(X, resolveKernel("smo", kernel, X), { reuse: true });
  return solveSMO(table, labels, C, opts);
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

/**
 * SMO: working sets of two, chosen by WSS 3, each solved in closed form; the steps run in the
 * kernel module's wasm (`smo` in `kernel.wat`), a thousand to a call.
 */
class SMO extends DualSolver {
  constructor(table: KernelTable, y: Float64Array, C: number, opts: SMOOptions) {
    super("smo", table, y, C, opts);
  }

  advance(limit: number): number {
    const steps = this.table.wasm.smo(this.at.solver, Math.min(limit, 2 ** 30));
    this.gap = this.table.f64(this.at.solver + 64, 1)[0];
    return steps;
  }
}
