import * as tf from "@tensorflow/tfjs";
import { assert, assertClose, assertEquals, assertThrows } from "@convgrad/base/testing";
import { type BackendName, setBackend } from "../mod.ts";
import { basisShifts, binarizeWeights } from "./mod.ts";
import { binarizeWeightsRef } from "./reference.ts";

const BACKENDS: BackendName[] = ["cpu", "wasm"];

function run(w: number[], M: number) {
  return tf.tidy(() => {
    const b = binarizeWeights(tf.tensor1d(w), M);
    return { bases: Array.from(b.bases.dataSync()), alpha: Array.from(b.alpha.dataSync()) };
  });
}

Deno.test("basisShifts: evenly spread over [-1, 1], [0] for one base", () => {
  assertEquals(basisShifts(1), [0]);
  assertEquals(basisShifts(2), [-1, 1]);
  assertEquals(basisShifts(5), [-1, -0.5, 0, 0.5, 1]);
});

for (const backend of BACKENDS) {
  Deno.test(`${backend}: binarizeWeights uses the population std (not the note's formula)`, async () => {
    await setBackend(backend);
    // w = [−2, 2, 1.5, −1.5]: mean 0, population std √3.125 ≈ 1.77, sample std ≈ 2.04, and the
    // note's Σ(W − mean)/n = 0. u = [−1, 1]; thresholds at z = ±1.77 separate ±2 from ±1.5:
    // B1 = sign(z − 1.77) = [−1, 1, −1, −1], B2 = sign(z + 1.77) = [−1, 1, 1, 1]. These are
    // orthogonal, so α_m = B_mᵀw / 4 = [1, 1]. With the sample std both bases would differ
    // (B1 all −1, B2 all +1); with the note's std = 0 they would coincide (sign(z)).
    const { bases, alpha } = run([-2, 2, 1.5, -1.5], 2);
    assertEquals(bases, [-1, 1, -1, -1, -1, 1, 1, 1]);
    assertClose(alpha, [1, 1], "alpha", 1e-6);
  });

  Deno.test(`${backend}: binarizeWeights: sign(0) = +1 and coinciding bases`, async () => {
    await setBackend(backend);
    // w = [1, −1]: mean 0, std 1 exactly. M = 3, u = [−1, 0, 1]: z + u·std is [0, 1, 2] for the
    // first entry and [−2, −1, 0] for the second, so sign(0) decides B1[0] and B3[1].
    assertEquals(run([1, -1], 3).bases, [1, -1, 1, -1, 1, 1]);
    // M = 5: B1..B4 = [1, −1], B5 = [1, 1]. BᵀB is singular (rank 2 of 5); w = Σ_{m≤4} α_m [1,−1]
    // + α5 [1, 1] forces α5 = 0, α1 + … + α4 = 1, and the minimum norm spreads it evenly.
    const { bases, alpha } = run([1, -1], 5);
    assertEquals(bases, [1, -1, 1, -1, 1, -1, 1, -1, 1, 1]);
    assertClose(alpha, [0.25, 0.25, 0.25, 0.25, 0], "min-norm alpha", 1e-6);
    // Constant weights: std = 0, every base is all +1, and Σα must equal the constant; min norm
    // gives each of the M identical bases the same share.
    assertClose(run([2, 2, 2, 2], 4).alpha, [0.5, 0.5, 0.5, 0.5], "constant w", 1e-6);
    assertClose(run([0, 0, 0], 2).alpha, [0, 0], "zero w", 1e-6);
  });

  Deno.test(`${backend}: binarizeWeights matches the float64 oracle (full n x M SVD)`, async () => {
    await setBackend(backend);
    const shapes = [[7], [3, 2, 3, 3], [16, 4, 5, 5], [2, 1, 2, 2]];
    shapes.forEach((shape, i) => {
      for (const M of [1, 2, 3, 5, 8]) {
        tf.tidy(() => {
          const w = tf.randomNormal(shape, 0.3, 2, "float32", 10 * i + M);
          const { bases, alpha, u } = binarizeWeights(w, M);
          const ref = binarizeWeightsRef(w.dataSync(), M);
          const what = `[${shape}] M=${M}`;
          assertEquals(bases.shape, [M, ...shape], `${what}: bases shape`);
          assertEquals(Array.from(bases.dataSync()), ref.bases.flatMap((b) => Array.from(b)), what);
          assertEquals(u, ref.u);
          assertClose(alpha, ref.alpha, `${what}: alpha`, 1e-5);
          // Nested thresholds: a +1 in base m stays +1 in every later base.
          const B = bases.reshape([M, -1]).arraySync() as number[][];
          for (let m = 1; m < M; m++) assert(B[m].every((v, j) => v >= B[m - 1][j]), what);
        });
      }
    });
  });

  Deno.test(`${backend}: binarizeWeights rejects bad input and does not leak`, async () => {
    await setBackend(backend);
    const w = tf.tensor1d([1, 2, 3]);
    assertThrows(() => binarizeWeights([1, 2] as unknown as tf.Tensor, 2), TypeError, "w must be");
    assertThrows(() => binarizeWeights(tf.tensor1d([1, 2], "int32"), 2), TypeError, "float32");
    assertThrows(() => binarizeWeights(tf.tensor1d([]), 2), RangeError, "got shape [0]");
    assertThrows(() => binarizeWeights(w, 0), RangeError, "M (number of weight bases)");
    assertThrows(() => binarizeWeights(w, 1.5), RangeError, "got 1.5");
    assertThrows(() => binarizeWeights(tf.tensor1d([1, NaN]), 2), RangeError, "must be finite");
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      const b = binarizeWeights(w, 3);
      tf.dispose([b.bases, b.alpha]);
    }
    assertEquals(tf.memory().numTensors, before);
    tf.dispose(w);
  });
}
