/**
 * `fitSVM`: a kernel SVM trained by solving its dual with quadprog (dense, exact, small n) or SMO
 * (large n), and the fitted model.
 *
 * @module
 */
import {
  checkX,
  type KernelFn,
  kernelFunction,
  kernelMatrix,
  type KernelSpec,
  scaleGamma,
} from "./kernels.ts";
import { checkC, checkY, dualQP, qp } from "./qp.ts";
import { smo } from "./smo.ts";

/** Options of {@linkcode fitSVM}. */
export interface FitOptions extends KernelSpec {
  /** Box bound on the multipliers (soft margin). Default 1. */
  C?: number;
  /** Default `'quadprog'` up to 2000 points, `'smo'` beyond. */
  solver?: "quadprog" | "smo";
  /** SMO's stopping tolerance (see `smo`). */
  tol?: number;
}

/** A fitted SVM: `f(x) = Σ_i α_i y_i k(x_i, x) + bias`, predicting `sign f(x)`. */
export interface SVMModel {
  /** Dual multipliers, one per training point. */
  alpha: Float64Array;
  /** Indices of the points with α > 1e-5·max(α) (relative). */
  supportIndices: number[];
  bias: number;
  /** The dual objective `Σα − ½ αᵀQα` at the solution (what both solvers maximise). */
  dualObjective: number;
  /** `f(x)` for each row of X. */
  decision(X: number[][]): Float64Array;
  /** `±1` for each row of X (`+1` where f = 0). */
  predict(X: number[][]): number[];
  /** Support vectors, their α·y, the bias and kernel parameters (named kernels only). */
  toJSON(): SVMJson;
}

/** The serialised model. */
export interface SVMJson {
  kernel: "linear" | "rbf" | "poly";
  gamma: number | null;
  degree: number | null;
  coef0: number | null;
  supportVectors: number[][];
  /** α_i y_i per support vector. */
  coef: number[];
  bias: number;
}

/**
 * LIBSVM's bias: `−ρ`, with ρ the mean of `y_i ∇_i` over free multipliers (0 < α < C), or the
 * midpoint of the feasible interval when none is free.
 */
function bias(alpha: Float64Array, grad: Float64Array, y: number[], C: number): number {
  let ub = Infinity, lb = -Infinity, sum = 0, free = 0;
  for (let i = 0; i < alpha.length; i++) {
    const yg = y[i] * grad[i];
    if (alpha[i] >= C) y[i] === -1 ? (ub = Math.min(ub, yg)) : (lb = Math.max(lb, yg));
    else if (alpha[i] <= 0) y[i] === 1 ? (ub = Math.min(ub, yg)) : (lb = Math.max(lb, yg));
    else (sum += yg), free++;
  }
  return -(free > 0 ? sum / free : (ub + lb) / 2);
}

function model(
  X: number[][],
  y: number[],
  k: KernelFn,
  spec: KernelSpec,
  alpha: Float64Array,
  grad: Float64Array,
  C: number,
): SVMModel {
  const amax = Math.max(...alpha);
  const supportIndices = [...alpha.keys()].filter((i) => alpha[i] > 1e-5 * amax);
  const b = bias(alpha, grad, y, C);
  const sv = supportIndices.map((i) => X[i]), coef = supportIndices.map((i) => alpha[i] * y[i]);
  return fromParts(k, spec, sv, coef, b, {
    alpha,
    supportIndices,
    // With ∇ = Qα − e: Σα − ½αᵀQα = Σ_i α_i − ½ α_i (∇_i + 1).
    dualObjective: alpha.reduce((s, a, i) => s + a - 0.5 * a * (grad[i] + 1), 0),
  });
}

function fromParts(
  k: KernelFn,
  spec: KernelSpec,
  sv: number[][],
  coef: number[],
  b: number,
  extra: { alpha: Float64Array; supportIndices: number[]; dualObjective: number },
): SVMModel {
  const decision = (Xq: number[][]) => {
    checkX("decision", Xq);
    if (Xq[0].length !== sv[0].length) {
      throw new RangeError(
        `decision: points have ${Xq[0].length} features, the model ${sv[0].length}`,
      );
    }
    return Float64Array.from(Xq, (x) => coef.reduce((s, c, i) => s + c * k(sv[i], x), b));
  };
  return {
    ...extra,
    bias: b,
    decision,
    predict: (Xq) => Array.from(decision(Xq), (f) => (f >= 0 ? 1 : -1)),
    toJSON: () => {
      if (typeof spec.kernel === "function") {
        throw new TypeError("toJSON: a model with a custom kernel function cannot be serialised");
      }
      return {
        kernel: spec.kernel,
        gamma: spec.kernel === "linear" ? null : spec.gamma ?? null,
        degree: spec.kernel === "poly" ? spec.degree ?? 3 : null,
        coef0: spec.kernel === "poly" ? spec.coef0 ?? 0 : null,
        supportVectors: sv,
        coef,
        bias: b,
      };
    },
  };
}

/**
 * Fits a binary kernel SVM (labels ±1). Kernels follow scikit-learn: rbf `exp(−γ‖x−z‖²)`, poly
 * `(γ x·z + coef0)^degree`.
 *
 * @example
 * ```ts
 * import { fitSVM } from "@convgrad/svm";
 * const m = fitSVM([[0, 0], [0, 1], [2, 2], [2, 3]], [-1, -1, 1, 1], { kernel: "linear", C: 10 });
 * m.predict([[0, 0.5], [2, 2.5]]); // [-1, 1]
 * ```
 */
export function fitSVM(X: number[][], y: number[], opts: FitOptions): SVMModel {
  const op = "fitSVM";
  checkX(op, X);
  const labels = checkY(op, y, X.length);
  if (opts === null || typeof opts !== "object") {
    throw new TypeError(`${op}: opts must be {kernel, C?, gamma?, ...}, got ${opts}`);
  }
  const C = checkC(op, opts.C ?? 1);
  const spec: KernelSpec = { ...opts };
  if (opts.kernel !== "linear" && typeof opts.kernel !== "function" && opts.gamma === undefined) {
    // Fix "scale" now, so the model (and its JSON) carries the number.
    spec.gamma = scaleGamma(X);
  }
  const k = kernelFunction(spec, X);
  const solver = opts.solver ?? (X.length <= 2000 ? "quadprog" : "smo");
  if (solver === "smo") {
    const r = smo(X, labels, k, C, { tol: opts.tol });
    return model(X, labels, k, spec, r.alpha, r.grad, C);
  }
  if (solver !== "quadprog") {
    throw new RangeError(`${op}: solver must be 'quadprog' or 'smo', got ${solver}`);
  }
  const p = dualQP(X, labels, spec, C);
  const { x, active } = qp(p.P, p.q, p.G, p.h, p.A, p.b);
  // Multipliers whose box constraint is in quadprog's active set are exactly on the bound (to
  // rounding): put them there, so that the bias rule sees them as bounded, not free.
  const n = X.length;
  const alpha = x.map((a, i) => (active[i] ? 0 : active[n + i] ? C : a));
  const K = kernelMatrix(X, k), grad = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = -1;
    for (let j = 0; j < n; j++) s += labels[i] * labels[j] * K[i * n + j] * alpha[j];
    grad[i] = s;
  }
  return model(X, labels, k, spec, alpha, grad, C);
}

/**
 * Rebuilds a model from {@linkcode SVMModel.toJSON}'s output.
 *
 * @example
 * ```ts
 * import { fitSVM, fromJSON } from "@convgrad/svm";
 * const m = fitSVM([[0], [1]], [-1, 1], { kernel: "rbf", gamma: 1 });
 * fromJSON(JSON.parse(JSON.stringify(m.toJSON()))).predict([[0.9]]); // [1]
 * ```
 */
export function fromJSON(json: SVMJson): SVMModel {
  if (json === null || typeof json !== "object" || !Array.isArray(json.supportVectors)) {
    throw new TypeError("fromJSON: json must be what SVMModel.toJSON() returns");
  }
  const spec: KernelSpec = {
    kernel: json.kernel,
    gamma: json.gamma ?? undefined,
    degree: json.degree ?? undefined,
    coef0: json.coef0 ?? undefined,
  };
  const sv = checkX("fromJSON", json.supportVectors);
  if (!Array.isArray(json.coef) || json.coef.length !== sv.length) {
    throw new RangeError("fromJSON: coef must have one entry per support vector");
  }
  const k = kernelFunction(spec, sv);
  return fromParts(k, spec, sv, json.coef, json.bias, {
    alpha: Float64Array.from(json.coef, Math.abs),
    supportIndices: sv.map((_, i) => i),
    dualObjective: NaN,
  });
}
