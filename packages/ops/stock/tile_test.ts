import * as tf from "@tensorflow/tfjs";
import { assertClose, assertThrows } from "@convgrad/base/testing";
import { tileRef } from "./reference.ts";
import { checkAgainstCpu, randomValues, runOn } from "./testing.ts";

Deno.test("Tile (wasm, ours): every rank and pattern matches stock cpu and the oracle", async () => {
  const cases: [number[], number[]][] = [
    [[1, 1, 1, 5], [2, 3, 4, 1]], // batch norm's per-channel broadcast
    [[2, 3, 4], [3, 1, 2]],
    [[3], [4]],
    [[2, 1, 3, 1, 2], [1, 3, 1, 2, 2]],
    [[4, 5], [1, 1]],
    [[1, 7], [5, 1]],
  ];
  for (const [i, [shape, reps]] of cases.entries()) {
    const x = randomValues(shape.reduce((a, b) => a * b, 1), 300 + i);
    await checkAgainstCpu(
      `tile [${shape}] x [${reps}]`,
      () => ({
        y: tf.tile(tf.tensor(x, shape), reps),
      }),
      { y: tileRef(x, shape, reps) },
      0,
    );
  }
});

Deno.test("Tile (wasm, ours): int32 and bool, empty results, bad reps", async () => {
  const xi = Int32Array.of(1, -2, 3, 4, 5, -6);
  const [yi] = await runOn("wasm", () => [tf.tile(tf.tensor2d(xi, [2, 3], "int32"), [2, 2])]);
  assertClose(yi, tileRef(xi, [2, 3], [2, 2]), "int32", 0);
  const [yb] = await runOn(
    "wasm",
    () => [tf.tile(tf.tensor1d([1, 0, 1], "bool"), [3]).cast("int32")],
  );
  assertClose(yb, [1, 0, 1, 1, 0, 1, 1, 0, 1], "bool", 0);
  const [ye] = await runOn("wasm", () => [tf.tile(tf.ones([2, 3]), [0, 2])]);
  assertClose(ye, [], "empty", 0);
  await runOn("wasm", () => []);
  const x = tf.ones([2, 2]);
  assertThrows(
    () => tf.engine().runKernel("Tile", { x }, { reps: [2] }),
    RangeError,
    "reps must be 2 integers >= 0, got [2]",
  );
  x.dispose();
});
