import { assert, assertEquals, assertThrows } from "@convgrad/base/testing";
import { createRng } from "@convgrad/base";
import { wasmBuildProblems } from "@convgrad/base/wasm-build";
import { BUILDER, MODULES } from "./build_wasm.ts";
import { KernelTable, resolveKernel, smo } from "./mod.ts";

Deno.test("the committed wasm build of svm is what deno task build:wasm writes", async () => {
  assertEquals(await wasmBuildProblems(new URL("./", import.meta.url), BUILDER, MODULES), []);
});

Deno.test("the wasm rbf kernel's exp agrees with Math.exp over the whole range", () => {
  // k(0, x) = exp(−γ x²) with γ = 1 and x² stepping through [0, 760]: the reduction's every
  // branch (k from 0 to −1097) and the cut below −708; within 1e-15 relative (4–5 ulp).
  const X = [[0], ...Array.from({ length: 3041 }, (_, i) => [Math.sqrt(i / 4)])];
  const table = new KernelTable(X, resolveKernel("test", { kernel: "rbf", gamma: 1 }, X));
  const col = new Float64Array(X.length);
  table.column(0, col);
  let worst = 0;
  X.forEach(([x], i) => {
    const want = Math.exp(-x * x);
    worst = Math.max(worst, Math.abs(col[i] - want) / Math.max(want, 1e-300));
    if (x * x > 708) assert(col[i] === 0, `exp(${-x * x}) = ${col[i]}, expected the cut to 0`);
    else assert(Math.abs(col[i] - want) <= 1e-15 * want, `exp(${-x * x}): ${col[i]} vs ${want}`);
  });
  assert(worst > 0, "identical to Math.exp everywhere: the test would not see a wrong series");
});

Deno.test("block(): every query against every point, across chunks, equals column() to the bit", () => {
  // 2000 features: the chunk of block() is then 16 points, so 40 points take three chunks.
  const rand = createRng(3), row = () => Array.from({ length: 2000 }, () => rand() - 0.5);
  const X = Array.from({ length: 40 }, row), Z = Array.from({ length: 7 }, row);
  const specs = [
    { kernel: "rbf" as const, gamma: 1e-3 },
    { kernel: "poly" as const, gamma: 0.1, degree: 2, coef0: 1 },
    { kernel: (a: ArrayLike<number>, b: ArrayLike<number>) => a[0] * b[1] },
  ];
  for (const spec of specs) {
    const table = new KernelTable(X, resolveKernel("test", spec, X)), col = new Float64Array(40);
    const K = table.block(Z, 2, 5);
    assertEquals(K.length, 5 * 40);
    for (let q = 0; q < 5; q++) {
      table.column(Z[2 + q], col);
      assertEquals(Array.from(K.subarray(q * 40, (q + 1) * 40)), Array.from(col), `query ${q}`);
    }
    assertThrows(() => table.block(Z, 0, 17), RangeError, "count must be in [1, 16], got 17");
  }
});

Deno.test("a table on a released table's memory fits as one on fresh memory, to the bit", () => {
  const rand = createRng(5),
    points = (n: number) =>
      Array.from({ length: n }, () => [rand() * 4 - 2, rand() * 4 - 2, rand() * 4 - 2]);
  const B = points(120), yB = B.map(([a, b]) => (a * b > 0.3 ? 1 : -1));
  const A = points(400), yA = A.map(([a, , c]) => (a + c * c > 1 ? 1 : -1));
  const fit = (X: number[][], y: number[]) =>
    smo(X, y, { kernel: "rbf", gamma: 0.5 }, 2, { tol: 1e-6 });
  const kernel = resolveKernel("test", { kernel: "linear" }, B);
  // This table takes whatever an earlier test released and is never released: B's first fit
  // gets fresh memory, A's then reuses and grows it, B's second reuses what A left.
  new KernelTable(B, kernel, { reuse: true });
  const fresh = fit(B, yB);
  fit(A, yA);
  const reused = fit(B, yB);
  assertEquals(Array.from(reused.alpha), Array.from(fresh.alpha));
  assertEquals(Array.from(reused.grad), Array.from(fresh.grad));
  assertEquals(reused.iterations, fresh.iterations);
  const first = new KernelTable(B, kernel, { reuse: true }), memory = first.wasm.memory;
  first.release();
  // A table made without reuse (a model's, which lives on) leaves the memory for the next one.
  assert(new KernelTable(B, kernel).wasm.memory !== memory, "a table without reuse took it");
  const second = new KernelTable(B, kernel, { reuse: true });
  assert(second.wasm.memory === memory, "release() did not hand the memory on");
  assertThrows(() => first.column(0, new Float64Array(120)), Error, "used after release()");
  assertThrows(() => first.block(B, 0, 1), Error, "used after release()");
});
