/**
 * `fitSVM`: a kernel SVM trained by solving its dual with quadprog (dense, exact, small n) or SMO
 * (large n), and the fitted model with its JSON form.
 *
 * @module
 */
import { type Kernel, type KernelSpec, KernelTable, resolveKernel } from "./kernels.ts";
import { dualQP, qp } from "./qp.ts";
import { solveSMO } from "./smo.ts";
import { checkC, checkX, checkY } from "./validate.ts";

/** Options of {@linkcode fitSVM}. */
export interface FitOptions extends KernelSpec {
  /** Box bound on the multipliers (soft margin). Default 1. */
  C?: number;
  /** Default `'quadprog'` (the dense QP of docs/svm-dual.md) up to 300 points, `'smo'` beyond: the dense QP's time grows as n³ (measured: 1.6 s at n = 300, 90 s at n = 1000). */
  solver?: "quadprog" | "smo";
  /** SMO's stopping tolerance on the maximal violating pair (see `smo`). Default 1e-5. */
  tol?: number;
  /** SMO's kernel cache in bytes. Default 200 MiB. */
  cacheBytes?: number;
}

/** A fitted SVM: `f(x) = Σ_i α_i y_i k(x_i, x) + bias`, predicting `sign f(x)`. */
export interface SVMModel {
  /** The kernel, every parameter fixed (gamma "scale" resolved to its number). */
  kernel: Kernel;
  /** The box bound the model was fitted with. */
  C: number;
  /** Dual multipliers, one per training point. */
  alpha: Float64Array;
  /** Indices of the training points with α > 1e-5·max(α): the support vectors. */
  supportIndices: number[];
  /** `b` in f: LIBSVM's rule (the mean over the free multipliers' margin conditions). */
  bias: number;
  /** The dual objective `Σα − ½ Σ α_i α_j y_i y_j K_ij` at the solution (both solvers maximise it). */
  dualObjective: number;
  /** `f(x)` for each row of X, from the support vectors only. */
  decision(X: ArrayLike<number>[]): Float64Array;
  /** `±1` for each row of X (`+1` where f = 0). */
  predict(X: ArrayLike<number>[]): number[];
  /** Everything {@linkcode fromJSON} needs (named kernels only). */
  toJSON(): SVMJson;
}

/** The serialised model: the support vectors with their multipliers and labels. */
export interface SVMJson {
  /** The format's name and version. */
  format: "convgrad-svm/1";
  /** The kernel's name (kernel functions cannot be serialised). */
  kernel: "linear" | "rbf" | "poly";
  /** rbf and poly, else null. */
  gamma: number | null;
  /** poly, else null. */
  degree: number | null;
  /** poly, else null. */
  coef0: number | null;
  /** The box bound. */
  C: number;
  /** Training points (the length of `alpha`). */
  n: number;
  /** As {@linkcode SVMModel.bias}. */
  bias: number;
  /** As {@linkcode SVMModel.dualObjective}. */
  dualObjective: number;
  /** The support vectors' indices in the training set. */
  supportIndices: number[];
  /** α per support vector. */
  alpha: number[];
  /** Label per support vector. */
  y: number[];
  /** The support vectors' features. */
  supportVectors: number[][];
}

/**
 * LIBSVM's bias: `−ρ`, with ρ the mean of `y_i ∇_i` over the free multipliers (0 < α < C, the
 * points on the margin, where `y_i f(x_i) = 1` gives `b = −y_i ∇_i`), or, when none is free, the
 * midpoint of the interval of values that the bounded ones allow.
 */
function bias(alpha: Float64Array, grad: Float64Array, y: Float64Array, C: number): number {
  let ub = Infinity, lb = -Infinity, sum = 0, free = 0;
  for (let i = 0; i < alpha.length; i++) {
    const yg = y[i] * grad[i];
    if (alpha[i] >= C) y[i] < 0 ? (ub = Math.min(ub, yg)) : (lb = Math.max(lb, yg));
    else if (alpha[i] <= 0) y[i] > 0 ? (ub = Math.min(ub, yg)) : (lb = Math.max(lb, yg));
    else (sum += yg), free++;
  }
  return -(free > 0 ? sum / free : (ub + lb) / 2);
}

/** The model from the support vectors' rows, multipliers and labels. */
function makeModel(
  parts: Omit<SVMModel, "decision" | "predict" | "toJSON"> & { n: number },
  sv: ArrayLike<number>[],
  svAlpha: ArrayLike<number>,
  svY: ArrayLike<number>,
): SVMModel {
  const { n, ...fields } = parts;
  const table = new KernelTable(sv, parts.kernel);
  const coef = Float64Array.from(svAlpha, (a, s) => a * svY[s]);
  const decision = (X: ArrayLike<number>[]): Float64Array => {
    checkX("decision", X);
    if (X[0].length !== table.d) {
      throw new RangeError(`decision: X has ${X[0].length} features, the model ${table.d}`);
    }
    const f = new Float64Array(X.length), k = new Float64Array(table.n);
    X.forEach((x, r) => {
      table.column(x, k);
      let s = parts.bias;
      for (let t = 0; t < k.length; t++) s += coef[t] * k[t];
      f[r] = s;
    });
    return f;
  };
  return {
    ...fields,
    decision,
    predict: (X) => Array.from(decision(X), (f) => (f >= 0 ? 1 : -1)),
    toJSON: () => {
      const { kernel, gamma, degree, coef0 } = parts.kernel;
      if (typeof kernel === "function") {
        throw new TypeError("toJSON: a model with a custom kernel function cannot be serialised");
      }
      const orNull = (v: number) => (Number.isNaN(v) ? null : v);
      return {
        format: "convgrad-svm/1",
        kernel,
        gamma: orNull(gamma),
        degree: orNull(degree),
        coef0: orNull(coef0),
        C: parts.C,
        n,
        bias: parts.bias,
        dualObjective: parts.dualObjective,
        supportIndices: parts.supportIndices.slice(),
        alpha: Array.from(svAlpha),
        y: Array.from(svY),
        supportVectors: sv.map((x) => Array.from(x)),
      };
    },
  };
}

/**
 * Fits a binary kernel SVM (labels ±1) by solving the dual
 * `max Σα − ½ Σ α_i α_j y_i y_j k(x_i, x_j)` s.t. `0 ≤ α ≤ C`, `Σ α_i y_i = 0`. Kernels follow
 * scikit-learn: linear `x·z`, rbf `exp(−γ‖x−z‖²)`, poly `(γ x·z + coef0)^degree`, or any
 * function (not serialisable).
 *
 * @example
 * ```ts
 * import { fitSVM } from "@convgrad/svm";
 * const m = fitSVM([[0, 0], [0, 1], [2, 2], [2, 3]], [-1, -1, 1, 1], { kernel: "linear", C: 10 });
 * m.predict([[0, 0.5], [2, 2.5]]); // [-1, 1]
 * ```
 */
export function fitSVM(X: ArrayLike<number>[], y: ArrayLike<number>, opts: FitOptions): SVMModel {
  const op = "fitSVM";
  checkX(op, X);
  const n = X.length, labels = checkY(op, y, n);
  const kernel = resolveKernel(op, opts, X);
  const C = checkC(op, opts.C ?? 1);
  const solver = opts.solver ?? (n <= 300 ? "quadprog" : "smo");
  let alpha: Float64Array, grad: Float64Array;
  if (solver === "smo") {
    const table = new KernelTable(X, kernel);
    ({ alpha, grad } = solveSMO(table, labels, C, { tol: opts.tol, cacheBytes: opts.cacheBytes }));
  } else if (solver === "quadprog") {
    const p = dualQP(X, labels, kernel, C);
    const { x, active } = qp(p.P, p.q, p.G, p.h, p.A, p.b);
    // Multipliers whose box constraint is in quadprog's active set are on the bound (to
    // rounding): put them there, so that the bias rule sees them as bounded, not free.
    alpha = x.map((a, i) => (active[i] ? 0 : active[n + i] ? C : a));
    grad = Float64Array.from(p.P, (row) => row.reduce((s, v, j) => s + v * alpha[j], -1)); // Pα − e
  } else {
    throw new RangeError(`${op}: solver must be 'quadprog' or 'smo', got ${solver}`);
  }
  const amax = alpha.reduce((a, b) => Math.max(a, b), 0);
  const supportIndices = [...alpha.keys()].filter((i) => alpha[i] > 1e-5 * amax);
  return makeModel(
    {
      kernel,
      C,
      alpha,
      supportIndices,
      bias: bias(alpha, grad, labels, C),
      // Σα − ½ αᵀQα with Qα = ∇ + e.
      dualObjective: alpha.reduce((s, a, i) => s + 0.5 * a * (1 - grad[i]), 0),
      n,
    },
    supportIndices.map((i) => X[i]),
    supportIndices.map((i) => alpha[i]),
    supportIndices.map((i) => labels[i]),
  );
}

/**
 * Rebuilds a model from {@linkcode SVMModel.toJSON}'s output. The decision function is the same
 * to the last bit; `alpha` has the training set's length, zero off the support vectors.
 *
 * @example
 * ```ts
 * import { fitSVM, fromJSON } from "@convgrad/svm";
 * const m = fitSVM([[0], [1]], [-1, 1], { kernel: "rbf", gamma: 1 });
 * fromJSON(JSON.parse(JSON.stringify(m.toJSON()))).predict([[0.9]]); // [1]
 * ```
 */
export function fromJSON(json: SVMJson): SVMModel {
  const op = "fromJSON";
  if (json === null || typeof json !== "object" || json.format !== "convgrad-svm/1") {
    throw new TypeError(
      `${op}: json must be what SVMModel.toJSON() returns (format convgrad-svm/1)`,
    );
  }
  const sv = checkX(op, json.supportVectors), m = sv.length;
  const k = json.kernel;
  if (k !== "linear" && (typeof json.gamma !== "number")) {
    throw new RangeError(`${op}: a ${k} kernel needs a number gamma, got ${json.gamma}`);
  }
  const kernel = resolveKernel(op, {
    kernel: k,
    gamma: json.gamma ?? undefined,
    degree: json.degree ?? undefined,
    coef0: json.coef0 ?? undefined,
  }, sv);
  const C = checkC(op, json.C), n = json.n;
  const finite = (v: unknown) => typeof v === "number" && Number.isFinite(v);
  for (const [name, v] of [["bias", json.bias], ["dualObjective", json.dualObjective]] as const) {
    if (!finite(v)) throw new RangeError(`${op}: ${name} must be a finite number, got ${v}`);
  }
  if (!Number.isInteger(n) || n < m) {
    throw new RangeError(`${op}: n must be an integer >= ${m} (the support vectors), got ${n}`);
  }
  const svY = checkY(op, json.y, m);
  for (
    const [name, v] of [["alpha", json.alpha], ["supportIndices", json.supportIndices]] as const
  ) {
    if (!Array.isArray(v) || v.length !== m) {
      throw new RangeError(`${op}: ${name} must have one entry per support vector (${m})`);
    }
  }
  json.alpha.forEach((a, s) => {
    if (!finite(a) || !(a > 0) || a > C) {
      throw new RangeError(`${op}: alpha[${s}] must be in (0, C = ${C}], got ${a}`);
    }
  });
  const alpha = new Float64Array(n);
  json.supportIndices.forEach((i, s) => {
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      throw new RangeError(`${op}: supportIndices[${s}] must be an integer in [0, ${n}), got ${i}`);
    }
    alpha[i] = json.alpha[s];
  });
  return makeModel(
    {
      kernel,
      C,
      alpha,
      supportIndices: json.supportIndices.slice(),
      bias: json.bias,
      dualObjective: json.dualObjective,
      n,
    },
    sv,
    json.alpha,
    svY,
  );
}
