import { assert, assertEquals, assertThrows } from "@convgrad/base/testing";
import { minNormSolver } from "./lstsq.ts";

function close(actual: ArrayLike<number>, expected: number[], what: string, tol = 1e-12): void {
  assertEquals(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert(
      Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])),
      `${what}: [${Array.from(actual)}] != [${expected}]`,
    );
  }
}

/** A x for row-major A. */
function mul(a: number[], rows: number, cols: number, x: ArrayLike<number>): number[] {
  return Array.from({ length: rows }, (_, i) => {
    let s = 0;
    for (let j = 0; j < cols; j++) s += a[i * cols + j] * x[j];
    return s;
  });
}

Deno.test("minNormSolver: full column rank gives the unique least-squares solution", () => {
  // A = [[1,0],[0,1],[1,1]], b = [1,2,4]: AᵀA = [[2,1],[1,2]], Aᵀb = [5,6] → x = [4/3, 7/3].
  const s = minNormSolver([1, 0, 0, 1, 1, 1], 3, 2);
  assertEquals(s.rank, 2);
  close(s.solve([1, 2, 4]), [4 / 3, 7 / 3], "tall");
});

Deno.test("minNormSolver: dependent columns give the minimum-norm solution", () => {
  // Identical columns: x1 + x2 = 2, smallest ‖x‖ at (1, 1).
  const same = minNormSolver([1, 1, 1, 1], 2, 2);
  assertEquals(same.rank, 1);
  close(same.solve([2, 2]), [1, 1], "identical columns");
  // Columns a and 2a: x1 + 2 x2 = 3 along a, smallest ‖x‖ at (3/5, 6/5).
  close(minNormSolver([1, 2, 1, 2], 2, 2).solve([3, 3]), [3 / 5, 6 / 5], "parallel columns");
  // Underdetermined: x1 + x2 + x3 = 3 → (1, 1, 1).
  close(minNormSolver([1, 1, 1], 1, 3).solve([3]), [1, 1, 1], "wide");
  // The zero matrix: x = 0.
  const zero = minNormSolver([0, 0, 0, 0], 2, 2);
  assertEquals(zero.rank, 0);
  close(zero.solve([1, 2]), [0, 0], "zero matrix");
});

Deno.test("minNormSolver: Penrose conditions on a random rank-deficient matrix", () => {
  // A = [u v u+v u] (rank 2, 5x4): the residual must be orthogonal to every column, and x must
  // lie in the row space, i.e. be orthogonal to the null space {(1,1,−1,0), (1,0,0,−1)}.
  let seed = 3;
  const r = () => (seed = (seed * 16807) % 2147483647, seed / 2147483647 - 0.5);
  const u = Array.from({ length: 5 }, r), v = Array.from({ length: 5 }, r);
  const a = u.flatMap((ui, i) => [ui, v[i], ui + v[i], ui]);
  const b = Array.from({ length: 5 }, r);
  const s = minNormSolver(a, 5, 4);
  assertEquals(s.rank, 2);
  const x = s.solve(b);
  const res = mul(a, 5, 4, x).map((y, i) => y - b[i]);
  for (let j = 0; j < 4; j++) {
    const dot = res.reduce((acc, e, i) => acc + e * a[i * 4 + j], 0);
    assert(Math.abs(dot) < 1e-12, `residual · column ${j} = ${dot}`);
  }
  for (const nv of [[1, 1, -1, 0], [1, 0, 0, -1]]) {
    const dot = nv.reduce((acc, e, j) => acc + e * x[j], 0);
    assert(Math.abs(dot) < 1e-12, `x · null vector [${nv}] = ${dot}`);
  }
});

Deno.test("minNormSolver: rejects bad input", () => {
  assertThrows(() => minNormSolver([1, 2], 0, 2), RangeError, "rows and cols");
  assertThrows(() => minNormSolver([1, 2, 3], 2, 2), RangeError, "rows·cols = 4");
  assertThrows(() => minNormSolver([1, NaN, 0, 1], 2, 2), RangeError, "a[1] must be finite");
  assertThrows(() => minNormSolver([1, 0, 0, 1], 2, 2).solve([1]), RangeError, "2 entries");
});
