import * as tf from "@tensorflow/tfjs";
import { type AdamStepOptions, adamUpdate, type BackendName, setBackend } from "../mod.ts";
import { assertClose, assertEquals, assertThrows } from "@convgrad/base/testing";
import { adamRef } from "./reference.ts";

const OPTS: AdamStepOptions = {
  learningRate: 0.01,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-7,
  accBeta1: 0.9 ** 3,
  accBeta2: 0.999 ** 3,
};

for (const backend of ["cpu", "wasm"] as BackendName[]) {
  Deno.test(`${backend}: adamUpdate matches the float64 Adam step`, async () => {
    await setBackend(backend);
    // 4099 values: the SIMD loop and a scalar tail of 3; gradients from tiny to large.
    const n = 4099;
    const [x, m, v, g] = [1, 2, 3, 4].map((seed) =>
      tf.randomNormal([n], 0, seed === 4 ? 3 : 1, "float32", seed)
    );
    const vpos = v.abs();
    const out = adamUpdate(x, m, vpos, g, OPTS);
    const f64 = (t: tf.Tensor) => Float64Array.from(t.dataSync());
    const ref = adamRef(f64(x), f64(m), f64(vpos), f64(g), OPTS);
    assertClose(out[0], ref.x, "x'", 1e-6);
    assertClose(out[1], ref.m, "m'", 1e-6);
    assertClose(out[2], ref.v, "v'", 1e-6);
    tf.dispose([x, m, v, g, vpos, ...out]);
  });

  Deno.test(`${backend}: adamUpdate leaks no tensors`, async () => {
    await setBackend(backend);
    const t = tf.ones([2, 3]);
    const f = () => tf.dispose(adamUpdate(t, t, t, t, OPTS));
    f();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) f();
    assertEquals(tf.memory().numTensors, before);
    t.dispose();
  });
}

Deno.test("adamUpdate rejects bad input", () => {
  const a = tf.ones([3]), b = tf.ones([4]), i = tf.ones([3], "int32");
  assertThrows(() => adamUpdate(a, a, a, b, OPTS), RangeError, "g must have x's shape [3]");
  assertThrows(() => adamUpdate(a, i, a, a, OPTS), TypeError, "m must have dtype float32");
  assertThrows(() => adamUpdate(a, a, [] as never, a, OPTS), TypeError, "v must be a tf.Tensor");
  assertThrows(
    () => adamUpdate(a, a, a, a, { ...OPTS, learningRate: -1 }),
    RangeError,
    "learningRate must be a finite number > 0, got -1",
  );
  assertThrows(
    () => adamUpdate(a, a, a, a, { ...OPTS, accBeta2: 1 }),
    RangeError,
    "accBeta2 must be β2^t in (0, 1), got 1",
  );
  tf.dispose([a, b, i]);
});
