import * as tf from "@tensorflow/tfjs";
import { assert, assertClose, assertEquals, assertThrows } from "@convgrad/base/testing";
import { type BackendName, gradcheck, setBackend } from "@convgrad/ops";
import { temporalSoftmaxLoss } from "./mod.ts";
import { temporalSoftmaxLossRef } from "./reference.ts";
import { pair, tokens } from "./test_data.ts";

const [N, T, V] = [3, 4, 7];
const MASK = [1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0].map(Boolean); // a fully masked row too
const mask = () => tf.tensor2d(MASK, [N, T], "bool");

/** The same loss from stock ops, differentiated by TF.js. */
function stock(x: tf.Tensor, y: tf.Tensor, m: tf.Tensor): tf.Tensor {
  const picked = tf.logSoftmax(x).mul(tf.oneHot(y, V).cast("float32")).sum(2); // [N,T]
  return picked.mul(m.cast("float32")).sum().div(-N);
}

for (const backend of ["cpu", "wasm"] as BackendName[]) {
  Deno.test(`${backend}: temporalSoftmaxLoss matches the oracle and autodiff`, async () => {
    await setBackend(backend);
    const y = tokens([N, T], V, 2);
    for (const scale of [3, 1e6]) { // 1e6: exp overflows unless the row maximum is subtracted
      const x = pair([N, T, V], 1, scale);
      tf.tidy(() => {
        const loss = (x: tf.Tensor) =>
          temporalSoftmaxLoss(x as tf.Tensor3D, y.t as tf.Tensor2D, mask());
        const ref = temporalSoftmaxLossRef(x.a, y.ids, MASK);
        assertClose(loss(x.t), [ref.loss], `${backend} scale ${scale} loss`);
        const dx = tf.grad(loss)(x.t);
        assertClose(dx, ref.dx.data, `${backend} scale ${scale} dx`);
        assertClose(dx, tf.grad((x) => stock(x, y.t, mask()))(x.t).dataSync(), "autodiff");
      });
      x.t.dispose();
    }
    y.t.dispose();
  });
}

Deno.test("temporalSoftmaxLoss divides by N, not by the unmasked count", () => {
  tf.tidy(() => {
    const m = tf.tensor2d([[true, false], [false, false]], [2, 2], "bool");
    const y = tf.tensor2d([[3, 0], [0, 0]], [2, 2], "int32");
    const loss = temporalSoftmaxLoss(tf.zeros([2, 2, 5]), y, m);
    assertClose(loss, [Math.log(5) / 2], "one uniform position over N = 2", 1e-6);
  });
});

Deno.test("temporalSoftmaxLoss: gradient agrees with float64 finite differences", async () => {
  await setBackend("cpu");
  const x = pair([N, T, V], 5), y = tokens([N, T], V, 6);
  const r = gradcheck(
    (x) => temporalSoftmaxLoss(x as tf.Tensor3D, y.t as tf.Tensor2D, mask()),
    [x.t],
    {
      reference: ([x]) =>
        Float64Array.of(temporalSoftmaxLossRef({ data: x, shape: [N, T, V] }, y.ids, MASK).loss),
    },
  );
  assert(r.ok, `gradcheck: max relative error ${r.maxRelError}`);
  tf.dispose([x.t, y.t]);
});

Deno.test("temporalSoftmaxLoss: bad arguments throw errors naming them", () => {
  tf.tidy(() => {
    const x = tf.zeros([2, 3, 4]) as tf.Tensor3D, y = tf.zeros([2, 3], "int32") as tf.Tensor2D;
    const m = tf.ones([2, 3], "bool") as tf.Tensor2D;
    assertThrows(
      () => temporalSoftmaxLoss(x, y, tf.ones([2, 4], "bool") as tf.Tensor2D),
      RangeError,
      "mask has shape [2,4], expected [N,T] with T = 3 (from x)",
    );
    assertThrows(
      () => temporalSoftmaxLoss(x, y, tf.ones([2, 3]) as tf.Tensor2D),
      TypeError,
      "mask must have dtype bool, got float32",
    );
    assertThrows(
      () => temporalSoftmaxLoss(x, tf.zeros([2, 3]) as tf.Tensor2D, m),
      TypeError,
      "y must have dtype int32 (token ids are integers), got float32",
    );
    assertThrows(
      () => temporalSoftmaxLoss(x, tf.fill([2, 3], 4, "int32") as tf.Tensor2D, m),
      RangeError,
      "y[0,0] is 4, outside the vocabulary [0, 4)",
    );
    assertThrows(
      () => temporalSoftmaxLoss(x, tf.tensor2d([[0, 0, 0], [0, -1, 0]], [2, 3], "int32"), m),
      RangeError,
      "y[1,1] is -1",
    );
    assertThrows(
      () => temporalSoftmaxLoss(tf.zeros([2, 3]) as unknown as tf.Tensor3D, y, m),
      RangeError,
      "x must have rank 3 [N,T,V]",
    );
  });
});

Deno.test("temporalSoftmaxLoss: no tensor leaks over repeated gradient steps", async () => {
  await setBackend("wasm");
  const x = pair([N, T, V], 7), y = tokens([N, T], V, 8), m = mask();
  const step = () =>
    tf.dispose(tf.grad((x) => temporalSoftmaxLoss(x as tf.Tensor3D, y.t as tf.Tensor2D, m))(x.t));
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) step();
  tf.dispose(temporalSoftmaxLoss(x.t as tf.Tensor3D, y.t as tf.Tensor2D, m));
  assertEquals(tf.memory().numTensors, before);
  tf.dispose([x.t, y.t, m]);
});
