import * as tf from "@tensorflow/tfjs";
import { assert, assertClose, assertEquals, assertThrows } from "@convgrad/base/testing";
import { type BackendName, gradcheck, setBackend } from "@convgrad/ops";
import { wordEmbedding } from "./mod.ts";
import { wordEmbeddingGradRef, wordEmbeddingRef } from "./reference.ts";
import { pair, tokens } from "./test_data.ts";

const [N, T, V, Wd] = [3, 5, 4, 6]; // 15 positions over 4 words: every word repeats

for (const backend of ["cpu", "wasm"] as BackendName[]) {
  Deno.test(`${backend}: wordEmbedding matches the oracle; repeated words accumulate`, async () => {
    await setBackend(backend);
    const x = tokens([N, T], V, 1), W = pair([V, Wd], 2), dy = pair([N, T, Wd], 3);
    tf.tidy(() => {
      const f = (W: tf.Tensor) => wordEmbedding(x.t as tf.Tensor2D, W as tf.Tensor2D);
      assertClose(f(W.t), wordEmbeddingRef(x.ids, [N, T], W.a).data, `${backend} y`);
      const dW = tf.grad(f)(W.t, dy.t);
      assertClose(dW, wordEmbeddingGradRef(x.ids, [V, Wd], dy.a).data, `${backend} dW`);
      // Word 1 at every position: its row of dW is the sum of all upstream rows.
      const ones = tf.ones([N, T], "int32") as tf.Tensor2D;
      const d1 = tf.grad((W) => wordEmbedding(ones, W as tf.Tensor2D))(W.t, dy.t);
      const sum = dy.t.sum([0, 1]).dataSync();
      assertClose(d1.slice([1, 0], [1, Wd]), sum, `${backend} repeated word`);
      const others = tf.concat([d1.slice([0, 0], [1, Wd]), d1.slice([2, 0], [V - 2, Wd])]);
      assertEquals(others.abs().max().dataSync()[0], 0, "rows of absent words");
    });
    tf.dispose([x.t, W.t, dy.t]);
  });
}

Deno.test("cpu: wordEmbedding's gradient equals stock gather's autodiff", async () => {
  await setBackend("cpu"); // stock's gradient needs UnsortedSegmentSum, which wasm lacks
  const x = tokens([N, T], V, 4), W = pair([V, Wd], 5), dy = pair([N, T, Wd], 6);
  tf.tidy(() => {
    const ours = tf.grad((W) => wordEmbedding(x.t as tf.Tensor2D, W as tf.Tensor2D))(W.t, dy.t);
    const stock = tf.grad((W) => tf.gather(W, x.t))(W.t, dy.t);
    assertClose(ours, stock.dataSync(), "dW");
  });
  tf.dispose([x.t, W.t, dy.t]);
});

Deno.test("wordEmbedding: gradient agrees with float64 finite differences", async () => {
  await setBackend("cpu");
  const x = tokens([N, T], V, 7), W = pair([V, Wd], 8);
  const r = gradcheck((W) => wordEmbedding(x.t as tf.Tensor2D, W as tf.Tensor2D), [W.t], {
    reference: ([W]) => wordEmbeddingRef(x.ids, [N, T], { data: W, shape: [V, Wd] }).data,
  });
  assert(r.ok, `gradcheck: max relative error ${r.maxRelError}`);
  tf.dispose([x.t, W.t]);
});

Deno.test("wordEmbedding: bad arguments throw errors naming them", () => {
  tf.tidy(() => {
    const W = tf.zeros([4, 3]) as tf.Tensor2D;
    assertThrows(
      () => wordEmbedding(tf.tensor2d([[0, 4]], [1, 2], "int32"), W),
      RangeError,
      "wordEmbedding: x[0,1] is 4, outside the vocabulary [0, 4)",
    );
    assertThrows(
      () => wordEmbedding(tf.tensor2d([[0, 1.5]]), W),
      TypeError,
      "x must have dtype int32 (token ids are integers), got float32",
    );
    assertThrows(
      () => wordEmbedding(tf.zeros([3], "int32") as unknown as tf.Tensor2D, W),
      RangeError,
      "x must have rank 2 [N,T], got shape [3]",
    );
    assertThrows(
      () =>
        wordEmbedding(
          tf.zeros([1, 2], "int32") as tf.Tensor2D,
          tf.zeros([4]) as unknown as tf.Tensor2D,
        ),
      RangeError,
      "W must have rank 2 [V,Wd]",
    );
  });
});

Deno.test("wordEmbedding: no tensor leaks over repeated gradient steps", async () => {
  await setBackend("wasm");
  const x = tokens([N, T], V, 9), W = pair([V, Wd], 10);
  const f = (W: tf.Tensor) => wordEmbedding(x.t as tf.Tensor2D, W as tf.Tensor2D).square().sum();
  tf.dispose(tf.grad(f)(W.t));
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) tf.dispose(tf.grad(f)(W.t));
  tf.dispose(wordEmbedding(x.t as tf.Tensor2D, W.t as tf.Tensor2D));
  assertEquals(tf.memory().numTensors, before);
  tf.dispose([x.t, W.t]);
});
