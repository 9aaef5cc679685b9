import * as tf from "@tensorflow/tfjs";
import { type BackendName, setBackend } from "@convgrad/ops";
import { filtRef } from "@convgrad/ops/reference";
import { loadModel, mnistCnn } from "@convgrad/nn";
import { loadMnist } from "@convgrad/data";
import {
  assert,
  assertClose,
  assertEquals,
  assertRejects,
  assertThrows,
} from "@convgrad/base/testing";
import { Classifier, type ModelEntry, type SampleFile } from "./classifier.ts";

const MODEL = new URL("./model/", import.meta.url);
const models: ModelEntry[] = JSON.parse(await Deno.readTextFile(new URL("models.json", MODEL)));
const samples: SampleFile = JSON.parse(await Deno.readTextFile(new URL("samples.json", MODEL)));

const pixels = (s: SampleFile["samples"][number]) =>
  Float32Array.from(atob(s.pixels), (ch) => ch.charCodeAt(0) / 255);

/** The committed model's directory (`model.json` + `weights.bin`). */
const modelDir = (m: ModelEntry) => new URL(m.path.replace(/model\.json$/, ""), MODEL).pathname;

Deno.test("committed model: under 1 MB of weights, samples are the real MNIST test digits", async () => {
  for (const m of models) {
    const bytes = (await Deno.stat(`${modelDir(m)}/weights.bin`)).size;
    assert(bytes < 1_000_000, `${m.id}: ${bytes} bytes of weights`);
  }
  const { test } = await loadMnist();
  assertEquals(samples.samples.map((s) => s.label), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  for (const s of samples.samples) {
    assertEquals(test.labels[s.index], s.label);
    const want = test.images.subarray(s.index * 784, (s.index + 1) * 784);
    assertClose(pixels(s), want, `sample #${s.index}`, 0);
  }
});

for (const backend of ["cpu", "wasm"] as BackendName[]) {
  Deno.test(`${backend}: Classifier matches the model and a float64 first layer`, async () => {
    await setBackend(backend);
    for (const m of models) {
      const c = new Classifier(await loadModel(modelDir(m)));
      const { data: k, shape: kShape } = c.filters();
      const conv = c.model.layers.find((l) => l.getWeights()[0]?.rank === 4)!;
      const misses: number[] = [];
      for (const s of samples.samples) {
        const x = pixels(s), p = await c.predict(x);
        assertEquals(p.backend, backend);
        if (p.digit !== s.label) misses.push(s.index);
        const direct = tf.tidy(() =>
          (c.model.predict(tf.tensor4d(x, [1, 1, 28, 28])) as tf.Tensor).dataSync()
        );
        assertClose(p.probabilities, direct, `${m.id} probabilities #${s.index}`, 1e-6);
        // The maps are the conv layer's own output (pooling follows it, then bias and ReLU).
        const maps = tf.tidy(() =>
          (conv.apply(tf.tensor4d(x, [1, 1, 28, 28])) as tf.Tensor).dataSync()
        );
        assertEquals(p.mapShape, (conv.outputShape as number[]).slice(1));
        assertClose(p.maps, maps, `${m.id} maps #${s.index}`, 1e-6);
        if (conv.getClassName() === "FiltConv2D") {
          // ...which for the float model is filt(x, K) itself, checked in float64.
          const y = filtRef(
            { data: Float64Array.from(x), shape: [1, 1, 28, 28] },
            { data: Float64Array.from(k), shape: kShape },
          );
          assertClose(p.maps, y.data, `${m.id} maps vs float64 #${s.index}`, 1e-5);
        }
      }
      // The float CNN (98.7%) gets all ten samples; the binarized one (98.0%) misses two (3, 5).
      assert(misses.length <= (m.id === "cnn" ? 0 : 2), `${m.id} misclassifies samples ${misses}`);
      c.dispose();
    }
  });

  Deno.test(`${backend}: Classifier.predict leaks no tensors`, async () => {
    await setBackend(backend);
    const c = new Classifier(mnistCnn({ hidden: 8 }));
    const x = pixels(samples.samples[0]);
    await c.predict(x);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) await c.predict(x);
    assertEquals(tf.memory().numTensors, before);
    c.dispose();
  });
}

Deno.test("Classifier rejects models and images of the wrong kind", async () => {
  await setBackend("cpu");
  assertThrows(() => new Classifier({} as never), TypeError, "must be a tf.LayersModel");
  const small = mnistCnn({ inputShape: [1, 14, 14], kernelSize: 3 });
  assertThrows(() => new Classifier(small), RangeError, "[N,1,28,28] to [N,10]");
  small.dispose();
  const dense = tf.sequential({
    layers: [tf.layers.flatten({ inputShape: [1, 28, 28] }), tf.layers.dense({ units: 10 })],
  });
  assertThrows(() => new Classifier(dense), TypeError, "no conv layer");
  dense.dispose();
  const c = new Classifier(mnistCnn({ hidden: 8 }));
  await assertRejects(() => c.predict(new Float32Array(100)), RangeError, "got 100 values");
  await assertRejects(() => c.predict([0] as never), RangeError, "Float32Array of 784");
  c.dispose();
});
