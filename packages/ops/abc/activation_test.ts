import * as tf from "@tensorflow/tfjs";
import { assert, assertClose, assertEquals, assertThrows } from "@convgrad/base/testing";
import { type BackendName, gradcheck, setBackend } from "../mod.ts";
import { abcActivation, activationShifts } from "./mod.ts";
import { abcActivationGradRef, abcActivationRef } from "./reference.ts";

const BACKENDS: BackendName[] = ["cpu", "wasm"];

Deno.test("activationShifts: thresholds 0.5 − v evenly inside [0, 1]", () => {
  assertEquals(activationShifts(1), [0]);
  assertEquals(activationShifts(3), [0.25, 0, -0.25]);
  assertThrows(() => activationShifts(0), RangeError, "N must be an integer >= 1, got 0");
});

for (const backend of BACKENDS) {
  Deno.test(`${backend}: abcActivation forward: steps at 0.5 − v, +1 on the step`, async () => {
    await setBackend(backend);
    tf.tidy(() => {
      // One base, v = 0: H(R) = −1 below 0.5, +1 from 0.5 on (clip(0.5) ≥ 0.5), whatever the clip.
      const r = tf.tensor1d([-3, 0, 0.49, 0.5, 0.51, 1, 7]);
      assertEquals(
        Array.from(abcActivation(r, tf.tensor1d([0]), tf.tensor1d([1])).dataSync()),
        [-1, -1, -1, 1, 1, 1, 1],
      );
      // Thresholds 0.25, 0.5, 0.75 (v = 0.25, 0, −0.25) cut [0, 1] into four bands; with
      // β = [1, 2, 4] they are Σ ±β: −7, 1 − 2 − 4 = −5, 1 + 2 − 4 = −1, 7.
      const a = abcActivation(
        tf.tensor1d([0.1, 0.3, 0.6, 0.9]),
        tf.tensor1d([0.25, 0, -0.25]),
        tf.tensor1d([1, 2, 4]),
      );
      assertEquals(Array.from(a.dataSync()), [-7, -5, -1, 7]);
    });
  });

  Deno.test(`${backend}: abcActivation matches the oracle, gradients included`, async () => {
    await setBackend(backend);
    tf.tidy(() => {
      const r = tf.randomUniform([2, 3, 4, 5], -0.5, 1.5, "float32", 7);
      const v = tf.tensor1d([0.3, 0.05, -0.2]), beta = tf.tensor1d([0.5, -1, 2]);
      const dy = tf.randomNormal(r.shape, 0, 1, "float32", 8);
      const y = abcActivation(r, v, beta);
      assertEquals(y.shape, r.shape);
      const R = r.dataSync(), V = v.dataSync(), B = beta.dataSync();
      assertClose(y, abcActivationRef(R, V, B), `${backend} forward`);
      const [dr, dv, db] = tf.grads((r: tf.Tensor, v: tf.Tensor, b: tf.Tensor) =>
        abcActivation(r, v as tf.Tensor1D, b as tf.Tensor1D).mul(dy).sum()
      )([r, v, beta]);
      const g = abcActivationGradRef(R, V, B, dy.dataSync());
      assertClose(dr, g.dr, `${backend} dr`);
      assertClose(dv, g.dv, `${backend} dv`);
      assertClose(db, g.dbeta, `${backend} dbeta`);
    });
  });
}

Deno.test("gradcheck: β's gradient is exact; R's and v's are straight-through, not derivatives", async () => {
  await setBackend("cpu");
  tf.tidy(() => {
    const r = tf.randomUniform([40], 0, 1, "float32", 3);
    const v = tf.tensor1d([0.2, -0.1]), beta = tf.tensor1d([0.7, 1.3]);
    const reference = ([r, v, b]: Float64Array[]) => abcActivationRef(r, v, b);
    const res = gradcheck(
      (r, v, b) => abcActivation(r, v as tf.Tensor1D, b as tf.Tensor1D),
      [r, v, beta],
      { reference },
    );
    const [pr, pv, pb] = res.perInput;
    assert(pb.maxRelError < 1e-3, `dβ: ${pb.maxRelError}`);
    // Away from the steps H is flat: the finite differences are 0 while the straight-through
    // gradient is not, so the error is total.
    assert(pr.maxRelError > 0.99 && pv.maxRelError > 0.99, JSON.stringify(res.perInput));
  });
});

Deno.test("abcActivation: rejects bad input and does not leak", async () => {
  await setBackend("cpu");
  const r = tf.ones([2, 3]), v = tf.tensor1d([0, 0.1]), b = tf.tensor1d([1, 1]);
  assertThrows(
    () => abcActivation([1] as unknown as tf.Tensor, v, b),
    TypeError,
    "abcActivation: r must be a tf.Tensor",
  );
  assertThrows(
    () => abcActivation(tf.ones([2], "int32"), v, b),
    TypeError,
    "r must have dtype float32",
  );
  assertThrows(
    () => abcActivation(r, tf.ones([1, 2]) as unknown as tf.Tensor1D, b),
    RangeError,
    "v must have shape [N]",
  );
  assertThrows(
    () => abcActivation(r, v, tf.tensor1d([1, 2, 3])),
    RangeError,
    "v and beta must have the same length N",
  );
  const opt = tf.train.sgd(0.1);
  const vv = tf.variable(v), bv = tf.variable(b);
  const step = () =>
    opt.minimize(() =>
      abcActivation(r, vv as tf.Tensor1D, bv as tf.Tensor1D).square().mean() as tf.Scalar
    );
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) step();
  tf.dispose(abcActivation(r, v, b));
  assertEquals(tf.memory().numTensors, before);
  tf.dispose([r, v, b, vv, bv]);
  opt.dispose();
});
