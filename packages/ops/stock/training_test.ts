/**
 * Stock `tf.layers` models train on wasm once `@convgrad/ops` is imported, step for step as on
 * stock cpu: a small conv net (conv2d, depthwiseConv2d, batchNormalization, maxPooling2d after an
 * unactivated layer, dense) and an embedding.
 */
import * as tf from "@tensorflow/tfjs";
import { assert, assertClose } from "@convgrad/base/testing";
import { setBackend } from "../backend.ts";
import { lcgValues } from "./testing.ts";
import "./register.ts";

type Build = () => tf.LayersModel;

/** Trains `build()` on `backend` from `weights` for `steps` batches; losses, final weights. */
async function train(
  backend: "cpu" | "wasm",
  build: Build,
  weights: Float32Array[] | undefined,
  batches: { x: Float32Array | Int32Array; y: Float32Array; xShape: number[]; yShape: number[] }[],
) {
  await setBackend(backend);
  const model = build();
  if (weights) {
    model.setWeights(model.getWeights().map((w, i) => tf.tensor(weights[i], w.shape)));
  }
  const initial = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
  model.compile({ optimizer: tf.train.sgd(0.1), loss: "categoricalCrossentropy" });
  const losses: number[] = [], counts: number[] = [];
  for (const b of batches) {
    const [x, y] = tf.tidy(() => [
      b.x instanceof Int32Array ? tf.tensor(b.x, b.xShape, "int32") : tf.tensor(b.x, b.xShape),
      tf.tensor(b.y, b.yShape),
    ]);
    losses.push(await model.trainOnBatch(x, y) as number);
    tf.dispose([x, y]);
    counts.push(tf.memory().numTensors);
  }
  const final = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
  model.dispose();
  model.optimizer.dispose();
  return { initial, losses, final, counts };
}

function oneHot(labels: number[], classes: number): Float32Array {
  const y = new Float32Array(labels.length * classes);
  labels.forEach((l, i) => y[i * classes + l] = 1);
  return y;
}

async function sameOnBoth(what: string, build: Build, batches: Parameters<typeof train>[3]) {
  const cpu = await train("cpu", build, undefined, batches);
  const wasm = await train("wasm", build, cpu.initial, batches);
  // No tensor left behind per step.
  assert(new Set(wasm.counts.slice(1)).size === 1, `${what}: tensors per step ${wasm.counts}`);
  assert(wasm.losses.every(Number.isFinite), `${what}: losses ${wasm.losses}`);
  assertClose(wasm.losses, cpu.losses, `${what}: losses per step`, 1e-5);
  // All weights at once: some (a bias whose gradient nearly cancels over the batch) stay ~1e-8.
  const flat = (ws: Float32Array[]) => ws.flatMap((w) => Array.from(w));
  assertClose(flat(wasm.final), flat(cpu.final), `${what}: weights after training`, 1e-5);
  return wasm;
}

Deno.test("stock tf.layers conv net: same losses step by step on wasm and cpu", async () => {
  const build = () =>
    tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [10, 10, 3],
          filters: 6,
          kernelSize: 3,
          padding: "same",
          activation: "relu",
        }),
        tf.layers.depthwiseConv2d({
          kernelSize: 3,
          depthMultiplier: 2,
          strides: 2,
          padding: "same",
        }),
        tf.layers.batchNormalization(),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 4, kernelSize: 1 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, activation: "softmax" }),
      ],
    });
  const batches = Array.from({ length: 5 }, (_, s) => ({
    x: lcgValues(8 * 10 * 10 * 3, 100 + s),
    y: oneHot([0, 1, 2, 0, 1, 2, 0, 1].map((l) => (l + s) % 3), 3),
    xShape: [8, 10, 10, 3],
    yShape: [8, 3],
  }));
  const wasm = await sameOnBoth("conv net", build, batches);
  // Every weight learned: the filter gradients reached all layers.
  wasm.final.forEach((w, i) => {
    if (i === 5 || i === 6) return; // batchNorm's moving statistics are not trained by SGD
    assert(w.some((v, j) => v !== wasm.initial[i][j]), `weight ${i} did not change`);
  });
});

Deno.test("tf.layers.embedding learns on wasm (gather's gradient), as on cpu", async () => {
  const build = () =>
    tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 10, outputDim: 4, inputLength: 3 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, activation: "softmax" }),
      ],
    });
  // Class 1 iff token 7 appears: only its embedding row carries the signal.
  const tokens = Int32Array.from(lcgValues(16 * 3, 7), (v) => Math.floor((v + 1) * 5));
  const labels = Array.from(
    { length: 16 },
    (_, i) => tokens.slice(3 * i, 3 * i + 3).includes(7) ? 1 : 0,
  );
  const batch = { x: tokens, y: oneHot(labels, 2), xShape: [16, 3], yShape: [16, 2] };
  const wasm = await sameOnBoth("embedding", build, Array(20).fill(batch));
  assert(wasm.losses[19] < 0.85 * wasm.losses[0], `loss ${wasm.losses[0]} -> ${wasm.losses[19]}`);
  assert(wasm.final[0].some((v, j) => v !== wasm.initial[0][j]), "embedding rows did not change");
});
