/**
 * Kernel SVMs: the dual as a QP solved with the npm `quadprog` package (checked, never silently
 * wrong), or by SMO for larger data sets.
 *
 * @example
 * ```ts
 * import { fitSVM } from "@convgrad/svm";
 * const X = [[0, 0], [1, 1], [1, 0], [0, 1]], y = [-1, -1, 1, 1]; // XOR
 * const m = fitSVM(X, y, { kernel: "rbf", gamma: 2, C: 10 });
 * m.predict(X); // [-1, -1, 1, 1]
 * ```
 *
 * @module
 */
export {
  type Kernel,
  type KernelFn,
  kernelMatrix,
  type KernelSpec,
  KernelTable,
  resolveKernel,
} from "./kernels.ts";
export { dualQP, type QP, qp, type QPOptions, type QPSolution } from "./qp.ts";
export { smo, type SMOOptions, type SMOResult } from "./smo.ts";
export { decomposition, type DecompositionOptions, DEFAULT_WORKING_SET } from "./decomposition.ts";
export type { DualOptions, DualResult } from "./dual.ts";
export { type FitOptions, fitSVM, fromJSON, type SVMJson, type SVMModel } from "./svm.ts";
