import * as tf from "@tensorflow/tfjs";
import { assert, assertClose, assertEquals, assertThrows } from "@convgrad/base/testing";
import { type BackendName, gradcheck, setBackend } from "@convgrad/ops";
import { temporalAffine } from "./mod.ts";
import { temporalAffineGradRef, temporalAffineRef } from "./reference.ts";
import { assertGrads, pair } from "./test_data.ts";

const [N, T, D, M] = [3, 5, 4, 6];
type F = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor;
const ours: F = (x, w, b) => temporalAffine(x as tf.Tensor3D, w as tf.Tensor2D, b as tf.Tensor1D);
/** The same forward from stock ops, differentiated by TF.js. */
const stock: F = (x, w, b) => tf.matMul(x.reshape([-1, D]), w).add(b).reshape([N, T, M]);

for (const backend of ["cpu", "wasm"] as BackendName[]) {
  Deno.test(`${backend}: temporalAffine and its gradient match the oracle and autodiff`, async () => {
    await setBackend(backend);
    const [x, w, b, dy] = [[N, T, D], [D, M], [M], [N, T, M]].map((s, i) => pair(s, i + 1));
    tf.tidy(() => {
      assertClose(ours(x.t, w.t, b.t), temporalAffineRef(x.a, w.a, b.a).data, `${backend} y`);
      const [dx, dw, db] = tf.grads(ours)([x.t, w.t, b.t], dy.t);
      const ref = temporalAffineGradRef(x.a, w.a, dy.a);
      assertGrads({ dx, dw, db }, { dx: ref.dx.data, dw: ref.dw.data, db: ref.db.data }, backend);
      const auto = tf.grads(stock)([x.t, w.t, b.t], dy.t);
      [dx, dw, db].forEach((g, i) =>
        assertClose(g, auto[i].dataSync(), `${backend} autodiff ${i}`)
      );
    });
    tf.dispose([x.t, w.t, b.t, dy.t]);
  });
}

Deno.test("temporalAffine: gradient agrees with float64 finite differences", async () => {
  await setBackend("cpu");
  const [x, w, b] = [[2, 3, 4], [4, 3], [3]].map((s, i) => pair(s, 10 + i));
  const r = gradcheck(ours, [x.t, w.t, b.t], {
    reference: ([x, w, b]) =>
      temporalAffineRef({ data: x, shape: [2, 3, 4] }, { data: w, shape: [4, 3] }, {
        data: b,
        shape: [3],
      }).data,
  });
  assert(r.ok, `gradcheck: max relative error ${r.maxRelError}`);
  tf.dispose([x.t, w.t, b.t]);
});

Deno.test("temporalAffine: bad arguments throw errors naming them", () => {
  tf.tidy(() => {
    const x = tf.zeros([2, 3, 4]), w = tf.zeros([4, 5]), b = tf.zeros([5]);
    const f = ours as (...a: unknown[]) => tf.Tensor;
    assertThrows(() => f(tf.zeros([6, 4]), w, b), RangeError, "x must have rank 3 [N,T,D]");
    assertThrows(
      () => f(x, tf.zeros([3, 5]), b),
      RangeError,
      "w has shape [3,5], expected [D,M] with D = 4 (from x)",
    );
    assertThrows(
      () => f(x, w, tf.zeros([4])),
      RangeError,
      "b has shape [4], expected [M] with M = 5 (from w)",
    );
    assertThrows(
      () => f(x, w, [1, 2, 3, 4, 5]),
      TypeError,
      "b must be a tf.Tensor [M], got an array",
    );
    assertThrows(() => f(x.cast("int32"), w, b), TypeError, "x must have dtype float32, got int32");
  });
});

Deno.test("temporalAffine: no tensor leaks over repeated gradient steps", async () => {
  await setBackend("wasm");
  const [x, w, b] = [[2, 3, 4], [4, 5], [5]].map((s, i) => pair(s, 20 + i));
  const step = () => tf.dispose(tf.grads((w, b) => ours(x.t, w, b).square().sum())([w.t, b.t]));
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) step();
  tf.dispose(ours(x.t, w.t, b.t));
  assertEquals(tf.memory().numTensors, before);
  tf.dispose([x.t, w.t, b.t]);
});
