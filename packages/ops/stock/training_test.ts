/**
 * Stock `tf.layers` models train on wasm once `@convgrad/ops` is imported, step for step as on
 * stock cpu: a small MobileNetV2-like conv net and an embedding.
 */
import * as tf from "@tensorflow/tfjs";
import { assert, assertClose } from "@convgrad/base/testing";
import { setBackend } from "../backend.ts";
import { randomValues } from "./testing.ts";
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

/**
 * MobileNetV2's pieces (keras.applications style): a strided 3x3 stem, an inverted residual block
 * (1x1 expansion, 3x3 depthwise, 1x1 projection, each with batchNorm, ReLU6 between, the
 * residual add), a max-pool after the add (its windows are often all negative), Keras's
 * zero-padding + 'valid' stride-2 depthwise with a multiplier, global average pooling, dense.
 */
function mobileNetLike(): tf.LayersModel {
  const bn = () => tf.layers.batchNormalization();
  const relu6 = () => tf.layers.reLU({ maxValue: 6 });
  const input = tf.input({ shape: [10, 10, 3] });
  let x = tf.layers.conv2d({
    filters: 8,
    kernelSize: 3,
    strides: 2,
    padding: "same",
    useBias: false,
  })
    .apply(input) as tf.SymbolicTensor;
  x = relu6().apply(bn().apply(x)) as tf.SymbolicTensor; // [5,5,8]
  let y = tf.layers.conv2d({ filters: 16, kernelSize: 1, useBias: false }).apply(x);
  y = relu6().apply(bn().apply(y));
  y = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: "same", useBias: false }).apply(y);
  y = relu6().apply(bn().apply(y));
  y = bn().apply(tf.layers.conv2d({ filters: 8, kernelSize: 1, useBias: false }).apply(y));
  x = tf.layers.add().apply([x, y as tf.SymbolicTensor]) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, strides: 1 }).apply(x) as tf.SymbolicTensor; // [4,4,8]
  x = tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]] }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, depthMultiplier: 2 }).apply(
    x,
  ) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: "softmax" }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

Deno.test("stock tf.layers MobileNetV2-like net: same losses step by step on wasm and cpu", async () => {
  const batches = Array.from({ length: 5 }, (_, s) => ({
    x: randomValues(8 * 10 * 10 * 3, 100 + s),
    y: oneHot([0, 1, 2, 0, 1, 2, 0, 1].map((l) => (l + s) % 3), 3),
    xShape: [8, 10, 10, 3],
    yShape: [8, 3],
  }));
  const wasm = await sameOnBoth("MobileNetV2-like", mobileNetLike, batches);
  // Every trainable weight learned: the gradients reached all layers.
  const model = mobileNetLike();
  const trainable = new Set(model.trainableWeights.map((w) => w.name));
  model.weights.forEach((w, i) => {
    if (!trainable.has(w.name)) return;
    assert(wasm.final[i].some((v, j) => v !== wasm.initial[i][j]), `${w.name} did not change`);
  });
  model.dispose();
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
  const tokens = Int32Array.from(randomValues(16 * 3, 7), (v) => Math.floor((v + 1) * 5));
  const labels = Array.from(
    { length: 16 },
    (_, i) => tokens.slice(3 * i, 3 * i + 3).includes(7) ? 1 : 0,
  );
  const batch = { x: tokens, y: oneHot(labels, 2), xShape: [16, 3], yShape: [16, 2] };
  const wasm = await sameOnBoth("embedding", build, Array(20).fill(batch));
  assert(wasm.losses[19] < 0.85 * wasm.losses[0], `loss ${wasm.losses[0]} -> ${wasm.losses[19]}`);
  assert(wasm.final[0].some((v, j) => v !== wasm.initial[0][j]), "embedding rows did not change");
});
