import * as tf from "@tensorflow/tfjs";
import { setBackend } from "@convgrad/ops";
import { assert, assertClose, assertEquals, assertThrows } from "@convgrad/base/testing";
import { createRng } from "@convgrad/base";
import type { LabeledImages } from "@convgrad/data";
import { createEncoder, digitCells, encode, encodeAll, featureDim } from "./encoder.ts";

/** The same encoder from stock TF.js ops (NHWC conv2d, maxPool) and its autodiff. */
function stockEncode(
  x: tf.Tensor4D,
  ks: tf.Tensor[],
  bs: tf.Tensor[],
  W: tf.Tensor,
  c: tf.Tensor,
): tf.Tensor2D {
  let h = x.transpose([0, 2, 3, 1]) as tf.Tensor4D; // NHWC
  for (let i = 0; i < 3; i++) {
    const k = ks[i].transpose([2, 3, 1, 0]) as tf.Tensor4D; // [kh,kw,C,F]
    h = tf.conv2d(h, k, 1, "same").add(bs[i]).relu() as tf.Tensor4D;
    h = tf.maxPool(h, 2, 2, "valid");
  }
  h = tf.maxPool(h, 4, 4, "valid"); // [N,gh,gw,64]: blocks row by row
  const p = tf.softmax(h.reshape([-1, 64]).matMul(W).add(c));
  return p.reshape([x.shape[0], -1]) as tf.Tensor2D;
}

Deno.test("encode: values and every kernel's gradient match stock TF.js on cpu", async () => {
  await setBackend("cpu");
  const enc = createEncoder(1);
  const ks = [enc.k1, enc.k2, enc.k3], bs = [enc.b1, enc.b2, enc.b3];
  // Small non-zero biases so ReLU's kinks are not at the pools' ties.
  bs.forEach((b, i) => b.assign(tf.randomUniform(b.shape, -0.1, 0.1, "float32", i)));
  const x = tf.randomUniform([2, 1, 64, 32], 0, 1, "float32", 7) as tf.Tensor4D;
  const w = tf.randomNormal([2, featureDim(32) * 2], 0, 1, "float32", 8);
  const ours = encode(x, enc), stock = stockEncode(x, ks, bs, enc.W, enc.c);
  assertEquals(ours.shape, [2, 42]); // two blocks of 21 probabilities
  assertClose(ours, Array.from(stock.dataSync()), "features", 1e-5);
  const loss = (f: (...t: tf.Tensor[]) => tf.Tensor2D) => (...t: tf.Tensor[]) =>
    f(...t).mul(w).sum();
  const params = [enc.k1, enc.b1, enc.k2, enc.b2, enc.k3, enc.b3, enc.W, enc.c];
  const g = tf.grads(
    loss((k1, b1, k2, b2, k3, b3, W, c) =>
      encode(x, { k1, b1, k2, b2, k3, b3, W, c } as unknown as Parameters<typeof encode>[1])
    ),
  )(params);
  const gs = tf.grads(
    loss((k1, b1, k2, b2, k3, b3, W, c) => stockEncode(x, [k1, k2, k3], [b1, b2, b3], W, c)),
  )(params);
  g.forEach((gi, i) => assertClose(gi, Array.from(gs[i].dataSync()), `gradient ${i}`, 1e-4));
  tf.dispose([...g, ...gs, x, w, ours, stock, ...Object.values(enc)]);
  await setBackend("wasm");
});

Deno.test("encodeAll batches without leaking; bad shapes are named", async () => {
  await setBackend("wasm");
  const enc = createEncoder(0), n = 5;
  const images = Float32Array.from({ length: n * 64 * 64 }, (_, i) => (i * 7919 % 101) / 100);
  const before = tf.memory().numTensors;
  const all = encodeAll(images, n, 64, enc, 2);
  assertEquals(tf.memory().numTensors, before);
  assertEquals(all.length, n * featureDim(64));
  assertEquals(featureDim(64), 84);
  const one = tf.tidy(() =>
    encode(tf.tensor4d(images.subarray(3 * 4096, 4 * 4096), [1, 1, 64, 64]), enc)
  );
  assertClose(all.subarray(3 * 84, 4 * 84), Array.from(one.dataSync()), "row 3", 1e-6);
  assertThrows(
    () => encode(tf.zeros([1, 1, 56, 56]) as tf.Tensor4D, enc),
    RangeError,
    "got [1,1,56,56]",
  );
  tf.dispose([one, ...Object.values(enc)]);
});

Deno.test("digitCells: large digits copied, small ones halved, empty cells; classes say which", () => {
  const rand = createRng(3), n = 12;
  const set: LabeledImages = {
    images: Float32Array.from(
      { length: n * 784 },
      (_, i) => ((i % 28) > 3 && (i % 28) < 24 ? rand() : 0),
    ),
    labels: Uint8Array.from([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]),
    n,
    height: 28,
    width: 28,
  };
  const cells = digitCells(set, 0);
  assertEquals([cells.n, cells.height, cells.width], [12, 32, 32]);
  // Even: large (the digit), odd: small (10 + digit), the 11th: empty (20).
  assertEquals(Array.from(cells.labels), [3, 11, 4, 11, 5, 19, 2, 16, 5, 13, 20, 18]);
  for (let i = 0; i < n; i++) {
    const sum = (a: Float32Array) => a.reduce((s, v) => s + v, 0);
    const src = sum(set.images.subarray(i * 784, (i + 1) * 784));
    const got = sum(cells.images.subarray(i * 1024, (i + 1) * 1024));
    // A 2x2 mean keeps a quarter of the ink's sum.
    assertClose([got], [i === 10 ? 0 : i % 2 === 0 ? src : src / 4], `digit ${i}`, 1e-5);
  }
  assert(cells.images.some((v, i) => v !== digitCells(set, 1).images[i]), "the seed moves nothing");
});
