import * as tf from "@tensorflow/tfjs";
import { type BackendName, gradcheck, maxPool, setBackend } from "../mod.ts";
import { assert, assertClose, assertEquals, assertThrows } from "@convgrad/base/testing";
import { fromTensor } from "../conv/reference.ts";
import { maxPoolGradRef, maxPoolRef } from "./reference.ts";

for (const backend of ["cpu", "wasm"] as BackendName[]) {
  Deno.test(`${backend}: maxPool and its gradient match the loop oracle`, async () => {
    await setBackend(backend);
    // 2x2 runs SIMD four windows at a time, a row's last step overlapping the one before when 4
    // does not divide Wo (11), and skips zeroing dX when windows cover it (even sizes); rows of
    // fewer than 4 windows and other sizes are scalar.
    const cases = [
      [[2, 3, 9, 8], 2],
      [[2, 3, 10, 22], 2],
      [[1, 2, 5, 6], 2],
      [[1, 2, 7, 7], 3],
      [[1, 1, 4, 4], 1],
    ];
    for (const [shape, k] of cases as [number[], number][]) {
      tf.tidy(() => {
        // Shifted negative: windows of only negative values are the case stock wasm gets wrong;
        // clipped at -1.5, many windows tie, and the gradient must go to the first maximum.
        const x = tf.maximum(tf.randomNormal([...shape], -1, 1, "float32", 3), -1.5) as tf.Tensor4D;
        const y = maxPool(x, k);
        const dy = tf.randomNormal(y.shape, 0, 1, "float32", 4);
        const o = {
          y: maxPoolRef(fromTensor(x), k).data,
          dx: maxPoolGradRef(fromTensor(x), fromTensor(dy), k).data,
        };
        assertEquals(y.shape, [
          shape[0],
          shape[1],
          Math.floor(shape[2] / k),
          Math.floor(shape[3] / k),
        ]);
        assertClose(y, o.y, `y k=${k}`, 0);
        assertClose(
          tf.grad((t: tf.Tensor) => maxPool(t as tf.Tensor4D, k).mul(dy).sum())(x),
          o.dx,
          `dx k=${k}`,
          0,
        );
      });
    }
    const x = tf.randomNormal([1, 2, 6, 6], 0, 1, "float32", 5);
    const r = gradcheck((t) => maxPool(t as tf.Tensor4D, 2), [x], { eps: 1e-3 });
    assert(r.ok, JSON.stringify(r));
    x.dispose();
  });

  Deno.test(`${backend}: maxPool leaks no tensors`, async () => {
    await setBackend(backend);
    const x = tf.randomNormal([2, 2, 8, 8]) as tf.Tensor4D;
    const f = () =>
      tf.tidy(() => void tf.grad((t: tf.Tensor) => maxPool(t as tf.Tensor4D, 2).sum())(x));
    f();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) f();
    assertEquals(tf.memory().numTensors, before);
    x.dispose();
  });
}

Deno.test("maxPool rejects bad input", () => {
  const x = tf.zeros([1, 1, 4, 4]) as tf.Tensor4D;
  assertThrows(() => maxPool(x, 0), RangeError, "size must be a positive integer");
  assertThrows(() => maxPool(x, 5), RangeError, "smaller than the window");
  assertThrows(() => maxPool(tf.zeros([4, 4]) as never, 2), RangeError, "x must have rank 4");
  x.dispose();
});
