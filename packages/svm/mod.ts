/**
 * Kernel SVMs, two classes or more (one against one): the dual solved with the npm `quadprog`
 * package (one dense QP for small data, a decomposition into quadprog-solved working sets beyond;
 * every solve checked, never silently wrong) or by SMO; kernel columns and SMO's loops in our
 * wasm SIMD module.
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
export type { KernelWasm } from "./kernels.ts";
export {
  type FitOptions,
  fitSVM,
  fromJSON,
  type Label,
  type Machine,
  type SVMJson,
  type SVMModel,
} from "./svm.ts";
