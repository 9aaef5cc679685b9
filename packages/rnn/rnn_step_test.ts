import * as tf from "@tensorflow/tfjs";
import { assert, assertClose, assertEquals, assertThrows } from "@convgrad/base/testing";
import { type BackendName, gradcheck, setBackend } from "@convgrad/ops";
import { rnnStep } from "./mod.ts";
import { type Arr, rnnSequenceGradRef, rnnSequenceRef } from "./reference.ts";
import { stockRnnStep } from "./stock.ts";
import { assertGrads, pair } from "./test_data.ts";

const [N, D, H] = [3, 4, 5];
type F = (...a: tf.Tensor[]) => tf.Tensor;
const ours: F = (x, h, Wx, Wh, b) =>
  rnnStep(
    x as tf.Tensor2D,
    h as tf.Tensor2D,
    Wx as tf.Tensor2D,
    Wh as tf.Tensor2D,
    b as tf.Tensor1D,
  );
/** The same step from stock ops, differentiated by TF.js. */
const stock: F = stockRnnStep;
/** The oracle of one step is the sequence oracle with T = 1. */
const seq = (a: Arr) => ({ data: a.data, shape: [a.shape[0], 1, a.shape[1]] });

const inputs = (seed: number) =>
  [[N, D], [N, H], [D, H], [H, H], [H]].map((s, i) => pair(s, seed + i, i >= 2 ? 0.5 : 1));

for (const backend of ["cpu", "wasm"] as BackendName[]) {
  Deno.test(`${backend}: rnnStep and its gradient match the oracle and autodiff`, async () => {
    await setBackend(backend);
    const ps = inputs(1), dy = pair([N, H], 9), ts = ps.map((p) => p.t);
    const [x, h, Wx, Wh, b] = ps.map((p) => p.a);
    tf.tidy(() => {
      assertClose(ours(...ts), rnnSequenceRef(seq(x), h, Wx, Wh, b).data, `${backend} h`);
      const [dx, dh, dWx, dWh, db] = tf.grads(ours)(ts, dy.t);
      const g = rnnSequenceGradRef(seq(x), h, Wx, Wh, b, seq(dy.a));
      assertGrads(
        { dx, dh, dWx, dWh, db },
        { dx: g.dx.data, dh: g.dh0.data, dWx: g.dWx.data, dWh: g.dWh.data, db: g.db.data },
        backend,
      );
      const auto = tf.grads(stock)(ts, dy.t);
      [dx, dh, dWx, dWh, db].forEach((d, i) => assertClose(d, auto[i].dataSync(), `autodiff ${i}`));
    });
    tf.dispose([...ts, dy.t]);
  });
}

Deno.test("rnnStep: gradient agrees with float64 finite differences", async () => {
  await setBackend("cpu");
  const ps = inputs(20);
  const r = gradcheck(ours, ps.map((p) => p.t), {
    reference: (v) => {
      const [x, h, Wx, Wh, b] = v.map((data, i) => ({ data, shape: ps[i].a.shape }));
      return rnnSequenceRef(seq(x), h, Wx, Wh, b).data;
    },
  });
  assert(r.ok, `gradcheck: max relative error ${r.maxRelError}`);
  tf.dispose(ps.map((p) => p.t));
});

Deno.test("rnnStep: bad arguments throw errors naming them", () => {
  tf.tidy(() => {
    const [x, h, Wx, Wh, b] = [[N, D], [N, H], [D, H], [H, H], [H]].map((s) => tf.zeros(s));
    assertThrows(
      () => ours(x, tf.zeros([N + 1, H]), Wx, Wh, b),
      RangeError,
      "rnnStep: prevH has shape [4,5], expected [N,H] with N = 3 (from x)",
    );
    assertThrows(
      () => ours(x.expandDims(1), h, Wx, Wh, b),
      RangeError,
      "rnnStep: x must have rank 2 [N,D]",
    );
    assertThrows(
      () => ours(x, h, Wx, Wh, tf.zeros([H + 1])),
      RangeError,
      "b has shape [6], expected [H] with H = 5 (from prevH)",
    );
  });
});

Deno.test("rnnStep: no tensor leaks over repeated gradient steps", async () => {
  await setBackend("wasm");
  const ts = inputs(30).map((p) => p.t);
  const step = () => tf.dispose(tf.grads((...a: tf.Tensor[]) => ours(...a).sum())(ts));
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) step();
  tf.dispose(ours(...ts));
  assertEquals(tf.memory().numTensors, before);
  tf.dispose(ts);
});
