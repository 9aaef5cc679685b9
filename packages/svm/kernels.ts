/**
 * Kernels with scikit-learn's conventions, and the data checks every solver shares.
 *
 * @module
 */

/** A kernel on two points. */
export type KernelFn = (a: ArrayLike<number>, b: ArrayLike<number>) => number;

/** A kernel by name with its parameters (scikit-learn's), or a function. */
export interface KernelSpec {
  kernel: "linear" | "rbf" | "poly" | KernelFn;
  /** rbf and poly: default `1 / (d · var(X))` ("scale", as scikit-learn). */
  gamma?: number;
  /** poly: default 3. */
  degree?: number;
  /** poly: default 0. */
  coef0?: number;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Checks `X` (rows of equal length, finite) and returns it; names the bad entry. */
export function checkX(op: string, X: unknown): number[][] {
  if (!Array.isArray(X) || X.length === 0) {
    throw new RangeError(`${op}: X must be a non-empty array of points, got ${X}`);
  }
  const d = (X[0] as unknown[])?.length;
  X.forEach((row, i) => {
    if (!Array.isArray(row) && !ArrayBuffer.isView(row)) {
      throw new TypeError(`${op}: X[${i}] must be an array of numbers`);
    }
    const r = row as ArrayLike<unknown>;
    if (r.length !== d || d === 0) {
      throw new RangeError(`${op}: X[${i}] has ${r.length} features, X[0] has ${d}`);
    }
    for (let j = 0; j < r.length; j++) {
      if (typeof r[j] !== "number" || !Number.isFinite(r[j])) {
        throw new RangeError(`${op}: X[${i}][${j}] must be a finite number, got ${r[j]}`);
      }
    }
  });
  return X as number[][];
}

/**
 * The kernel function of `spec` for data `X`.
 *
 * @example
 * ```ts
 * import { kernelFunction } from "@convgrad/svm";
 * kernelFunction({ kernel: "rbf", gamma: 0.5 }, [[0, 0]])([0, 0], [1, 1]); // exp(-1)
 * ```
 */
export function kernelFunction(spec: KernelSpec, X: number[][]): KernelFn {
  const { kernel } = spec;
  if (typeof kernel === "function") return kernel;
  if (kernel === "linear") return dot;
  if (kernel !== "rbf" && kernel !== "poly") {
    throw new RangeError(`kernel must be 'linear', 'rbf', 'poly' or a function, got ${kernel}`);
  }
  const gamma = spec.gamma ?? scaleGamma(X);
  if (!(gamma > 0) || !Number.isFinite(gamma)) {
    throw new RangeError(`gamma must be a finite number > 0, got ${spec.gamma}`);
  }
  if (kernel === "rbf") {
    return (a, b) => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
      return Math.exp(-gamma * s);
    };
  }
  const degree = spec.degree ?? 3, coef0 = spec.coef0 ?? 0;
  if (!Number.isInteger(degree) || degree < 1) {
    throw new RangeError(`degree must be a positive integer, got ${spec.degree}`);
  }
  if (!Number.isFinite(coef0)) throw new RangeError(`coef0 must be finite, got ${spec.coef0}`);
  return (a, b) => (gamma * dot(a, b) + coef0) ** degree;
}

/** scikit-learn's `gamma="scale"`: 1 / (features · variance of all entries of X). */
export function scaleGamma(X: number[][]): number {
  const all = X.flat(), m = all.reduce((s, v) => s + v, 0) / all.length;
  const v = all.reduce((s, x) => s + (x - m) ** 2, 0) / all.length;
  return 1 / (X[0].length * (v > 0 ? v : 1));
}

/**
 * The dense kernel matrix `K[i][j] = k(X[i], X[j])`, row-major `n × n`.
 *
 * @example
 * ```ts
 * import { kernelMatrix } from "@convgrad/svm";
 * kernelMatrix([[1, 0], [0, 1]], (a, b) => a[0] * b[0] + a[1] * b[1]); // [1, 0, 0, 1]
 * ```
 */
export function kernelMatrix(X: number[][], k: KernelFn): Float64Array {
  const n = X.length, K = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) K[i * n + j] = K[j * n + i] = k(X[i], X[j]);
  }
  return K;
}
