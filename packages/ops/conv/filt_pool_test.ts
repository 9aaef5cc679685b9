import * as tf from "@tensorflow/tfjs";
import { filt, filtPool, maxPool, setBackend } from "../mod.ts";
import { assertClose, assertEquals, assertThrows } from "@convgrad/base/testing";
import { filtGradRef, filtRef, fromTensor } from "./reference.ts";
import { maxPoolGradRef, maxPoolRef } from "../pool/reference.ts";

/** y, dX and dK of `f` under the upstream gradient `dy`. */
function withGrads(
  f: (x: tf.Tensor4D, k: tf.Tensor4D) => tf.Tensor4D,
  x: tf.Tensor4D,
  k: tf.Tensor4D,
  dy: tf.Tensor,
): tf.Tensor[] {
  const [dx, dk] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    f(a as tf.Tensor4D, b as tf.Tensor4D).mul(dy).sum()
  )([x, k]);
  return [f(x, k), dx, dk];
}

Deno.test("wasm: filtPool equals maxPool(filt) to the bit, ties to the first maximum included", async () => {
  await setBackend("wasm");
  // A 1x1 kernel of ones keeps x's values, and x clipped at 0.5 ties most windows: the fused
  // kernel must send the gradient where maxPool does (the first maximum in row-major order).
  // F = 4 takes the general dK, F = 8 the one from patches; Ho = 9 leaves a row in no window.
  for (const F of [4, 8]) {
    tf.tidy(() => {
      const x = tf.minimum(tf.randomUniform([2, 1, 9, 12], 0, 1, "float32", F), 0.5) as tf.Tensor4D;
      const k = tf.ones([F, 1, 1, 1]) as tf.Tensor4D;
      const dy = tf.randomNormal([2, F, 4, 6], 0, 1, "float32", 7);
      const fused = withGrads(filtPool, x, k, dy);
      const apart = withGrads((a, b) => maxPool(filt(a, b), 2), x, k, dy);
      for (const [i, name] of ["y", "dX", "dK"].entries()) {
        assertEquals(fused[i].shape, apart[i].shape);
        assertClose(fused[i], apart[i].dataSync(), `F=${F} ${name}`, 0);
      }
    });
  }
});

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`${backend}: filtPool and its gradients match the float64 oracle`, async () => {
    await setBackend(backend);
    tf.tidy(() => {
      const x = tf.randomNormal([3, 2, 11, 10], 0, 1, "float32", 1) as tf.Tensor4D;
      const k = tf.randomNormal([8, 2, 3, 4], 0, 1, "float32", 2) as tf.Tensor4D;
      const dy = tf.randomNormal([3, 8, 5, 3], 0, 1, "float32", 3); // conv 11x7, pooled 5x3
      const [y, dx, dk] = withGrads((a, b) => filtPool(a, b, { pad: [1, 0] }), x, k, dy);
      const X = fromTensor(x), K = fromTensor(k), Y = filtRef(X, K, { pad: [1, 0] });
      const g = filtGradRef(X, K, maxPoolGradRef(Y, fromTensor(dy), 2), { pad: [1, 0] });
      assertClose(y, maxPoolRef(Y, 2).data, "y", 1e-5);
      assertClose(dx, g.dx.data, "dX", 1e-5);
      assertClose(dk, g.dk.data, "dK", 1e-5);
    });
  });

  Deno.test(`${backend}: filtPool leaks no tensors, with and without a gradient`, async () => {
    await setBackend(backend);
    const x = tf.randomNormal([2, 1, 12, 12]) as tf.Tensor4D;
    const k = tf.randomNormal([8, 1, 5, 5]) as tf.Tensor4D;
    const step = () =>
      tf.tidy(() =>
        void tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          filtPool(a as tf.Tensor4D, b as tf.Tensor4D).sum()
        )([x, k])
      );
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) step();
    for (let i = 0; i < 20; i++) filtPool(x, k).dispose(); // no tape: nothing kept for a gradient
    assertEquals(tf.memory().numTensors, before);
    tf.dispose([x, k]);
  });
}

Deno.test("filtPool rejects bad input", () => {
  const x = tf.zeros([1, 2, 6, 6]) as tf.Tensor4D, k = tf.zeros([4, 2, 3, 3]) as tf.Tensor4D;
  assertThrows(
    () => filtPool(x, tf.zeros([4, 2, 6, 6]) as tf.Tensor4D),
    RangeError,
    "smaller than the 2x2 window",
  );
  assertThrows(() => filtPool(x, k, { stride: 4 }), RangeError, "smaller than the 2x2 window");
  assertThrows(
    () => filtPool(x, tf.zeros([4, 3, 3, 3]) as tf.Tensor4D),
    RangeError,
    "channel mismatch",
  );
  assertThrows(() => filtPool(tf.zeros([6, 6]) as never, k), RangeError, "x must have rank 4");
  assertThrows(() => filtPool(x, k, { pad: -1 }), RangeError, "pad must be");
  tf.dispose([x, k]);
});
