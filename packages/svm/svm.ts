/**
 * `fitSVM`: a kernel SVM trained by solving its dual with quadprog (one dense QP for small n, a
 * decomposition into quadprog-solved working sets beyond) or SMO, two classes or more (one
 * against one, with voting, as LIBSVM), and the fitted model with its JSON form.
 *
 * @module
 */
import { type Kernel, type KernelSpec, KernelTable, resolveKernel } from "./kernels.ts";
import { dualQP, qp } from "./qp.ts";
import { solveSMO } from "./smo.ts";
import { solveDecomposition } from "./decomposition.ts";
import { checkC, checkLabels, checkX } from "./validate.ts";

/** Options of {@linkcode fitSVM}. */
export interface FitOptions extends KernelSpec {
  /** Box bound on the multipliers (soft margin). Default 1. */
  C?: number;
  /**
   * `'quadprog'` (docs/svm-dual.md): the dense QP up to `denseMax` points, beyond that the
   * decomposition with quadprog solving each working set; `'smo'`: SMO. Default `'quadprog'` up
   * to `denseMax` points, `'smo'` beyond.
   */
  solver?: "quadprog" | "smo";
  /** The iterative solvers' stopping tolerance on the maximal violating pair (see `smo`). Default 1e-5. */
  tol?: number;
  /** The iterative solvers' kernel cache in bytes. Default 200 MiB. */
  cacheBytes?: number;
  /** The quadprog solver's working set size beyond `denseMax` (see `decomposition`). */
  workingSet?: number;
  /** The largest n the quadprog solver solves as one dense QP. Default 100: its time grows as n³ (measured: 0.15 s at n = 100, 1.6 s at n = 300, 90 s at n = 1000). */
  denseMax?: number;
  /** Called after each binary machine (one per pair of classes) with how many are done. */
  onProgress?: (done: number, total: number) => void;
}

/** A class label: numbers or strings (one kind per data set). */
export type Label = number | string;

/** One binary machine of a model: `f(x) = Σ_i α_i y_i k(x_i, x) + bias`, `y = +1` for `positive`. */
export interface Machine<L extends Label = number> {
  /** The class on the negative side (the smaller of the pair). */
  negative: L;
  /** The class on the positive side (f ≥ 0). */
  positive: L;
  /** Dual multipliers, one per training point (zero off this pair's two classes). */
  alpha: Float64Array;
  /** Training points with α > 1e-5·max(α): this machine's support vectors. */
  supportIndices: number[];
  /** `b` in f: LIBSVM's rule (the mean over the free multipliers' margin conditions). */
  bias: number;
  /** The dual objective `Σα − ½ Σ α_i α_j y_i y_j K_ij` at the solution (every solver maximises it). */
  dualObjective: number;
}

/**
 * A fitted SVM. Two classes: one machine, `predict` gives `positive` where `f(x) ≥ 0`. More: one
 * machine per pair of classes (LIBSVM's order: (0,1), (0,2), …, (1,2), …), each voting, the
 * class with most votes wins (ties to the first class).
 */
export interface SVMModel<L extends Label = number> {
  /** The kernel, every parameter fixed (gamma "scale" resolved to its number). */
  kernel: Kernel;
  /** The box bound the model was fitted with. */
  C: number;
  /** The classes, sorted (numbers ascending, strings by code unit). */
  classes: L[];
  /** The binary machines: one for two classes, k(k − 1)/2 for k. */
  machines: Machine<L>[];
  /** Two classes: the machine's α. More: each point's multipliers summed over the machines. */
  alpha: Float64Array;
  /** Every machine's support vectors (their union, ascending). */
  supportIndices: number[];
  /** Two classes: the machine's bias. More: NaN (each machine has its own). */
  bias: number;
  /** Two classes: the machine's dual objective. More: their sum. */
  dualObjective: number;
  /** `f(x)` for each row of X: `[N]` for two classes, `[N, machines]` row-major for more. */
  decision(X: ArrayLike<number>[]): Float64Array;
  /** The predicted class of each row of X. */
  predict(X: ArrayLike<number>[]): L[];
  /** Everything {@linkcode fromJSON} needs (named kernels only). */
  toJSON(): SVMJson<L>;
}

/** The serialised model: the support vectors once, and each machine's coefficients on them. */
export interface SVMJson<L extends Label = number> {
  /** The format's name and version. */
  format: "convgrad-svm/2";
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
  /** As {@linkcode SVMModel.classes}. */
  classes: L[];
  /** The support vectors' indices in the training set, ascending. */
  supportIndices: number[];
  /** The support vectors' features. */
  supportVectors: number[][];
  /** Per machine: its pair (indices into `classes`), bias, objective, and `α·y` on its support vectors. */
  machines: {
    negative: number;
    positive: number;
    bias: number;
    dualObjective: number;
    /** Positions in `supportVectors`. */
    sv: number[];
    /** `α_i y_i` for each of them. */
    coef: number[];
  }[];
}

/**
 * LIBSVM's bias: `−ρ`, with ρ the mean of `y_i ∇_i` over the free multipliers (0 < α < C, the
 * points on the margin, where `y_i f(x_i) = 1` gives `b = −y_i ∇_i`), or, when none is free, the
 * midpoint of the interval of values that the bounded ones allow.
 */
function bias(alpha: Float64Array, grad: Float64Array, y: Float64Array, C: number): number {
  let ub = Infinity, lb = -Infinity, sum = 0, free = 0;
  for (let i = 0, n = alpha.length; i < n; i++) {
    const a = alpha[i], yi = y[i], yg = yi * grad[i];
    // At C with y < 0 or at 0 with y > 0, y∇ bounds b from above; the other bounded ones below.
    if (a > 0 && a < C) (sum += yg), free++;
    else if ((a >= C) === (yi < 0)) ub = Math.min(ub, yg);
    else lb = Math.max(lb, yg);
  }
  return -(free > 0 ? sum / free : (ub + lb) / 2);
}

/** A machine as the model evaluates it: class indices, and `α·y` per support vector. */
interface MachineParts {
  negative: number;
  positive: number;
  alpha: Float64Array; // [n]
  supportIndices: number[];
  coef: Float64Array; // [SVs of this machine]
  bias: number;
  dualObjective: number;
}

/**
 * The model from its machines and the union of their support vectors (`union` ascending,
 * `rows` their features): every decision evaluates the kernel against the union once, then each
 * machine sums over its own.
 */
function makeModel<L extends Label>(
  kernel: Kernel,
  C: number,
  n: number,
  classes: L[],
  parts: MachineParts[],
  union: number[],
  rows: ArrayLike<number>[],
): SVMModel<L> {
  // The support vectors are copied now (the caller's rows may change later); their kernel table
  // is built on the first decision, not in the fit: a model only fitted and saved never needs it.
  const d = rows[0].length, sv = new Float64Array(rows.length * d); // [SVs, d]
  for (let p = 0; p < rows.length; p++) sv.set(rows[p], p * d);
  const svRows = () => Array.from(rows, (_, p) => sv.subarray(p * d, (p + 1) * d));
  let table: KernelTable | null = null;
  // Each machine's support vectors as positions in the union (one machine: the union itself).
  let svPos = [Int32Array.from(union.keys())];
  if (parts.length > 1) {
    const at = new Map(union.map((i, p) => [i, p]));
    svPos = parts.map((m) => Int32Array.from(m.supportIndices, (i) => at.get(i)!));
  }
  const machines: Machine<L>[] = parts.map((m) => ({
    negative: classes[m.negative],
    positive: classes[m.positive],
    alpha: m.alpha,
    supportIndices: m.supportIndices,
    bias: m.bias,
    dualObjective: m.dualObjective,
  }));
  const binary = parts.length === 1, M = parts.length;
  const decision = (X: ArrayLike<number>[]): Float64Array => {
    checkX("decision", X);
    if (X[0].length !== d) {
      throw new RangeError(`decision: X has ${X[0].length} features, the model ${d}`);
    }
    table ??= new KernelTable(svRows(), kernel);
    const f = new Float64Array(X.length * M), B = KernelTable.BLOCK, n = table.n;
    for (let r0 = 0; r0 < X.length; r0 += B) {
      const count = Math.min(B, X.length - r0), K = table!.block(X, r0, count); // [count, n]
      for (let q = 0; q < count; q++) {
        parts.forEach((m, j) => {
          const pos = svPos[j], coef = m.coef, at = q * n;
          let s = m.bias;
          for (let t = 0; t < pos.length; t++) s += coef[t] * K[at + pos[t]];
          f[(r0 + q) * M + j] = s;
        });
      }
    }
    return f;
  };
  const predict = (X: ArrayLike<number>[]): L[] => {
    const f = decision(X), votes = new Int32Array(classes.length);
    return X.map((_, r) => {
      votes.fill(0);
      parts.forEach((m, j) => votes[f[r * M + j] >= 0 ? m.positive : m.negative]++);
      let best = 0;
      for (let c = 1; c < votes.length; c++) if (votes[c] > votes[best]) best = c;
      return classes[best];
    });
  };
  let sumAlpha = parts[0].alpha;
  if (!binary) {
    sumAlpha = new Float64Array(n);
    for (const m of parts) m.alpha.forEach((a, i) => (sumAlpha[i] += a));
  }
  return {
    kernel,
    C,
    classes,
    machines,
    alpha: sumAlpha,
    supportIndices: union,
    bias: binary ? parts[0].bias : NaN,
    dualObjective: binary ? parts[0].dualObjective : parts.reduce((s, m) => s + m.dualObjective, 0),
    decision,
    predict,
    toJSON: () => {
      const { kernel: name, gamma, degree, coef0 } = kernel;
      if (typeof name === "function") {
        throw new TypeError("toJSON: a model with a custom kernel function cannot be serialised");
      }
      const orNull = (v: number) => (Number.isNaN(v) ? null : v);
      return {
        format: "convgrad-svm/2",
        kernel: name,
        gamma: orNull(gamma),
        degree: orNull(degree),
        coef0: orNull(coef0),
        C,
        n,
        classes: classes.slice(),
        supportIndices: union.slice(),
        supportVectors: svRows().map((x) => Array.from(x)),
        machines: parts.map((m, j) => ({
          negative: m.negative,
          positive: m.positive,
          bias: m.bias,
          dualObjective: m.dualObjective,
          sv: Array.from(svPos[j]),
          coef: Array.from(m.coef),
        })),
      };
    },
  };
}

/** α and ∇ of one binary dual (labels ±1) by the solver the options ask for. */
function solveBinary(
  op: string,
  X: ArrayLike<number>[],
  y: Float64Array,
  kernel: Kernel,
  C: number,
  opts: FitOptions,
): { alpha: Float64Array; grad: Float64Array } {
  const n = X.length, denseMax = opts.denseMax ?? 100;
  const solver = opts.solver ?? (n <= denseMax ? "quadprog" : "smo");
  const iterative = { tol: opts.tol, cacheBytes: opts.cacheBytes, workingSet: opts.workingSet };
  if (solver !== "smo" && solver !== "quadprog") {
    throw new RangeError(`${op}: solver must be 'quadprog' or 'smo', got ${solver}`);
  }
  if (solver === "smo" || n > denseMax) {
    using table = new KernelTable(X, kernel, { reuse: true });
    return solver === "smo"
      ? solveSMO(table, y, C, iterative)
      : solveDecomposition(table, y, C, iterative);
  }
  const p = dualQP(X, y, kernel, C);
  const { x, active } = qp(p.P, p.q, p.G, p.h, p.A, p.b);
  // Multipliers whose box constraint is in quadprog's active set are on the bound (to
  // rounding): put them there, so that the bias rule sees them as bounded, not free.
  const alpha = x.map((a, i) => (active[i] ? 0 : active[n + i] ? C : a));
  const grad = Float64Array.from(p.P, (row) => row.reduce((s, v, j) => s + v * alpha[j], -1)); // Pα − e
  return { alpha, grad };
}

/**
 * Fits a kernel SVM. Two classes: the dual
 * `max Σα − ½ Σ α_i α_j y_i y_j k(x_i, x_j)` s.t. `0 ≤ α ≤ C`, `Σ α_i y_i = 0`, with `y = +1` on
 * the larger class (so labels ±1 keep their sign). More classes: one such machine per pair,
 * trained on that pair's points, voting (LIBSVM's one-against-one). Kernels follow
 * scikit-learn: linear `x·z`, rbf `exp(−γ‖x−z‖²)`, poly `(γ x·z + coef0)^degree`, or any
 * function (not serialisable).
 *
 * @example
 * ```ts
 * import { fitSVM } from "@convgrad/svm";
 * const m = fitSVM([[0, 0], [0, 1], [2, 2], [2, 3]], [-1, -1, 1, 1], { kernel: "linear", C: 10 });
 * m.predict([[0, 0.5], [2, 2.5]]); // [-1, 1]
 * const three = fitSVM([[0], [1], [5], [6], [10], [11]], ["a", "a", "b", "b", "c", "c"], {
 *   kernel: "linear",
 * });
 * three.predict([[0.5], [5.5], [12]]); // ["a", "b", "c"]
 * ```
 */
export function fitSVM<L extends Label = number>(
  X: ArrayLike<number>[],
  y: ArrayLike<L>,
  opts: FitOptions,
): SVMModel<L> {
  const op = "fitSVM";
  checkX(op, X);
  const n = X.length, { classes, index } = checkLabels<L>(op, y, n);
  const kernel = resolveKernel(op, opts, X);
  const C = checkC(op, opts.C ?? 1);
  const denseMax = opts.denseMax ?? 100;
  if (typeof denseMax !== "number" || !(denseMax >= 0)) {
    throw new RangeError(`${op}: denseMax must be a number >= 0, got ${denseMax}`);
  }
  const k = classes.length, total = (k * (k - 1)) / 2, parts: MachineParts[] = [];
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      // Plain loops here and below: they run once per fit, mostly before the JIT has seen them.
      const members: number[] = [];
      for (let i = 0; i < n; i++) if (index[i] === a || index[i] === b) members.push(i);
      const m = members.length, all = m === n, yPair = new Float64Array(m);
      const Xp: ArrayLike<number>[] = all ? X : new Array(m);
      for (let s = 0; s < m; s++) {
        yPair[s] = index[members[s]] === b ? 1 : -1;
        if (!all) Xp[s] = X[members[s]];
      }
      const { alpha: sub, grad } = solveBinary(op, Xp, yPair, kernel, C, opts);
      let alpha = sub; // the solvers return α in arrays of their own
      if (!all) {
        alpha = new Float64Array(n);
        for (let s = 0; s < m; s++) alpha[members[s]] = sub[s];
      }
      // Σα − ½ αᵀQα with Qα = ∇ + e.
      let amax = 0, dualObjective = 0;
      for (let s = 0; s < m; s++) {
        if (sub[s] > amax) amax = sub[s];
        dualObjective += 0.5 * sub[s] * (1 - grad[s]);
      }
      const supportIndices: number[] = [], coef: number[] = [];
      for (let s = 0; s < m; s++) {
        if (sub[s] > 1e-5 * amax) (supportIndices.push(members[s]), coef.push(sub[s] * yPair[s]));
      }
      parts.push({
        negative: a,
        positive: b,
        alpha,
        supportIndices,
        coef: Float64Array.from(coef),
        bias: bias(sub, grad, yPair, C),
        dualObjective,
      });
      opts.onProgress?.(parts.length, total);
    }
  }
  const union = parts.length === 1
    ? parts[0].supportIndices.slice()
    : [...new Set(parts.flatMap((m) => m.supportIndices))].sort((u, v) => u - v);
  return makeModel(kernel, C, n, classes, parts, union, union.map((i) => X[i]));
}

/**
 * Rebuilds a model from {@linkcode SVMModel.toJSON}'s output. The decision function is the same
 * to the last bit; each machine's `alpha` has the training set's length, zero off its support
 * vectors.
 *
 * @example
 * ```ts
 * import { fitSVM, fromJSON } from "@convgrad/svm";
 * const m = fitSVM([[0], [1]], [-1, 1], { kernel: "rbf", gamma: 1 });
 * fromJSON(JSON.parse(JSON.stringify(m.toJSON()))).predict([[0.9]]); // [1]
 * ```
 */
export function fromJSON<L extends Label = number>(json: SVMJson<L>): SVMModel<L> {
  const op = "fromJSON";
  if (json === null || typeof json !== "object" || json.format !== "convgrad-svm/2") {
    throw new TypeError(
      `${op}: json must be what SVMModel.toJSON() returns (format convgrad-svm/2)`,
    );
  }
  const sv = checkX(op, json.supportVectors), nsv = sv.length;
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
  const { classes } = checkLabels<L>(op, json.classes, json.classes?.length);
  if (!Number.isInteger(n) || n < nsv) {
    throw new RangeError(`${op}: n must be an integer >= ${nsv} (the support vectors), got ${n}`);
  }
  const union = json.supportIndices;
  if (!Array.isArray(union) || union.length !== nsv) {
    throw new RangeError(`${op}: supportIndices must have one entry per support vector (${nsv})`);
  }
  union.forEach((i, s) => {
    if (!Number.isInteger(i) || i < 0 || i >= n || (s > 0 && i <= union[s - 1])) {
      throw new RangeError(
        `${op}: supportIndices must be ascending integers in [0, ${n}), got ${i} at ${s}`,
      );
    }
  });
  const nc = classes.length;
  if (!Array.isArray(json.machines) || json.machines.length !== (nc * (nc - 1)) / 2) {
    throw new RangeError(`${op}: machines must hold one machine per pair of the ${nc} classes`);
  }
  const finite = (v: unknown) => typeof v === "number" && Number.isFinite(v);
  const parts = json.machines.map((m, j): MachineParts => {
    const where = `${op}: machines[${j}]`;
    for (const [name, v] of [["bias", m.bias], ["dualObjective", m.dualObjective]] as const) {
      if (!finite(v)) throw new RangeError(`${where}.${name} must be a finite number, got ${v}`);
    }
    if (!(m.negative >= 0 && m.negative < m.positive && m.positive < nc)) {
      throw new RangeError(
        `${where}: negative < positive must index classes, got ${m.negative}, ${m.positive}`,
      );
    }
    if (!Array.isArray(m.sv) || !Array.isArray(m.coef) || m.sv.length !== m.coef.length) {
      throw new RangeError(`${where}: sv and coef must be arrays of one length`);
    }
    const alpha = new Float64Array(n);
    m.sv.forEach((p, t) => {
      const c = m.coef[t];
      if (!Number.isInteger(p) || p < 0 || p >= nsv) {
        throw new RangeError(`${where}.sv[${t}] must be an integer in [0, ${nsv}), got ${p}`);
      }
      if (!finite(c) || c === 0 || Math.abs(c) > C) {
        throw new RangeError(`${where}.coef[${t}] must be α·y with α in (0, C = ${C}], got ${c}`);
      }
      alpha[union[p]] = Math.abs(c);
    });
    return {
      negative: m.negative,
      positive: m.positive,
      alpha,
      supportIndices: m.sv.map((p) => union[p]),
      coef: Float64Array.from(m.coef),
      bias: m.bias,
      dualObjective: m.dualObjective,
    };
  });
  return makeModel(kernel, C, n, classes, parts, union.slice(), sv);
}
