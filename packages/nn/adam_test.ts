import * as tf from "@tensorflow/tfjs";
import { type BackendName, setBackend } from "@convgrad/ops";
import { assertEquals, assertThrows } from "@convgrad/base/testing";
import { FusedAdam } from "./adam.ts";

/** Three steps of `opt` on two weights (one of 4099 values: SIMD and a scalar tail). */
async function run(opt: tf.Optimizer): Promise<number[][]> {
  const w = tf.tidy(() => [
    tf.variable(tf.randomNormal([4099], 0, 1, "float32", 1)),
    tf.variable(tf.ones([3])),
  ]);
  for (let step = 0; step < 3; step++) {
    const grads = tf.tidy(() => ({
      [w[0].name]: tf.randomNormal([4099], 0, 2, "float32", 10 + step),
      [w[1].name]: tf.fill([3], step - 1), // a zero gradient at step 1
    }));
    opt.applyGradients(grads);
    tf.dispose(Object.values(grads));
  }
  const state = await opt.getWeights();
  const out = [
    ...w.map((v) => Array.from(v.dataSync())),
    ...state.map((s) => Array.from(s.tensor.dataSync())),
  ];
  tf.dispose([...w, ...state.map((s) => s.tensor)]);
  opt.dispose();
  return out;
}

for (const backend of ["cpu", "wasm"] as BackendName[]) {
  Deno.test(`${backend}: FusedAdam takes tf.train.adam's steps to the bit, leaks nothing`, async () => {
    await setBackend(backend);
    const stock = await run(tf.train.adam(0.01));
    const before = tf.memory().numTensors;
    const fused = await run(new FusedAdam(0.01));
    assertEquals(fused.length, stock.length);
    fused.forEach((a, i) => assertEquals(a, stock[i], `weight or state ${i}`));
    assertEquals(tf.memory().numTensors, before);
  });
}

Deno.test("FusedAdam rejects a bad learning rate", () => {
  assertThrows(() => new FusedAdam(0), RangeError, "learningRate must be > 0, got 0");
});
