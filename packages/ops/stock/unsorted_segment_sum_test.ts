import * as tf from "@tensorflow/tfjs";
import { assertClose, assertThrows } from "@convgrad/base/testing";
import { segmentSumRef } from "./reference.ts";
import { checkAgainstCpu, randomValues, runOn } from "./testing.ts";

Deno.test("UnsortedSegmentSum (wasm): float32 and int32, ids out of range dropped", async () => {
  const x = randomValues(6 * 4, 80), ids = [0, 2, 2, -1, 5, 1];
  const ref = segmentSumRef(x, [6, 4], ids, 4);
  await checkAgainstCpu("unsortedSegmentSum float32", () => ({
    y: tf.unsortedSegmentSum(tf.tensor2d(x, [6, 4]), tf.tensor1d(ids, "int32"), 4),
  }), { y: ref });
  const xi = Int32Array.from(x, (v) => Math.round(v * 100));
  const [yi] = await runOn("wasm", () => [
    tf.unsortedSegmentSum(tf.tensor2d(xi, [6, 4], "int32"), tf.tensor1d(ids, "int32"), 4),
  ]);
  assertClose(yi, segmentSumRef(xi, [6, 4], ids, 4), "int32", 0);
});

Deno.test("UnsortedSegmentSum (wasm): the gradient of tf.gather, so of an embedding", async () => {
  const params = randomValues(5 * 3, 81), idx = [4, 0, 4, 2, 4, 1, 0];
  const dy = randomValues(7 * 3, 82);
  const ref = segmentSumRef(dy, [7, 3], idx, 5);
  await checkAgainstCpu("gather dParams", () => {
    const f = (p: tf.Tensor) => tf.gather(p, tf.tensor1d(idx, "int32"));
    return { dp: tf.grad(f)(tf.tensor2d(params, [5, 3]), tf.tensor2d(dy, [7, 3])) };
  }, { dp: ref });
});

Deno.test("UnsortedSegmentSum (wasm): rejects ids that are not one per row of x", async () => {
  await runOn("wasm", () => []);
  const xt = tf.zeros([4, 2]), bad = tf.tensor1d([0, 1, 2], "int32");
  assertThrows(
    () =>
      tf.engine().runKernel("UnsortedSegmentSum", { x: xt, segmentIds: bad }, { numSegments: 3 }),
    RangeError,
    "segmentIds must be 1-D with one id per row of x [4,2], got [3]",
  );
  tf.dispose([xt, bad]);
});
