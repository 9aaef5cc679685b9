import { assert, assertEquals, assertThrows } from "@convgrad/base/testing";
import { createRng } from "@convgrad/base";
import { decomposition, fitSVM, smo } from "./mod.ts";

const close = (a: number, b: number, tol: number, what: string) =>
  assert(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

/** Two overlapping Gaussian blobs in 3-D, seeded. */
function blobs(n: number, seed: number): { X: number[][]; y: number[] } {
  const rand = createRng(seed),
    gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const X: number[][] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3 ? 1 : -1; // unbalanced, so that the equality row matters
    X.push([gauss() + 0.7 * c, gauss(), gauss() - 0.3 * c]);
    y.push(c);
  }
  return { X, y };
}

/** `Σα − ½ αᵀQα` from first principles (the kernel straight from its definition). */
function dual(
  X: number[][],
  y: number[],
  alpha: Float64Array,
  k: (a: number[], b: number[]) => number,
) {
  let s = 0;
  X.forEach((a, i) => {
    s += alpha[i];
    X.forEach((b, j) => (s -= 0.5 * alpha[i] * alpha[j] * y[i] * y[j] * k(a, b)));
  });
  return s;
}

Deno.test("decomposition: the dense QP's dual objective and predictions, for every kernel and q", () => {
  const { X, y } = blobs(150, 3);
  const kernels = [
    [
      { kernel: "linear" as const },
      (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0),
    ],
    [
      { kernel: "rbf" as const, gamma: 0.5 },
      (a: number[], b: number[]) => Math.exp(-0.5 * a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0)),
    ],
    [
      { kernel: "poly" as const, gamma: 0.5, degree: 2, coef0: 1 },
      (a: number[], b: number[]) => (0.5 * a.reduce((s, v, i) => s + v * b[i], 0) + 1) ** 2,
    ],
  ] as const;
  for (const [spec, k] of kernels) {
    const dense = fitSVM(X, y, { ...spec, C: 2, solver: "quadprog", denseMax: 1000 });
    const ref = dual(X, y, dense.alpha, k);
    close(dense.dualObjective, ref, 1e-9, `dense ${spec.kernel} objective vs definition`);
    for (const q of [2, 4, 10]) {
      const what = `${spec.kernel}, q = ${q}`;
      const m = fitSVM(X, y, {
        ...spec,
        C: 2,
        solver: "quadprog",
        denseMax: 0,
        workingSet: q,
        tol: 1e-7,
      });
      close(m.dualObjective, dense.dualObjective, 1e-7, what);
      close(dual(X, y, m.alpha, k), ref, 1e-7, `${what}, from α`);
      assert(m.alpha.every((a) => a >= 0 && a <= 2), `${what}: α in the box`);
      close(m.alpha.reduce((s, a, i) => s + a * y[i], 0), 0, 1e-12, `${what}: yᵀα`);
      close(m.bias, dense.bias, 1e-4, `${what}: bias`);
      assertEquals(m.predict(X), dense.predict(X), what);
    }
  }
});

Deno.test("decomposition: shrinking, a cache smaller than q, and SMO reach the same optimum", () => {
  const { X, y } = blobs(400, 5), spec = { kernel: "rbf" as const, gamma: 0.8 }, C = 1;
  const ref = smo(X, y, spec, C, { tol: 1e-8, shrinking: false });
  const objective = (r: typeof ref) =>
    r.alpha.reduce((s, a, i) => s + 0.5 * a * (1 - r.grad[i]), 0);
  const runs = [
    decomposition(X, y, spec, C, { tol: 1e-8 }),
    decomposition(X, y, spec, C, { tol: 1e-8, shrinking: false, workingSet: 6 }),
    decomposition(X, y, spec, C, { tol: 1e-8, cacheBytes: 1, workingSet: 8 }), // 2 columns
  ];
  for (const r of runs) {
    assert(r.gap < 1e-8 && r.iterations > 0, `gap ${r.gap}`);
    close(objective(r), objective(ref), 1e-10, "dual objective");
  }
});

Deno.test("decomposition: bad options are clear errors", () => {
  const X = [[0], [1]], y = [-1, 1];
  assertThrows(
    () => decomposition(X, y, { kernel: "linear" }, 1, { workingSet: 3 }),
    RangeError,
    "workingSet must be an even integer >= 2, got 3",
  );
  assertThrows(
    () => decomposition(X, y, { kernel: "linear" }, 1, { tol: -1 }),
    RangeError,
    "decomposition: tol must be",
  );
  assertThrows(() => decomposition(X, [1, 1], { kernel: "linear" }, 1), RangeError, "both classes");
  assertThrows(
    () => fitSVM(X, y, { kernel: "linear", denseMax: -1 }),
    RangeError,
    "denseMax must be",
  );
});
