import * as tf from "@tensorflow/tfjs";
import { setBackend } from "@convgrad/ops";
import { createRng } from "@convgrad/base";
import {
  assert,
  assertClose,
  assertEquals,
  assertRejects,
  assertThrows,
} from "@convgrad/base/testing";
import type { LabeledImages } from "@convgrad/data";
import {
  evaluateSet,
  finetune,
  freeze,
  fromScratch,
  loadBackbone,
  trainModel,
  type TransferEpoch,
} from "./mod.ts";

await setBackend("wasm");

const SIZE = 16, CUT = "block_2_add"; // a small slice of MobileNetV2: fast, with BN and depthwise

/** Two classes of 16x16 colour images: reddish vs bluish noise. */
function colours(n: number, seed: number): LabeledImages {
  const rand = createRng(seed), hw = SIZE * SIZE;
  const images = new Float32Array(n * hw * 3), labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let p = 0; p < hw; p++) {
      const o = (i * hw + p) * 3, strong = 0.5 + 0.5 * rand(), weak = 0.3 * rand();
      images.set(labels[i] ? [weak, weak, strong] : [strong, weak, weak], o);
    }
  }
  return { images, labels, n, height: SIZE, width: SIZE, channels: 3 };
}

const backbone = () => loadBackbone("mobilenet_v2", { cut: CUT, inputSize: SIZE });
const quiet = { log: () => {}, progress: false as const };
const weightsOf = (m: tf.LayersModel, layer: string) =>
  m.getLayer(layer).getWeights().map((w) => Array.from(w.dataSync()));

Deno.test("freeze trains only the head: the backbone, batch-norm statistics included, stays put", async () => {
  const b = await backbone();
  const model = freeze(b, 2);
  // The head's batch norm (scale, offset) and dense layer (kernel, bias).
  assertEquals(model.trainableWeights.map((w) => w.name.split("/")[0]), [
    "head_bn",
    "head_bn",
    "head_dense",
    "head_dense",
  ]);
  const before = weightsOf(model, "block_2_expand_BN"); // gamma, beta, moving mean, variance
  const conv = weightsOf(model, "block_1_project");
  const set = colours(12, 1);
  const { history } = await trainModel(model, { train: set, validation: set }, {
    epochs: 2,
    optimizer: { name: "adam", lr: 1e-2 },
    ...quiet,
  });
  assertEquals(weightsOf(model, "block_2_expand_BN"), before);
  assertEquals(weightsOf(model, "block_1_project"), conv);
  assert(history[1].train.loss < Math.log(2), `head learnt: ${history[1].train.loss}`);
  model.dispose();
});

Deno.test("finetune trains every layer; batch norms keep their statistics unless told 'batch'", async () => {
  for (const batchNorm of ["moving", "batch"] as const) {
    const b = await backbone();
    assert(!b.getLayer("Conv1").trainable, "saved frozen");
    const model = finetune(b, 2, { batchNorm });
    assert(model.layers.every((l) => l.trainable), "all trainable");
    const stats = () => weightsOf(model, "block_2_expand_BN").slice(2); // moving mean, variance
    const before = { stats: stats(), conv: weightsOf(model, "Conv1") };
    const set = colours(8, 2);
    await trainModel(model, { train: set, validation: set }, { epochs: 1, ...quiet });
    assert(
      JSON.stringify(weightsOf(model, "Conv1")) !== JSON.stringify(before.conv),
      "Conv1 (saved frozen) changed",
    );
    const same = JSON.stringify(stats()) === JSON.stringify(before.stats);
    assertEquals(same, batchNorm === "moving", `moving statistics with batchNorm ${batchNorm}`);
    model.dispose();
  }
});

Deno.test("trainModel: the first epoch's train loss is the initial model's, the best weights come back", async () => {
  const b = await backbone();
  const model = freeze(b, 2);
  // Oracle: float64 cross-entropy of the untrained model on the training set, in one batch (the
  // loss is taken before the step, and the zero head predicts 1/2 everywhere: ln 2).
  const train = colours(6, 3), validation = colours(8, 4);
  const records: TransferEpoch[] = [];
  const r = await trainModel(model, { train, validation }, {
    epochs: 4,
    batchSize: 6,
    optimizer: { name: "sgd", lr: 0.5 },
    scheduler: { stepSize: 2, gamma: 0.1 },
    onEpoch: (rec) => void records.push(rec),
    ...quiet,
  });
  assertClose([r.history[0].train.loss], [Math.log(2)], "epoch 0 train loss", 1e-6);
  assertClose(r.history.map((h) => h.lr), [0.5, 0.5, 0.05, 0.05], "step schedule", 1e-12);
  assertEquals(records, r.history);
  const best = r.history.reduce((a, h) => h.val.accuracy > a.val.accuracy ? h : a);
  assertEquals(r.bestEpoch, best.epoch);
  const now = evaluateSet(r.model, validation);
  assertEquals(now.accuracy, best.val.accuracy);
  assertClose([now.loss], [best.val.loss], "val loss of the restored weights", 1e-5);
  model.dispose();
});

Deno.test("trainModel and evaluateSet leave no tensors behind", async () => {
  const set = colours(6, 5);
  const model = freeze(await backbone(), 2);
  await trainModel(model, { train: set, validation: set }, { epochs: 1, ...quiet });
  const n = tf.memory().numTensors;
  await trainModel(model, { train: (e) => colours(6, 10 + e), validation: set }, {
    epochs: 2,
    ...quiet,
  });
  evaluateSet(model, set);
  assertEquals(tf.memory().numTensors, n);
  model.dispose();
});

Deno.test("fromScratch: the same architecture, fresh seeded weights, every layer trainable", async () => {
  const pre = finetune(await backbone(), 3);
  const a = await fromScratch(await backbone(), 3, { seed: 1 });
  const a2 = await fromScratch(await backbone(), 3, { seed: 1 });
  const c = await fromScratch(await backbone(), 3, { seed: 2 });
  assertEquals(a.layers.map((l) => l.getClassName()), pre.layers.map((l) => l.getClassName()));
  assertEquals(a.countParams(), pre.countParams());
  assert(a.layers.every((l) => l.trainable), "all trainable");
  const momentum = (m: tf.LayersModel) => (m.getLayer("bn_Conv1").getConfig().momentum);
  assertEquals([momentum(pre), momentum(a)], [0.999, 0.9]);
  assertEquals(weightsOf(a, "Conv1"), weightsOf(a2, "Conv1"));
  assert(JSON.stringify(weightsOf(a, "Conv1")) !== JSON.stringify(weightsOf(c, "Conv1")), "seeded");
  assert(
    JSON.stringify(weightsOf(a, "Conv1")) !== JSON.stringify(weightsOf(pre, "Conv1")),
    "fresh",
  );
  [pre, a, a2, c].forEach((m) => m.dispose());
});

Deno.test("bad input to the transfer functions gets errors naming the argument", async () => {
  const b = await backbone();
  assertThrows(() => freeze(b, 1), RangeError, "numClasses must be an integer >= 2, got 1");
  assertThrows(() => finetune(b, 2, { batchNorm: "x" as "batch" }), RangeError, "batchNorm");
  const flat = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
  assertThrows(() => freeze(flat, 2), RangeError, "one image output [N,H,W,C]");
  const model = freeze(b, 2), set = colours(4, 6);
  await assertRejects(
    () => trainModel(model, { train: set, validation: set }, { epochs: 0 }),
    RangeError,
    "epochs must be a positive integer, got 0",
  );
  const small = { ...set, height: 8, width: 8, images: set.images.subarray(0, 4 * 64 * 3) };
  await assertRejects(
    () => trainModel(model, { train: set, validation: small }, { epochs: 1, ...quiet }),
    RangeError,
    "validation images are 8x8x3, the model takes 16x16x3",
  );
  const bad = { ...set, labels: Uint8Array.of(0, 1, 2, 0) };
  await assertRejects(
    () => trainModel(model, { train: bad, validation: set }, { epochs: 1, ...quiet }),
    RangeError,
    "train label 2 at 2 is not below the model's 2 classes",
  );
  await assertRejects(
    () =>
      trainModel(model, { train: set, validation: set }, {
        epochs: 1,
        optimizer: { name: "rmsprop" as "sgd", lr: 1 },
      }),
    RangeError,
    "optimizer.name must be",
  );
  model.dispose();
});

Deno.test("evaluateSet with flip averages the probabilities of each image and its mirror image", () => {
  // [N,1,2,1] images x = (a, b) → logits (2a, b); mirrored (b, a) → (2b, a). Float64 oracle.
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [1, 2, 1] }),
      tf.layers.dense({ units: 2, activation: "softmax", useBias: false }),
    ],
  });
  model.layers[1].setWeights([tf.tensor2d([[2, 0], [0, 1]])]);
  const pixels = [[0.3, 1.0], [1.2, 0.1], [-0.5, 0.4]], labels = Uint8Array.of(0, 0, 1);
  const set = {
    images: Float32Array.from(pixels.flat()),
    labels,
    n: 3,
    height: 1,
    width: 2,
    channels: 1,
  };
  const softmax = (l: number[]) => l.map((v) => Math.exp(v) / (Math.exp(l[0]) + Math.exp(l[1])));
  let lossSum = 0, correct = 0;
  const want = pixels.map(([a, b], i) => {
    const p = softmax([2 * a, b]), q = softmax([2 * b, a]);
    const avg = [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2];
    lossSum -= Math.log(avg[labels[i]]);
    const cls = avg[1] > avg[0] ? 1 : 0;
    correct += +(cls === labels[i]);
    return cls;
  });
  const n = tf.memory().numTensors;
  for (const batchSize of [1, 2, 16]) {
    const got = evaluateSet(model, set, { flip: true, batchSize });
    assertEquals(Array.from(got.predictions), want);
    assertClose([got.loss, got.accuracy], [lossSum / 3, correct / 3], "flip loss, accuracy", 1e-6);
  }
  assertEquals(tf.memory().numTensors, n);
  // The first image alone gives logits (0.6, 1.0), class 1; with its mirror (2.0, 0.3), class 0.
  assertEquals([evaluateSet(model, set).predictions[0], want[0]], [1, 0]);
  assertThrows(() => evaluateSet(model, set, { flip: 1 as unknown as boolean }), TypeError, "flip");
  model.dispose();
});

Deno.test("trainModel's paramGroups: a group's weights wait for fromEpoch, then step at lrScale × the rate", async () => {
  const set = colours(6, 7);
  const sgd = { epochs: 1, batchSize: 3, optimizer: { name: "sgd" as const, lr: 0.1 }, ...quiet };
  const conv = (m: tf.LayersModel) => weightsOf(m, "Conv1")[0];
  // Two SGD steps from the same weights, with and without the group at half the rate: the first
  // moves only the head (the zero head passes no gradient back), the second Conv1 as well.
  const steps: number[][] = [];
  for (const paramGroups of [[], [{ layers: /^Conv1$/, lrScale: 0.5 }]]) {
    const model = finetune(await backbone(), 2);
    const before = conv(model);
    await trainModel(model, { train: set, validation: set }, { ...sgd, paramGroups });
    steps.push(conv(model).map((w, i) => w - before[i]));
    model.dispose();
  }
  assert(steps[0].some((d) => Math.abs(d) > 1e-6), "Conv1 moved");
  assertClose(steps[1], steps[0].map((d) => d / 2), "half-rate step", 1e-6);

  const model = finetune(await backbone(), 2);
  const before = { conv: weightsOf(model, "Conv1"), head: weightsOf(model, "head_dense") };
  const late = [{ layers: /^(?!head_)/, fromEpoch: 1 }];
  // Conv1 at the end of each epoch (trainModel then restores the best epoch's weights).
  const seen: number[][][] = [];
  await trainModel(model, { train: set, validation: set }, {
    ...sgd,
    epochs: 2,
    paramGroups: late,
    onEpoch: () => void seen.push(weightsOf(model, "Conv1")),
  });
  assertEquals(seen[0], before.conv);
  assert(JSON.stringify(seen[1]) !== JSON.stringify(before.conv), "Conv1 trains from epoch 1");
  assert(JSON.stringify(weightsOf(model, "head_dense")) !== JSON.stringify(before.head), "head");

  const bad = (paramGroups: unknown, kind: ErrorConstructor, msg: string) =>
    assertRejects(
      () => trainModel(model, { train: set, validation: set }, { ...sgd, paramGroups } as never),
      kind,
      msg,
    );
  await bad([{ layers: "Conv1" }], TypeError, "paramGroups[0].layers must be a RegExp");
  await bad(
    [{ layers: /^nope$/ }],
    RangeError,
    "paramGroups[0].layers (/^nope$/) matches no layer",
  );
  await bad([{ layers: /^Conv1$/, lrScale: 0 }], RangeError, "lrScale > 0");
  await bad([{ layers: /^Conv1$/, fromEpoch: 0.5 }], RangeError, "integer fromEpoch");
  await bad([{ layers: /(?:)/, fromEpoch: 1 }], RangeError, "nothing to train in epoch 0");
  model.dispose();
});
