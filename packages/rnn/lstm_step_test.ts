import * as tf from "@tensorflow/tfjs";
import { assert, assertClose, assertEquals, assertThrows } from "@convgrad/base/testing";
import { type BackendName, gradcheck, setBackend } from "@convgrad/ops";
import { lstmStep } from "./mod.ts";
import { type Arr, lstmSequenceGradRef, lstmSequenceRef } from "./reference.ts";
import { stockLstmStep } from "./stock.ts";
import { assertGrads, pair } from "./test_data.ts";

const [N, D, H] = [3, 4, 5];
/** h and c side by side, so one scalar loss weighs both. */
type F = (...a: tf.Tensor[]) => tf.Tensor;
type Args = [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
const ours: F = (x, h, c, Wx, Wh, b) => {
  const s = lstmStep(...[x, h, c, Wx, Wh] as Args, b as tf.Tensor1D);
  return tf.concat([s.h, s.c], 1);
};
/** The same step from stock ops, differentiated by TF.js. */
const stock: F = (...a) => {
  const s = stockLstmStep(
    ...a as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor],
  );
  return tf.concat([s.h, s.c], 1);
};
/** The oracle of one step is the sequence oracle with T = 1. */
const seq = (a: Arr) => ({ data: a.data, shape: [a.shape[0], 1, a.shape[1]] });
/** Splits `[N,2H]` (h then c) into the two halves. */
const halves = (a: Arr) => {
  const h = new Float64Array(N * H), c = new Float64Array(N * H);
  for (let n = 0; n < N; n++) {
    h.set(a.data.subarray(2 * n * H, (2 * n + 1) * H), n * H);
    c.set(a.data.subarray((2 * n + 1) * H, (2 * n + 2) * H), n * H);
  }
  return [{ data: h, shape: [N, H] }, { data: c, shape: [N, H] }];
};
const inputs = (seed: number) =>
  [[N, D], [N, H], [N, H], [D, 4 * H], [H, 4 * H], [4 * H]].map((s, i) =>
    pair(s, seed + i, i >= 3 ? 0.5 : 1)
  );

/** The oracle of `ours`: `[N,2H]`, h then c per row. */
function reference([x, h, c, Wx, Wh, b]: Arr[]): Float64Array {
  const r = lstmSequenceRef(seq(x), h, Wx, Wh, b, c), out = new Float64Array(2 * N * H);
  for (let n = 0; n < N; n++) {
    out.set(r.h.data.subarray(n * H, (n + 1) * H), 2 * n * H);
    out.set(r.c.data.subarray(n * H, (n + 1) * H), (2 * n + 1) * H);
  }
  return out;
}

for (const backend of ["cpu", "wasm"] as BackendName[]) {
  Deno.test(`${backend}: lstmStep and its gradient match the oracle and autodiff`, async () => {
    await setBackend(backend);
    const ps = inputs(1), dy = pair([N, 2 * H], 9), ts = ps.map((p) => p.t);
    const [x, h, c, Wx, Wh, b] = ps.map((p) => p.a);
    tf.tidy(() => {
      assertClose(ours(...ts), reference(ps.map((p) => p.a)), `${backend} h, c`);
      const [dx, dh, dc, dWx, dWh, db] = tf.grads(ours)(ts, dy.t);
      const [dyH, dyC] = halves(dy.a);
      const g = lstmSequenceGradRef(seq(x), h, Wx, Wh, b, seq(dyH), c, dyC);
      assertGrads(
        { dx, dh, dc, dWx, dWh, db },
        {
          dx: g.dx.data,
          dh: g.dh0.data,
          dc: g.dc0!.data,
          dWx: g.dWx.data,
          dWh: g.dWh.data,
          db: g.db.data,
        },
        backend,
      );
      const auto = tf.grads(stock)(ts, dy.t);
      [dx, dh, dc, dWx, dWh, db].forEach((d, i) =>
        assertClose(d, auto[i].dataSync(), `autodiff ${i}`)
      );
    });
    tf.dispose([...ts, dy.t]);
  });
}

Deno.test("lstmStep: gradient agrees with float64 finite differences", async () => {
  await setBackend("cpu");
  const ps = inputs(20);
  const r = gradcheck(ours, ps.map((p) => p.t), {
    reference: (v) => reference(v.map((data, i) => ({ data, shape: ps[i].a.shape }))),
  });
  assert(r.ok, `gradcheck: max relative error ${r.maxRelError}`);
  tf.dispose(ps.map((p) => p.t));
});

Deno.test("lstmStep: bad arguments throw errors naming them", () => {
  tf.tidy(() => {
    const [x, h, c, Wx, Wh, b] = [[N, D], [N, H], [N, H], [D, 4 * H], [H, 4 * H], [4 * H]].map((
      s,
    ) => tf.zeros(s));
    assertThrows(
      () => ours(x, h, tf.zeros([N, H + 1]), Wx, Wh, b),
      RangeError,
      "lstmStep: prevC has shape [3,6], expected [N,H] with H = 5 (from prevH)",
    );
    assertThrows(
      () => ours(x, h, c, tf.zeros([D, 3 * H]), Wh, b),
      RangeError,
      "Wx has shape [4,15], expected [D,4H]",
    );
    assertThrows(
      () => ours(x, h, c, Wx, Wh, null as unknown as tf.Tensor),
      TypeError,
      "b must be a tf.Tensor [4H], got null",
    );
  });
});

Deno.test("lstmStep: no tensor leaks over repeated gradient steps", async () => {
  await setBackend("wasm");
  const ts = inputs(30).map((p) => p.t);
  const step = () => tf.dispose(tf.grads((...a: tf.Tensor[]) => ours(...a).sum())(ts));
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) step();
  const s = lstmStep(...ts.slice(0, 5) as Args, ts[5] as tf.Tensor1D);
  tf.dispose([s.h, s.c]);
  assertEquals(tf.memory().numTensors, before);
  tf.dispose(ts);
});
