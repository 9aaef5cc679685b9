import * as tf from "@tensorflow/tfjs";
import { setBackend } from "@convgrad/ops";
import { assert, assertClose, assertEquals, assertRejects } from "@convgrad/base/testing";
import { BACKBONES, bundledModelHandler, loadBackbone, saveModel } from "./mod.ts";

await setBackend("wasm");

const nsfwDir = new URL("../../node_modules/nsfwjs/dist/models/mobilenet_v2", import.meta.url)
  .pathname;

Deno.test("loadBackbone reads the whole nsfwjs MobileNetV2: layers, frozen flags, 2.62M parameters", async () => {
  const before = tf.memory().numTensors;
  const full = await loadBackbone("mobilenet_v2", { cut: null, inputSize: null });
  assertEquals(full.layers.length, 162);
  assertEquals(full.countParams(), 2619461);
  assertEquals(full.layers.slice(0, 3).map((l) => l.name), ["input_1", "Conv1_pad", "Conv1"]);
  assertEquals(full.getLayer("out_relu").getClassName(), "ReLU");
  assertEquals(full.inputs[0].shape, [null, 224, 224, 3]);
  assertEquals(full.outputs[0].shape, [null, 5]);
  // Saved with the first 98 layers (input excluded) frozen, through block_10_project_BN.
  const frozen = full.layers.slice(1).filter((l) => !l.trainable).map((l) => l.name);
  assertEquals(frozen.length, 98);
  assertEquals(frozen.at(-1), "block_10_project_BN");
  full.dispose();
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("the IOHandler dequantizes the uint8 weights as their manifest says", async () => {
  const artifacts = await bundledModelHandler(nsfwDir).load();
  const specs = artifacts.weightSpecs!;
  assertEquals(specs.length, 266);
  // The last weight of the default cut's last layer, read by hand: value = min + scale · byte.
  const name = "block_12_project_BN/moving_variance";
  let offset = 0, k = 0;
  while (specs[k].name !== name) offset += specs[k++].shape.reduce((a, b) => a * b, 1);
  const { min, scale } = specs[k].quantization as { min: number; scale: number };
  const bytes = new Uint8Array(artifacts.weightData as ArrayBuffer, offset, specs[k].shape[0]);
  const expected = Array.from(bytes, (q) => min + scale * q);
  const backbone = await loadBackbone("mobilenet_v2");
  const layer = backbone.getLayer("block_12_project_BN");
  const variance = layer.weights.find((w) => w.originalName.endsWith("moving_variance"))!;
  assertClose(variance.read(), expected, name, 1e-6);
  backbone.dispose();
});

Deno.test("a cut backbone gives the full model's intermediate features, at any input size", async () => {
  const full = await loadBackbone("mobilenet_v2", { cut: null });
  const cut = await loadBackbone("mobilenet_v2", { cut: "block_12_add" });
  assertEquals(cut.layers.at(-1)!.name, "block_12_add");
  assertEquals(cut.outputs[0].shape, [null, 14, 14, 96]);
  const inner = tf.model({ inputs: full.inputs, outputs: full.getLayer("block_12_add").output });
  const x = tf.randomUniform([2, 224, 224, 3], 0, 1, "float32", 5);
  const want = inner.predict(x) as tf.Tensor, got = cut.predict(x) as tf.Tensor;
  assert(tf.abs(want).max().dataSync()[0] > 0.1, "features are not all ~0");
  assertClose(got, Array.from(want.dataSync()), "block_12_add features", 1e-6);
  const small = await loadBackbone("mobilenet_v2", { cut: "block_12_add", inputSize: [96, 64] });
  assertEquals(small.outputs[0].shape, [null, 6, 4, 96]);
  const w = (m: tf.LayersModel) => m.getLayer("block_12_depthwise").getWeights()[0];
  assertClose(w(small), Array.from(w(cut).dataSync()), "the same weights", 0);
  const y = small.predict(tf.zeros([1, 96, 64, 3])) as tf.Tensor;
  assertEquals(y.shape, [1, 6, 4, 96]);
  tf.dispose([x, want, got, y]);
  [full, cut, small].forEach((m) => m.dispose());
});

Deno.test("loadBackbone loads a local TF.js layers model.json and cuts it", async () => {
  const input = tf.input({ shape: [6, 6, 2] });
  const c1 = tf.layers.conv2d({ name: "c1", filters: 3, kernelSize: 3 }).apply(input);
  const c2 = tf.layers.conv2d({ name: "c2", filters: 4, kernelSize: 3 }).apply(c1);
  const out = tf.layers.dense({ name: "d", units: 2 })
    .apply(tf.layers.flatten().apply(c2)) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const dir = await Deno.makeTempDir();
  await saveModel(model, dir);
  const cut = await loadBackbone(`${dir}/model.json`, { cut: "c2", inputSize: 10 });
  assertEquals(cut.layers.map((l) => l.name), [input.sourceLayer.name, "c1", "c2"]);
  assertEquals(cut.outputs[0].shape, [null, 6, 6, 4]);
  const x = tf.randomNormal([1, 6, 6, 2], 0, 1, "float32", 2);
  const whole = await loadBackbone(dir, { inputSize: null });
  assertClose(
    whole.predict(x) as tf.Tensor,
    Array.from((model.predict(x) as tf.Tensor).dataSync()),
    "reloaded model",
    1e-6,
  );
  const seq = tf.sequential({
    layers: [
      tf.layers.conv2d({ name: "s1", inputShape: [5, 5, 1], filters: 2, kernelSize: 3 }),
      tf.layers.flatten({ name: "s2" }),
    ],
  });
  await saveModel(seq, `${dir}/seq`);
  const seqCut = await loadBackbone(`${dir}/seq`, { cut: "s1", inputSize: 7 });
  assertEquals(seqCut.outputs[0].shape, [null, 5, 5, 2]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadBackbone rejects unknown sources, layers and sizes, naming them", async () => {
  await assertRejects(
    () => loadBackbone("mobilenet_v2", { cut: "block_99_add" }),
    RangeError,
    "cut must name a layer of the model (162 layers: input_1, Conv1_pad",
  );
  await assertRejects(() => loadBackbone("resnet18"), RangeError, 'got "resnet18"');
  await assertRejects(
    () => loadBackbone("mobilenet_v2", { inputSize: 0 }),
    RangeError,
    "inputSize must be a positive integer",
  );
  await assertRejects(
    () => loadBackbone("mobilenet_v2", { inputSize: [32, 32, 3] as unknown as number }),
    RangeError,
    "[32,32,3]",
  );
  await assertRejects(() => loadBackbone("/nonexistent/model.json"), Error, "cannot read");
  assert("mobilenet_v2" in BACKBONES);
});
