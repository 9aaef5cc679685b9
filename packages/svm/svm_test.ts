import { assert, assertEquals, assertThrows } from "@convgrad/base/testing";
import { createRng } from "@convgrad/base";
import quadprog from "quadprog";
import { ColumnCache } from "./dual.ts";
import {
  dualQP,
  fitSVM,
  fromJSON,
  kernelMatrix,
  KernelTable,
  qp,
  resolveKernel,
  smo,
  type SVMModel,
} from "./mod.ts";

const close = (a: number, b: number, tol: number, what: string) =>
  assert(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

/** Two Gaussian blobs in 2-D, seeded; `shift` sets the overlap. */
function blobs(n: number, shift: number, seed: number): { X: number[][]; y: number[] } {
  const rand = createRng(seed),
    gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const X: number[][] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2 ? 1 : -1;
    X.push([gauss() + c * shift, gauss() + c * shift]);
    y.push(c);
  }
  return { X, y };
}

/** `Σ_j α_j y_j k(x_j, x_i)` for every training point i, straight from the definition. */
function margins(m: SVMModel, X: number[][], y: number[]): number[] {
  const K = kernelMatrix(new KernelTable(X, m.kernel)), n = X.length;
  return X.map((_, i) => y.reduce((s, yj, j) => s + m.alpha[j] * yj * K[j * n + i], 0));
}

/**
 * The KKT conditions of the dual, from first principles: 0 ≤ α ≤ C, Σ α y = 0, and with
 * g_i = y_i f(x_i): g ≥ 1 where α = 0, g = 1 where 0 < α < C, g ≤ 1 where α = C; and strong
 * duality, the primal objective ½‖w‖² + C Σ max(0, 1 − g_i) equal to the dual one.
 */
function checkKKT(m: SVMModel, X: number[][], y: number[], tol: number, what: string): void {
  const { alpha, C, bias } = m, s = margins(m, X, y);
  close(alpha.reduce((t, a, i) => t + a * y[i], 0), 0, 1e-9, `${what}: Σαy`);
  let w2 = 0, hinge = 0;
  X.forEach((_, i) => {
    assert(alpha[i] >= 0 && alpha[i] <= C, `${what}: α[${i}] = ${alpha[i]} outside [0, C]`);
    const g = y[i] * (s[i] + bias);
    const rel = 1e-6 * C; // "at a bound" for the quadprog solution's rounding
    if (alpha[i] <= rel) assert(g >= 1 - tol, `${what}: α[${i}] = 0 but y f = ${g}`);
    else if (alpha[i] >= C - rel) assert(g <= 1 + tol, `${what}: α[${i}] = C but y f = ${g}`);
    else close(g, 1, tol, `${what}: free α[${i}] off the margin`);
    w2 += alpha[i] * y[i] * s[i];
    hinge += Math.max(0, 1 - g);
  });
  close(0.5 * w2 + C * hinge, m.dualObjective, tol, `${what}: primal = dual`);
}

Deno.test("two points by hand: α = ¼, w = (½, ½), b = −1", () => {
  // x₁ = (0,0), y = −1; x₂ = (2,2), y = +1. The margin is the perpendicular bisector:
  // w = (½, ½), b = −1, so that w·x + b = ∓1 on the points; Σα y x = w gives α = ¼ each, and
  // the dual objective is Σα − ½‖w‖² = ½ − ¼.
  for (const solver of ["quadprog", "smo"] as const) {
    const m = fitSVM([[0, 0], [2, 2]], [-1, 1], { kernel: "linear", C: 10, solver });
    close(m.alpha[0], 0.25, 1e-6, `${solver} α₁`);
    close(m.alpha[1], 0.25, 1e-6, `${solver} α₂`);
    close(m.bias, -1, 1e-6, `${solver} b`);
    const f = m.decision([[0, 0], [2, 2], [1, 1], [3, 1]]);
    [-1, 1, 0, 1].forEach((v, i) => close(f[i], v, 1e-6, `${solver} f at point ${i}`));
    close(m.dualObjective, 0.25, 1e-6, `${solver} dual objective`);
  }
});

Deno.test("three points by hand: a non-support point gets α = 0, the bias from the margin", () => {
  // 1-D: x = 0 (−1), 2 (+1), 3 (+1). Hard margin between 0 and 2: w = 1, b = −1. Then
  // w = Σ α y x = 2α₂ + 3α₃ with α₃ = 0 gives α₂ = ½, and Σ α y = 0 gives α₁ = ½.
  for (const solver of ["quadprog", "smo"] as const) {
    const m = fitSVM([[0], [2], [3]], [-1, 1, 1], { kernel: "linear", C: 100, solver });
    [0.5, 0.5, 0].forEach((a, i) => close(m.alpha[i], a, 1e-6, `${solver} α[${i}]`));
    assertEquals(m.supportIndices, [0, 1]);
    close(m.bias, -1, 1e-6, `${solver} b`);
    close(m.dualObjective, 0.5, 1e-6, `${solver} Σα − ½w² = 1 − ½`);
  }
});

Deno.test("four points, two on the wrong side: every α at C, by hand", () => {
  // 1-D: −1 (−1), 1 (+1), 0.2 (−1), −0.2 (+1); C = ½. With y x = (1, 1, −0.2, −0.2), w =
  // α₁ + α₂ − 0.2(α₃ + α₄), and Σαy = 0 with the symmetry gives α₁ = α₂ = a, α₃ = α₄ = c.
  // ∂/∂α_i of Σα − ½w² is 1 − w y_i x_i: at a = c = C, w = 0.8 and these are 0.2 and 1.16,
  // both > 0, so every α sits at C = ½: w = 0.8, the dual is 2 − ½·0.64 = 1.68, and LIBSVM's
  // midpoint rule gives b = 0 (no free multiplier).
  const X = [[-1], [1], [0.2], [-0.2]], y = [-1, 1, -1, 1];
  for (const solver of ["quadprog", "smo"] as const) {
    const m = fitSVM(X, y, { kernel: "linear", C: 0.5, solver });
    m.alpha.forEach((a, i) => close(a, 0.5, 1e-6, `${solver} α[${i}]`));
    close(m.dualObjective, 1.68, 1e-6, `${solver} dual`);
    close(m.bias, 0, 1e-6, `${solver} b`);
    close(m.decision([[1]])[0], 0.8, 1e-6, `${solver} f(1) = w`);
  }
});

Deno.test("hard margin equals the brute-force widest slab (2-D)", () => {
  // Independent oracle: for a unit direction u(θ) the widest slab separating the classes has
  // half-width (min₊ u·x − max₋ u·x)/2; maximise over θ by a grid and golden-section search. The
  // SVM's w is u / halfwidth and b = −u·(midpoint)/halfwidth.
  const { X, y } = blobs(40, 2.2, 7);
  const slab = (t: number) => {
    const u = [Math.cos(t), Math.sin(t)];
    const p = X.map((x) => u[0] * x[0] + u[1] * x[1]);
    const lo = Math.min(...p.filter((_, i) => y[i] > 0)),
      hi = Math.max(...p.filter((_, i) => y[i] < 0));
    return { u, half: (lo - hi) / 2, mid: (lo + hi) / 2 };
  };
  let t = 0;
  for (let k = 0; k < 3600; k++) {
    if (slab(k / 1800 * Math.PI).half > slab(t).half) t = k / 1800 * Math.PI;
  }
  let [a, b] = [t - Math.PI / 1800, t + Math.PI / 1800];
  const phi = (Math.sqrt(5) - 1) / 2;
  for (let k = 0; k < 80; k++) {
    const c = b - phi * (b - a), d = a + phi * (b - a);
    if (slab(c).half > slab(d).half) b = d;
    else a = c;
  }
  const best = slab((a + b) / 2);
  assert(best.half > 0, "the blobs must be separable for this test");
  for (const solver of ["quadprog", "smo"] as const) {
    const m = fitSVM(X, y, { kernel: "linear", C: 1e4, solver, tol: 1e-9 });
    const w = [0, 1].map((d) => m.alpha.reduce((s, al, i) => s + al * y[i] * X[i][d], 0));
    close(w[0], best.u[0] / best.half, 1e-5, `${solver} w₀`);
    close(w[1], best.u[1] / best.half, 1e-5, `${solver} w₁`);
    close(m.bias, -best.mid / best.half, 1e-5, `${solver} b`);
    checkKKT(m, X, y, 1e-6, solver);
  }
});

Deno.test("no free multiplier: the bias is the midpoint of the interval the KKT conditions allow", () => {
  // With a tiny C every support vector is bounded. The conditions on b then read, with
  // s_i = Σ_j α_j y_j K_ji: α = C ⇒ y(s + b) ≤ 1, α = 0 ⇒ y(s + b) ≥ 1: an interval for b.
  const { X, y } = blobs(60, 0.3, 11);
  const m = fitSVM(X, y, { kernel: "rbf", gamma: 1, C: 1e-3, solver: "smo", tol: 1e-9 });
  assert(m.alpha.every((a) => a === 0 || a === 1e-3), "expected every α at a bound");
  const s = margins(m, X, y);
  let lo = -Infinity, hi = Infinity;
  X.forEach((_, i) => {
    const atC = m.alpha[i] > 0, bound = y[i] - s[i]; // y(s + b) = 1 at b = y − s
    if (atC === y[i] > 0) hi = Math.min(hi, bound);
    else lo = Math.max(lo, bound);
  });
  assert(lo <= hi + 1e-9, `empty interval [${lo}, ${hi}]`);
  close(m.bias, (lo + hi) / 2, 1e-9, "bias");
});

Deno.test("dualQP is the formulation of docs/svm-dual.md", () => {
  const { P, q, G, h, A, b } = dualQP(
    [[1, 0], [0, 2], [1, 1]],
    [1, -1, 1],
    { kernel: "linear" },
    3,
  );
  assertEquals(P.map((r) => r.map((v) => v + 0)), [[1, 0, 1], [0, 4, -2], [1, -2, 2]]); // y_i y_j x_i·x_j
  assertEquals(q, [-1, -1, -1]);
  assertEquals(G, [[-1, 0, 0], [0, -1, 0], [0, 0, -1], [1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  assertEquals(h, [0, 0, 0, 3, 3, 3]);
  assertEquals([A, b], [[[1, -1, 1]], [0]]);
});

Deno.test("kernels follow scikit-learn's definitions", () => {
  const X = [[0.5, -1, 2], [1, 0.25, -0.5], [-2, 1, 0]];
  const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
  const sq = (a: number[], b: number[]) => a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0);
  const all = X.flat(), mean = all.reduce((s, v) => s + v) / all.length;
  const scale = 1 / (3 * all.reduce((s, v) => s + (v - mean) ** 2, 0) / all.length); // "scale"
  const cases: [Parameters<typeof resolveKernel>[1], (a: number[], b: number[]) => number][] = [
    [{ kernel: "linear" }, dot],
    [{ kernel: "rbf", gamma: 0.7 }, (a, b) => Math.exp(-0.7 * sq(a, b))],
    [{ kernel: "rbf" }, (a, b) => Math.exp(-scale * sq(a, b))],
    [{ kernel: "poly", gamma: 0.5, degree: 3, coef0: 1 }, (a, b) => (0.5 * dot(a, b) + 1) ** 3],
    [{ kernel: "poly" }, (a, b) => (scale * dot(a, b)) ** 3],
    [{ kernel: (a, b) => Math.abs(a[0] - b[0]) + 1 }, (a, b) => Math.abs(a[0] - b[0]) + 1],
  ];
  for (const [spec, k] of cases) {
    const K = kernelMatrix(new KernelTable(X, resolveKernel("test", spec, X)));
    X.forEach((a, i) => X.forEach((b, j) => close(K[i * 3 + j], k(a, b), 1e-14, `${spec.kernel}`)));
  }
});

Deno.test("qp solves small QPs to their KKT points", () => {
  // min ½(x² + y²) − x − y  s.t.  x + y ≤ 1, x − y = 0  →  x = y = ½, the inequality active.
  const s = qp([[1, 0], [0, 1]], [-1, -1], [[1, 1]], [1], [[1, -1]], [0]);
  close(s.x[0], 0.5, 1e-9, "x");
  close(s.x[1], 0.5, 1e-9, "y");
  close(s.objective, -0.75, 1e-9, "objective");
  assertEquals(Array.from(s.active), [1]);
  // min ½‖x‖² − 3x₀  s.t.  x₀ ≤ 1, x₁ ≥ 2 (−x₁ ≤ −2)  →  (1, 2), objective ½·5 − 3.
  const t = qp([[1, 0], [0, 1]], [-3, 0], [[1, 0], [0, -1]], [1, -2], [], []);
  close(t.x[0], 1, 1e-9, "x₀");
  close(t.x[1], 2, 1e-9, "x₁");
  close(t.objective, -0.5, 1e-9, "objective");
});

Deno.test("quadprog and SMO agree on the dual objective to 1e-6, and both meet the KKT conditions", () => {
  for (const [shift, seed] of [[1, 1], [0.5, 2], [2, 3]]) {
    const { X, y } = blobs(100, shift, seed);
    for (const kernel of ["linear", "rbf", "poly"] as const) {
      const opts = { kernel, C: 1, gamma: 0.5, degree: 2, coef0: 1 };
      const a = fitSVM(X, y, { ...opts, solver: "quadprog" });
      const b = fitSVM(X, y, { ...opts, solver: "smo", tol: 1e-6 });
      const what = `${kernel}, shift ${shift}`;
      close(a.dualObjective, b.dualObjective, 1e-6, what);
      checkKKT(a, X, y, 1e-5, `quadprog ${what}`);
      checkKKT(b, X, y, 1e-5, `smo ${what}`);
      assertEquals(a.predict(X), b.predict(X));
    }
  }
});

Deno.test("SMO: shrinking, a two-column cache and a kernel function change nothing", () => {
  const { X, y } = blobs(300, 0.5, 5), C = 2;
  const ref = smo(X, y, { kernel: "rbf", gamma: 0.8 }, C, { tol: 1e-8, shrinking: false });
  const variants = [
    smo(X, y, { kernel: "rbf", gamma: 0.8 }, C, { tol: 1e-8 }),
    smo(X, y, { kernel: "rbf", gamma: 0.8 }, C, { tol: 1e-8, cacheBytes: 1 }),
    smo(
      X,
      y,
      {
        kernel: (a, b) => Math.exp(-0.8 * ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2)),
      },
      C,
      { tol: 1e-8 },
    ),
  ];
  const dual = (r: typeof ref) => r.alpha.reduce((s, a, i) => s + 0.5 * a * (1 - r.grad[i]), 0);
  for (const r of variants) {
    assert(r.gap < 1e-8 && r.iterations > 0 && r.kernelEvaluations > 0);
    close(dual(r), dual(ref), 1e-10, "dual objective");
    r.alpha.forEach((a, i) => close(a, ref.alpha[i], 1e-5, `α[${i}]`));
  }
});

Deno.test("XOR with rbf; the JSON round trip keeps the model to the last bit", () => {
  const X = [[0, 0], [1, 1], [1, 0], [0, 1]], y = [-1, -1, 1, 1];
  const m = fitSVM(X, y, { kernel: "rbf", gamma: 2, C: 10 });
  assertEquals(m.predict(X), y);
  assertEquals(m.supportIndices, [0, 1, 2, 3]);
  for (const spec of [{ kernel: "rbf" as const, C: 10 }, { kernel: "poly" as const, coef0: 1 }]) {
    const { X: Xb, y: yb } = blobs(50, 0.5, 4);
    const fit = fitSVM(Xb, yb, spec);
    const back = fromJSON(JSON.parse(JSON.stringify(fit.toJSON())));
    const q = [[0.1, 0.2], [0.9, -1.1], [0.5, 0.5]];
    assertEquals(Array.from(back.decision(q)), Array.from(fit.decision(q)));
    assertEquals([back.kernel, back.bias, back.C], [fit.kernel, fit.bias, fit.C]);
    assertEquals(back.supportIndices, fit.supportIndices);
    fit.supportIndices.forEach((i) => assertEquals(back.alpha[i], fit.alpha[i]));
    assertEquals(back.alpha.length, 50);
  }
  const bad = { ...m.toJSON(), gamma: null };
  assertThrows(() => fromJSON(bad), RangeError, "needs a number gamma");
  const json = m.toJSON();
  assertThrows(
    () => fromJSON({ ...json, machines: [{ ...json.machines[0], coef: [1] }] }),
    RangeError,
    "sv and coef must be arrays of one length",
  );
  assertThrows(() => fromJSON({} as never), TypeError, "format convgrad-svm/2");
  const custom = fitSVM(X, y, { kernel: (a, b) => a[0] * b[0] + a[1] * b[1] + 1, C: 1 });
  assertThrows(() => custom.toJSON(), TypeError, "custom kernel");
});

Deno.test("bad input is a clear error naming the argument", () => {
  const X = [[0, 0], [1, 1]];
  const cases: [() => unknown, new (...a: never[]) => Error, string][] = [
    [() => fitSVM(X, [1, NaN], { kernel: "linear" }), RangeError, "y[1] must be a finite number"],
    [() => fitSVM(X, [1, "a"] as never, { kernel: "linear" }), RangeError, "y[1] must be a finite"],
    [() => fitSVM(X, [1, 1], { kernel: "linear" }), RangeError, "at least two classes, got only 1"],
    [() => fitSVM(X, [1], { kernel: "linear" }), RangeError, "1 labels for 2 points"],
    [() => fitSVM([], [], { kernel: "linear" }), RangeError, "X must be a non-empty"],
    [() => fitSVM([[0, NaN], [1, 1]], [1, -1], { kernel: "linear" }), RangeError, "X[0][1]"],
    [() => fitSVM([[0, 1], [Infinity, 1]], [1, -1], { kernel: "linear" }), RangeError, "X[1][0]"],
    // Typed rows take another path to the same message.
    [
      () => fitSVM([Float64Array.of(0, 1), Float32Array.of(1, NaN)], [1, -1], { kernel: "linear" }),
      RangeError,
      "X[1][1] must be a finite number, got NaN",
    ],
    [
      () => fitSVM([Float64Array.of(0, -Infinity), [1, 1]], [1, -1], { kernel: "linear" }),
      RangeError,
      "X[0][1]",
    ],
    [
      () => fitSVM([BigInt64Array.of(0n, 1n), [1, 1]] as never, [1, -1], { kernel: "linear" }),
      RangeError,
      "X[0][0] must be a finite number, got 0",
    ],
    [() => fitSVM([[0, 1], [1]], [1, -1], { kernel: "linear" }), RangeError, "X[1] has 1"],
    [() => fitSVM(X, [1, -1], { kernel: "linear", C: 0 }), RangeError, "C must be"],
    [() => fitSVM(X, [1, -1], { kernel: "linear", C: -1 }), RangeError, "got -1"],
    [() => fitSVM(X, [1, -1], { kernel: "rbf", gamma: -1 }), RangeError, "gamma must be"],
    [() => fitSVM(X, [1, -1], { kernel: "rbf", gamma: 0 }), RangeError, "gamma must be"],
    [() => fitSVM(X, [1, -1], { kernel: "poly", degree: 1.5 }), RangeError, "degree"],
    [() => fitSVM(X, [1, -1], { kernel: "sigmoid" as never }), RangeError, "kernel must be"],
    [() => fitSVM(X, [1, -1], { kernel: "linear", solver: "cvx" as never }), RangeError, "solver"],
    [() => fitSVM(X, [1, -1], null as never), TypeError, "options must be"],
    [() => fitSVM(X, [1, -1], { kernel: () => NaN }), RangeError, "kernel function returned NaN"],
    [() => smo(X, [1, -1], { kernel: "linear" }, 1, { tol: 0 }), RangeError, "tol must be"],
    [() => smo(X, [1, -1], { kernel: "linear" }, NaN), RangeError, "smo: C must be"],
    [() => dualQP(X, [-1, -1], { kernel: "linear" }, 1), RangeError, "dualQP: y must contain"],
    [() => qp([[1]], [1, 2], [], [], [], []), RangeError, "P must be 2 x 2"],
    [() => qp([[1]], [NaN], [], [], [], []), RangeError, "q must hold finite numbers"],
    [() => qp([[1]], [1], [[1]], [], [], []), RangeError, "G must be 0 x 1"],
    [() => qp([[1]], [1], [], undefined as never, [], []), TypeError, "h must be an array"],
    [
      () => fitSVM(X, [1, -1], { kernel: "linear" }).decision([[1, 2, 3]]),
      RangeError,
      "3 features",
    ],
  ];
  for (const [f, type, text] of cases) assertThrows(f, type, text);
});

Deno.test("quadprog's silent wrong point is caught: qp returns a feasible KKT point or throws", () => {
  // A cubic kernel makes P badly conditioned; measured: quadprog then returns box violations of
  // 1e-3 here with an empty message.
  const { X, y } = blobs(200, 1, 1);
  const p = dualQP(X, y, { kernel: "poly", gamma: 0.5, degree: 3 }, 1);
  const scale = Math.max(...p.P.map((r, i) => r[i]));
  const D = [
    [],
    ...p.P.map((r, i) => [0, ...r.map((v, j) => (v + (i === j ? 1e-9 * scale : 0)) / scale)]),
  ];
  const A = [[], ...X.map((_, i) => [0, y[i], ...p.G.map((g) => -g[i])])];
  const raw = quadprog.solveQP(D, [0, ...p.q.map((v) => -v / scale)], A, [
    0,
    0,
    ...p.h.map((v) => -v),
  ], 1);
  const worst = Math.max(...raw.solution.slice(1).map((a: number) => Math.max(-a, a - 1)));
  assert(raw.message === "" && worst > 1e-4, `expected quadprog's trap, got violation ${worst}`);
  let sol;
  try {
    sol = qp(p.P, p.q, p.G, p.h, p.A, p.b);
  } catch (e) {
    assert(String(e).includes("no point passing the feasibility and KKT checks"), String(e));
    return;
  }
  const violation = Math.max(...Array.from(sol.x, (a) => Math.max(-a, a - 1)));
  assert(violation < 1e-6, `qp returned a box violation of ${violation}`);
  close(Array.from(sol.x).reduce((s, a, i) => s + a * y[i], 0), 0, 1e-6, "yᵀα");
  const b = fitSVM(X, y, { kernel: "poly", gamma: 0.5, degree: 3, C: 1, solver: "smo", tol: 1e-7 });
  close(-sol.objective, b.dualObjective, 1e-6, "agrees with SMO");
});

Deno.test("the kernel column cache: partial columns grow, shrinking drops short ones, eviction", () => {
  const { X } = blobs(7, 0.5, 9);
  const table = new KernelTable(X, resolveKernel("test", { kernel: "rbf", gamma: 0.3 }, X));
  const K = kernelMatrix(table);
  const cache = new ColumnCache(table, 3 * 7 * 8); // three columns
  const expect = (i: number, col: Float64Array, on: number[]) =>
    on.forEach((t) => assertEquals(col[t], K[t * 7 + i], `K[${t}, ${i}]`));
  const active = Int32Array.of(5, 1, 3, 0, 2, 4, 6);
  expect(0, cache.get(0, active, 3), [5, 1, 3]);
  assertEquals(cache.evaluations, 3);
  expect(0, cache.get(0, active, 2), [5, 1]); // a hit: nothing computed
  assertEquals(cache.evaluations, 3);
  expect(0, cache.get(0, active, 5), [5, 1, 3, 0, 2]); // only positions 3 and 4 computed
  assertEquals(cache.evaluations, 5);
  expect(0, cache.get(0, active, 2, true), [0, 1, 2, 3, 4, 5, 6]); // the 2 still missing
  assertEquals(cache.evaluations, 7);
  expect(4, cache.get(4, active, 3), [5, 1, 3]);
  // Positions 1 and 5 swap: column 4 (3 filled) is cut back to position 1 and refilled from
  // there, column 0 (all 7) kept.
  active.set([5, 4, 3, 0, 2, 1, 6]);
  cache.swapped(1, 5);
  const before = cache.evaluations;
  expect(0, cache.get(0, active, 7), [0, 1, 2, 3, 4, 5, 6]);
  expect(4, cache.get(4, active, 3), [5, 4, 3]);
  assertEquals(cache.evaluations, before + 2);
  // Three slots: using 1 and 2 evicts the least recent, 0; its buffer then holds column 2's.
  cache.get(1, active, 7);
  const col2 = cache.get(2, active, 7);
  expect(2, col2, [0, 1, 2, 3, 4, 5, 6]);
  const n = cache.evaluations;
  expect(0, cache.get(0, active, 7), [0, 1, 2, 3, 4, 5, 6]);
  assertEquals(cache.evaluations, n + 7);
});
