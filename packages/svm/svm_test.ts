import { assert, assertEquals, assertThrows } from "../ops/testing/asserts.ts";
import { createRng } from "@convgrad/ops";
import quadprog from "quadprog";
import { dualQP, fitSVM, fromJSON, qp, smo } from "./mod.ts";

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

Deno.test("two points: α, w and b by hand", () => {
  // x₁ = (0,0), y = −1; x₂ = (2,2), y = +1. The margin is the perpendicular bisector:
  // w = (½, ½), b = −1, so that w·x + b = ∓1 on the points; Σα y x = w gives α = ¼ each.
  for (const solver of ["quadprog", "smo"] as const) {
    const m = fitSVM([[0, 0], [2, 2]], [-1, 1], { kernel: "linear", C: 10, solver });
    close(m.alpha[0], 0.25, 1e-6, `${solver} α₁`);
    close(m.alpha[1], 0.25, 1e-6, `${solver} α₂`);
    close(m.bias, -1, 1e-6, `${solver} b`);
    const f = m.decision([[0, 0], [2, 2], [1, 1]]);
    close(f[0], -1, 1e-6, "f(x₁)");
    close(f[1], 1, 1e-6, "f(x₂)");
    close(f[2], 0, 1e-6, "f on the boundary");
    close(m.dualObjective, 0.25, 1e-6, "dual objective Σα − ½‖w‖² = ½ − ¼");
  }
});

Deno.test("four points, two on the wrong side: the box bound C binds", () => {
  // ±1 on the x-axis plus (±0.2, 0) of the other class: not separable; with C = 0.5 the two
  // inner points are bounded support vectors (α = C).
  const X = [[-1, 0], [1, 0], [0.2, 0], [-0.2, 0]], y = [-1, 1, -1, 1];
  const a = fitSVM(X, y, { kernel: "linear", C: 0.5, solver: "quadprog" });
  const b = fitSVM(X, y, { kernel: "linear", C: 0.5, solver: "smo", tol: 1e-8 });
  close(a.alpha[2], 0.5, 1e-6, "inner point at C");
  close(a.alpha[3], 0.5, 1e-6, "inner point at C");
  close(a.dualObjective, b.dualObjective, 1e-6, "solvers agree");
});

Deno.test("dualQP is the seed's formulation", () => {
  const { P, q, G, h, A, b } = dualQP(
    [[1, 0], [0, 2], [1, 1]],
    [1, -1, 1],
    { kernel: "linear" },
    3,
  );
  assertEquals(P.map((r) => r.map((v) => v + 0)), [[1, 0, 1], [0, 4, -2], [1, -2, 2]]); // y_i y_j x_i·x_j
  assertEquals(q, [-1, -1, -1]);
  assertEquals(G[0], [-1, 0, 0]);
  assertEquals(G[5], [0, 0, 1]);
  assertEquals(h, [0, 0, 0, 3, 3, 3]);
  assertEquals([A, b], [[[1, -1, 1]], [0]]);
});

Deno.test("qp solves a small QP and its KKT conditions hold", () => {
  // min ½(x² + y²) − x − y  s.t.  x + y ≤ 1, x − y = 0  →  x = y = ½
  const s = qp([[1, 0], [0, 1]], [-1, -1], [[1, 1]], [1], [[1, -1]], [0]);
  close(s.x[0], 0.5, 1e-7, "x");
  close(s.x[1], 0.5, 1e-7, "y");
  close(s.objective, -0.75, 1e-7, "objective");
  assertEquals(Array.from(s.active), [1]);
  assertThrows(() => qp([[1]], [1, 2], [], [], [], []), RangeError, "P has 1 rows, q has 2");
});

Deno.test("quadprog and SMO agree on the dual objective to 1e-6 on every kernel", () => {
  for (const [shift, seed] of [[1, 1], [0.5, 2], [2, 3]]) {
    const { X, y } = blobs(120, shift, seed);
    for (const kernel of ["linear", "rbf", "poly"] as const) {
      const opts = { kernel, C: 1, gamma: 0.5, degree: 2, coef0: 1 };
      const a = fitSVM(X, y, { ...opts, solver: "quadprog" });
      const b = fitSVM(X, y, { ...opts, solver: "smo", tol: 1e-6 });
      close(a.dualObjective, b.dualObjective, 1e-6, `${kernel} shift ${shift}`);
      assertEquals(a.predict(X), b.predict(X));
      // KKT at the SMO solution: f(x_i) y_i ≥ 1 where α = 0, = 1 where 0 < α < C, ≤ 1 at C.
      const f = b.decision(X);
      X.forEach((_, i) => {
        const m = y[i] * f[i];
        if (b.alpha[i] === 0) assert(m >= 1 - 1e-4, `α=0 but margin ${m}`);
        else if (b.alpha[i] === 1) assert(m <= 1 + 1e-4, `α=C but margin ${m}`);
        else close(m, 1, 1e-4, "free support vector on the margin");
      });
    }
  }
});

Deno.test("XOR with rbf, JSON round trip, support vectors", () => {
  const X = [[0, 0], [1, 1], [1, 0], [0, 1]], y = [-1, -1, 1, 1];
  const m = fitSVM(X, y, { kernel: "rbf", gamma: 2, C: 10 });
  assertEquals(m.predict(X), y);
  assertEquals(m.supportIndices, [0, 1, 2, 3]);
  const back = fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
  const q = [[0.1, 0.2], [0.9, 0.1], [0.5, 0.5]];
  assertEquals(Array.from(back.decision(q)), Array.from(m.decision(q)));
});

Deno.test("smo reports its work; bad input is a clear error", () => {
  const r = smo([[0], [1], [3]], [-1, -1, 1], (a, b) => a[0] * b[0], 1);
  assert(r.iterations > 0 && r.columns > 0);
  const X = [[0, 0], [1, 1]];
  assertThrows(() => fitSVM(X, [1, 2], { kernel: "linear" }), RangeError, "y[1] must be +1 or -1");
  assertThrows(() => fitSVM(X, [1, 1], { kernel: "linear" }), RangeError, "both classes");
  assertThrows(() => fitSVM(X, [1], { kernel: "linear" }), RangeError, "1 labels for 2 points");
  assertThrows(() => fitSVM([], [], { kernel: "linear" }), RangeError, "X must be a non-empty");
  assertThrows(
    () => fitSVM([[0, NaN], [1, 1]], [1, -1], { kernel: "linear" }),
    RangeError,
    "X[0][1]",
  );
  assertThrows(
    () => fitSVM([[0, 1], [1]], [1, -1], { kernel: "linear" }),
    RangeError,
    "X[1] has 1",
  );
  assertThrows(() => fitSVM(X, [1, -1], { kernel: "linear", C: 0 }), RangeError, "C must be");
  assertThrows(() => fitSVM(X, [1, -1], { kernel: "rbf", gamma: -1 }), RangeError, "gamma must be");
  assertThrows(
    () => fitSVM(X, [1, -1], { kernel: "sigmoid" as never }),
    RangeError,
    "kernel must be",
  );
  assertThrows(
    () => fitSVM(X, [1, -1], { kernel: "linear", solver: "cvx" as never }),
    RangeError,
    "solver",
  );
});

Deno.test("quadprog's silent wrong point is caught: qp returns a feasible KKT point or throws", () => {
  // A cubic kernel makes P badly conditioned; measured: quadprog then returns box violations of
  // 1e-3 here (0.9 on other data) with no message.
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
  const b = fitSVM(X, y, { kernel: "poly", gamma: 0.5, degree: 3, C: 1, solver: "smo", tol: 1e-6 });
  close(-sol.objective, b.dualObjective, 1e-6, "agrees with SMO");
});
