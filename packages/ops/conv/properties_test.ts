/**
 * The properties of `docs/convolutions.md`, checked on cpu and wasm: derivative filters, average
 * pooling and RGB→grey as convolutions, and max-pooling commuting with a non-decreasing activation.
 */
import * as tf from "@tensorflow/tfjs";
import { type BackendName, filt, setBackend } from "../mod.ts";
import { assert, assertClose } from "@convgrad/base/testing";

const BACKENDS: BackendName[] = ["cpu", "wasm"];

/** Row-major H×W image with distinct values, as [1,1,H,W]. */
const image = (h: number, w: number, c = 1) =>
  tf.tensor4d(Float32Array.from({ length: c * h * w }, (_, i) => Math.sin(1.3 * i) * 5), [
    1,
    c,
    h,
    w,
  ]);

for (const backend of BACKENDS) {
  Deno.test(`${backend}: 3x3 derivative filters give forward differences`, async () => {
    await setBackend(backend);
    tf.tidy(() => {
      const [H, W] = [5, 6];
      const x = image(H, W);
      // The source notes name w4/w5 for the vertical difference, a slip (docs/convolutions.md); the
      // kernels they settle on, below, are the consistent ones: channel 0 is X[i+1,j] − X[i,j],
      // channel 1 is X[i,j+1] − X[i,j], with X = 0 outside the image (padding 1).
      const w = tf.tensor4d([
        [[[0, 0, 0], [0, -1, 0], [0, 1, 0]]],
        [[[0, 0, 0], [0, -1, 1], [0, 0, 0]]],
      ]);
      const y = filt(x, w, { pad: 1 });
      const X = x.dataSync(), at = (i: number, j: number) => (i < H && j < W ? X[i * W + j] : 0);
      const expected: number[] = [];
      for (let i = 0; i < H; i++) {
        for (let j = 0; j < W; j++) expected.push(at(i + 1, j) - at(i, j));
      }
      for (let i = 0; i < H; i++) {
        for (let j = 0; j < W; j++) expected.push(at(i, j + 1) - at(i, j));
      }
      assertClose(y, expected, "derivative filters", 1e-6);
    });
  });

  Deno.test(`${backend}: average pooling is filt with a 1/k² kernel and stride k`, async () => {
    await setBackend(backend);
    tf.tidy(() => {
      for (const k of [2, 3]) {
        const x = image(7, 9, 2);
        const w = tf.fill([2, 2, k, k], 0).add(
          tf.stack([
            tf.stack([tf.ones([k, k]), tf.zeros([k, k])]),
            tf.stack([tf.zeros([k, k]), tf.ones([k, k])]),
          ]),
        ).div(k * k) as tf.Tensor4D;
        const ours = filt(x, w, { stride: k });
        const stock = tf.avgPool(x.transpose([0, 2, 3, 1]) as tf.Tensor4D, k, k, "valid");
        assertClose(ours.transpose([0, 2, 3, 1]), stock.dataSync(), `avg pool k=${k}`, 1e-6);
      }
    });
  });

  Deno.test(`${backend}: RGB→grey is a 1x1 conv with (0.299, 0.587, 0.114)`, async () => {
    await setBackend(backend);
    tf.tidy(() => {
      const rgb = image(4, 5, 3);
      const grey = filt(rgb, tf.tensor4d([0.299, 0.587, 0.114], [1, 3, 1, 1]));
      const v = rgb.dataSync(), n = 20;
      const expected = Array.from(
        { length: n },
        (_, i) => 0.299 * v[i] + 0.587 * v[n + i] + 0.114 * v[2 * n + i],
      );
      assertClose(grey, expected, "grey", 1e-6);
    });
  });

  Deno.test(`${backend}: max-pool commutes with non-decreasing activations only`, async () => {
    await setBackend(backend);
    tf.tidy(() => {
      // A conv output, as in the CNN: pool(σ(filt(x,k))) = σ(pool(filt(x,k))).
      const y = filt(
        image(9, 9, 2),
        tf.randomNormal([3, 2, 2, 2], 0, 1, "float32", 1) as tf.Tensor4D,
      );
      const pool = (t: tf.Tensor) =>
        tf.maxPool(t.transpose([0, 2, 3, 1]) as tf.Tensor4D, 2, 2, "valid");
      const gap = (s: (t: tf.Tensor) => tf.Tensor) =>
        tf.abs(pool(s(y)).sub(s(pool(y)))).max().dataSync()[0];
      for (
        const [name, s] of [["relu", tf.relu], ["sigmoid", tf.sigmoid], ["tanh", tf.tanh]] as const
      ) {
        assert(gap(s) < 1e-6, `${name}: pool and activation do not commute`);
      }
      // A decreasing function does not commute: the property needs monotonicity.
      assert(gap((t) => tf.neg(t)) > 0.1, "neg unexpectedly commuted with max-pool");
    });
  });
}
