import * as tf from "@tensorflow/tfjs";
import { assert, assertClose, assertEquals, assertThrows } from "@convgrad/base/testing";
import { type BackendName, gradcheck, setBackend } from "@convgrad/ops";
import { lstmSequence } from "./mod.ts";
import { type Arr, lstmSequenceGradRef, lstmSequenceRef } from "./reference.ts";
import { stockSequence } from "./stock.ts";
import { assertGrads, pair } from "./test_data.ts";

type F = (...a: tf.Tensor[]) => tf.Tensor;
const ours: F = (x, h0, Wx, Wh, b) =>
  lstmSequence(
    x as tf.Tensor3D,
    h0 as tf.Tensor2D,
    Wx as tf.Tensor2D,
    Wh as tf.Tensor2D,
    b as tf.Tensor1D,
  );
/** The same recurrence from stock ops, differentiated by TF.js. */
const stock: F = (x, h0, Wx, Wh, b) => stockSequence("lstm", x, h0, Wx, Wh, b);

const inputs = (N: number, T: number, D: number, H: number, seed: number) =>
  [[N, T, D], [N, H], [D, 4 * H], [H, 4 * H], [4 * H]].map((s, i) =>
    pair(s, seed + i, i >= 2 ? 0.5 : 1)
  );

for (const backend of ["cpu", "wasm"] as BackendName[]) {
  Deno.test(`${backend}: lstmSequence and its BPTT match the oracle and autodiff`, async () => {
    await setBackend(backend);
    for (const [N, T, D, H] of [[3, 6, 4, 5], [2, 1, 3, 4]]) {
      const ps = inputs(N, T, D, H, 10 * T), dy = pair([N, T, H], 99);
      const [x, h0, Wx, Wh, b] = ps.map((p) => p.a);
      tf.tidy(() => {
        const ts = ps.map((p) => p.t);
        assertClose(ours(...ts), lstmSequenceRef(x, h0, Wx, Wh, b).h.data, `${backend} T=${T} h`);
        const [dx, dh0, dWx, dWh, db] = tf.grads(ours)(ts, dy.t);
        const g = lstmSequenceGradRef(x, h0, Wx, Wh, b, dy.a);
        const oracle = {
          dx: g.dx.data,
          dh0: g.dh0.data,
          dWx: g.dWx.data,
          dWh: g.dWh.data,
          db: g.db.data,
        };
        assertGrads({ dx, dh0, dWx, dWh, db }, oracle, `${backend} T=${T}`);
        const auto = tf.grads(stock)(ts, dy.t);
        [dx, dh0, dWx, dWh, db].forEach((d, i) =>
          assertClose(d, auto[i].dataSync(), `autodiff ${i}`)
        );
      });
      tf.dispose([...ps.map((p) => p.t), dy.t]);
    }
  });
}

Deno.test("lstmSequence: gradient agrees with float64 finite differences", async () => {
  await setBackend("cpu");
  const [N, T, D, H] = [2, 4, 3, 3], ps = inputs(N, T, D, H, 50);
  const r = gradcheck(ours, ps.map((p) => p.t), {
    reference: (v) =>
      lstmSequenceRef(
        ...v.map((data, i) => ({ data, shape: ps[i].a.shape })) as [Arr, Arr, Arr, Arr, Arr],
      ).h.data,
  });
  assert(r.ok, `gradcheck: max relative error ${r.maxRelError}`);
  tf.dispose(ps.map((p) => p.t));
});

Deno.test("lstmSequence: bad arguments throw errors naming them", () => {
  tf.tidy(() => {
    const [x, h0, Wx, Wh, b] = [[2, 3, 4], [2, 5], [4, 20], [5, 20], [20]].map((s) => tf.zeros(s));
    assertThrows(
      () => ours(x, h0, tf.zeros([4, 5]), Wh, b),
      RangeError,
      "Wx has shape [4,5], expected [D,4H] with H = 5 (from h0): axis 1 should be 20",
    );
    assertThrows(
      () => ours(x, h0, Wx, tf.zeros([5, 5]), b),
      RangeError,
      "Wh has shape [5,5], expected [H,4H]",
    );
    assertThrows(
      () => ours(x, h0, Wx, Wh, tf.zeros([10])),
      RangeError,
      "b has shape [10], expected [4H]",
    );
    assertThrows(
      () => ours(x, tf.zeros([2, 5], "int32"), Wx, Wh, b),
      TypeError,
      "h0 must have dtype float32",
    );
  });
});

Deno.test("lstmSequence: no tensor leaks over repeated gradient steps", async () => {
  await setBackend("wasm");
  const ts = inputs(2, 5, 3, 4, 70).map((p) => p.t);
  const step = () => tf.dispose(tf.grads((...a: tf.Tensor[]) => ours(...a).square().sum())(ts));
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) step();
  tf.dispose(ours(...ts));
  assertEquals(tf.memory().numTensors, before);
  tf.dispose(ts);
});
