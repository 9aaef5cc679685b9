/**
 * Kernels with scikit-learn's conventions, and the kernel table every solver and every model
 * evaluates them through.
 *
 * @module
 */

/** A kernel on two points. */
export type KernelFn = (a: ArrayLike<number>, b: ArrayLike<number>) => number;

/** A kernel by name with its parameters (scikit-learn's), or a function. */
export interface KernelSpec {
  /** linear `x·z`, rbf `exp(−γ‖x − z‖²)`, poly `(γ x·z + coef0)^degree`, or a function. */
  kernel: "linear" | "rbf" | "poly" | KernelFn;
  /** rbf and poly: default `1 / (d · var(X))` (scikit-learn's `"scale"`). */
  gamma?: number;
  /** poly: default 3. */
  degree?: number;
  /** poly: default 0. */
  coef0?: number;
}

/** A kernel with every parameter fixed and checked (see {@linkcode resolveKernel}). */
export interface Kernel {
  /** As in {@linkcode KernelSpec}. */
  kernel: "linear" | "rbf" | "poly" | KernelFn;
  /** rbf and poly; NaN for the others. */
  gamma: number;
  /** poly; NaN for the others. */
  degree: number;
  /** poly; NaN for the others. */
  coef0: number;
}

/**
 * Checks a kernel spec and fixes its defaults; `gamma` defaults to scikit-learn's `"scale"`,
 * `1 / (d · var(X))` over all entries of X, computed here so that a model carries the number.
 *
 * @example
 * ```ts
 * import { resolveKernel } from "@convgrad/svm";
 * resolveKernel("fit", { kernel: "poly" }, [[0, 0], [2, 2]]);
 * // { kernel: "poly", gamma: 0.5, degree: 3, coef0: 0 }
 * ```
 */
export function resolveKernel(op: string, spec: KernelSpec, X: ArrayLike<number>[]): Kernel {
  if (spec === null || typeof spec !== "object") {
    throw new TypeError(`${op}: options must be an object {kernel, ...}, got ${spec}`);
  }
  const { kernel } = spec;
  if (typeof kernel === "function" || kernel === "linear") {
    return { kernel, gamma: NaN, degree: NaN, coef0: NaN };
  }
  if (kernel !== "rbf" && kernel !== "poly") {
    throw new RangeError(
      `${op}: kernel must be 'linear', 'rbf', 'poly' or a function, got ${String(kernel)}`,
    );
  }
  const gamma = spec.gamma ?? scaleGamma(X);
  if (typeof gamma !== "number" || !(gamma > 0) || !Number.isFinite(gamma)) {
    throw new RangeError(`${op}: gamma must be a finite number > 0, got ${spec.gamma}`);
  }
  if (kernel === "rbf") return { kernel, gamma, degree: NaN, coef0: NaN };
  const degree = spec.degree ?? 3, coef0 = spec.coef0 ?? 0;
  if (!Number.isInteger(degree) || degree < 1) {
    throw new RangeError(`${op}: degree must be an integer >= 1, got ${spec.degree}`);
  }
  if (typeof coef0 !== "number" || !Number.isFinite(coef0)) {
    throw new RangeError(`${op}: coef0 must be a finite number, got ${spec.coef0}`);
  }
  return { kernel, gamma, degree, coef0 };
}

/** scikit-learn's `gamma="scale"`: 1 / (features · variance of all entries of X). */
function scaleGamma(X: ArrayLike<number>[]): number {
  let s = 0, s2 = 0, count = 0;
  for (const x of X) {
    for (let j = 0; j < x.length; j++) (s += x[j]), (s2 += x[j] * x[j]), count++;
  }
  const m = s / count, v = s2 / count - m * m;
  return 1 / (X[0].length * (v > 0 ? v : 1));
}

/** `b^e` for an integer `e >= 1`, by multiplication (poly kernels' inner loop). */
function ipow(b: number, e: number): number {
  let p = b;
  for (let k = 1; k < e; k++) p *= b;
  return p;
}

/**
 * Points stored flat (`[n, d]`, float64) with a kernel, so that a whole column `k(z, x_t)` is one
 * tight loop: the SMO solver's kernel cache fills its columns here, the dense QP builds its
 * matrix here, and a model's decision function evaluates its support vectors here, so all three
 * see the same kernel values to the last bit. rbf uses `‖z − x‖² = ‖z‖² + ‖x‖² − 2 z·x` with the
 * squared norms precomputed.
 *
 * @example
 * ```ts
 * import { KernelTable, resolveKernel } from "@convgrad/svm";
 * const X = [[0, 0], [1, 0]];
 * const table = new KernelTable(X, resolveKernel("demo", { kernel: "rbf", gamma: 1 }, X));
 * const out = new Float64Array(2);
 * table.column(table.point(0), out); // [1, exp(-1)]
 * ```
 */
export class KernelTable {
  /** Number of points. */
  readonly n: number;
  /** Features per point. */
  readonly d: number;
  /** The points, row-major. */
  readonly points: Float64Array; // [n,d]
  /** `k(x_i, x_i)` for every point. */
  readonly diag: Float64Array; // [n]
  /** The kernel, resolved. */
  readonly kernel: Kernel;
  readonly #sq: Float64Array; // [n] ‖x_i‖²
  readonly #views: Float64Array[];
  readonly #z: Float64Array; // [d] scratch for column()

  /** `X`: n points of d features, already checked; `kernel`: from {@linkcode resolveKernel}. */
  constructor(X: ArrayLike<number>[], kernel: Kernel) {
    this.n = X.length;
    this.d = X[0].length;
    this.kernel = kernel;
    this.points = new Float64Array(this.n * this.d);
    this.#z = new Float64Array(this.d);
    X.forEach((x, i) => this.points.set(x, i * this.d));
    this.#views = Array.from({ length: this.n }, (_, i) => this.point(i));
    this.#sq = Float64Array.from(this.#views, (x) => dot(x, x));
    this.diag = new Float64Array(this.n);
    const self = new Int32Array(1);
    for (let i = 0; i < this.n; i++) {
      self[0] = i;
      this.column(this.#views[i], this.diag, self, 1);
    }
  }

  /** Point `i`'s features (a view into {@linkcode KernelTable.points}). */
  point(i: number): Float64Array {
    return this.points.subarray(i * this.d, (i + 1) * this.d);
  }

  /**
   * `out[t] = k(z, x_t)` for `t = idx[0], …, idx[m − 1]`, or for every point when `idx` is
   * omitted; the other entries of `out` are left as they are.
   */
  column(z: ArrayLike<number>, out: Float64Array, idx?: Int32Array, m = this.n): void {
    const { d, points } = this, sq = this.#sq, { kernel, gamma, degree, coef0 } = this.kernel;
    if (typeof kernel === "function") {
      for (let a = 0; a < m; a++) {
        const t = idx ? idx[a] : a, v = kernel(z, this.#views[t]);
        if (typeof v !== "number" || !Number.isFinite(v)) {
          throw new RangeError(`kernel function returned ${v} (expected a finite number)`);
        }
        out[t] = v;
      }
      return;
    }
    // z copied into a Float64Array: the loop below then sees one element kind whatever the
    // caller passed (a plain array or a view), and V8 keeps it monomorphic.
    const zf = this.#z;
    zf.set(z as ArrayLike<number>);
    for (let a = 0; a < m; a++) {
      const t = idx ? idx[a] : a, off = t * d;
      let s = 0;
      for (let k = 0; k < d; k++) s += zf[k] * points[off + k];
      out[t] = s;
    }
    if (kernel === "rbf") {
      const zz = dot(zf, zf);
      for (let a = 0; a < m; a++) {
        const t = idx ? idx[a] : a;
        out[t] = Math.exp(-gamma * Math.max(0, zz + sq[t] - 2 * out[t]));
      }
    } else if (kernel === "poly") {
      for (let a = 0; a < m; a++) {
        const t = idx ? idx[a] : a;
        out[t] = ipow(gamma * out[t] + coef0, degree);
      }
    }
  }
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * The dense kernel matrix `K[i·n + j] = k(x_i, x_j)`, exactly symmetric.
 *
 * @example
 * ```ts
 * import { KernelTable, kernelMatrix, resolveKernel } from "@convgrad/svm";
 * const X = [[1, 0], [0, 1]];
 * kernelMatrix(new KernelTable(X, resolveKernel("demo", { kernel: "linear" }, X))); // [1, 0, 0, 1]
 * ```
 */
export function kernelMatrix(table: KernelTable): Float64Array {
  const n = table.n, K = new Float64Array(n * n), idx = new Int32Array(n).map((_, i) => i);
  for (let i = 0; i < n; i++) {
    // Row i's first i + 1 entries from the kernel, the rest mirrored from the rows above.
    table.column(table.point(i), K.subarray(i * n, (i + 1) * n), idx, i + 1);
    for (let j = 0; j < i; j++) K[j * n + i] = K[i * n + j];
  }
  return K;
}
