import * as tf from "@tensorflow/tfjs";
import { filt, maxPool, setBackend } from "@convgrad/ops";
import { filtGradRef, filtRef, fromTensor } from "@convgrad/ops/reference";
import { assert, assertClose, assertEquals, assertThrows } from "@convgrad/base/testing";
import { ChannelBias, Dense, FiltConv2D, MaxPoolNCHW } from "./layers.ts";
import { mnistCnn } from "./cnn.ts";
import { loadModel, saveModel } from "./model_io.ts";

Deno.test("FiltConv2D computes filt(x, K) + b and its weight gradients match the oracle", async () => {
  await setBackend("wasm");
  const layer = new FiltConv2D({ filters: 3, kernelSize: [3, 2], stride: [2, 1], pad: 1, seed: 3 });
  const x = tf.randomNormal([2, 2, 7, 6], 0, 1, "float32", 1) as tf.Tensor4D;
  const y = layer.apply(x) as tf.Tensor;
  const [kernel] = layer.getWeights(); // the variable itself: not ours to dispose
  const opts = { stride: [2, 1] as [number, number], pad: [1, 1] as [number, number] };
  assertEquals(y.shape, [2, 3, 4, 7]);
  assertEquals(layer.computeOutputShape([null, 2, 7, 6]), [null, 3, 4, 7]);
  assertClose(y, filtRef(fromTensor(x), fromTensor(kernel), opts).data, "layer forward");
  const dy = tf.randomNormal(y.shape, 0, 1, "float32", 2);
  const { grads } = tf.variableGrads(() =>
    (layer.apply(x) as tf.Tensor).mul(dy).sum() as tf.Scalar
  );
  const g = filtGradRef(fromTensor(x), fromTensor(kernel), fromTensor(dy), opts);
  const kName = layer.trainableWeights[0].originalName,
    bName = layer.trainableWeights[1].originalName;
  assertClose(grads[kName], g.dk.data, "dK");
  assertClose(grads[bName], Array.from(dy.sum([0, 2, 3]).dataSync()), "db");
  tf.dispose([x, y, dy, ...Object.values(grads)]);
});

Deno.test("MaxPoolNCHW equals stock max-pooling and routes the gradient to the maxima", async () => {
  await setBackend("wasm");
  tf.tidy(() => {
    const x = tf.randomNormal([2, 3, 9, 8], 0, 1, "float32", 4) as tf.Tensor4D;
    const pool = new MaxPoolNCHW({ poolSize: 2 });
    const ours = pool.apply(x) as tf.Tensor;
    const stock = tf.maxPool(x.transpose([0, 2, 3, 1]) as tf.Tensor4D, 2, 2, "valid");
    assertEquals(ours.shape, [2, 3, 4, 4]);
    assertClose(ours.transpose([0, 2, 3, 1]), stock.dataSync(), "pool", 0);
    const dy = tf.randomNormal(ours.shape, 0, 1, "float32", 5);
    const g = tf.grad((t: tf.Tensor) => (pool.apply(t) as tf.Tensor).mul(dy).sum())(x);
    // The oracle: each window's dY goes to its arg-max. (Stock wasm MaxPoolGrad gets this wrong
    // for windows of negative values, so it cannot serve as the reference.)
    const xv = x.dataSync(), dv = dy.dataSync(), expected = new Float32Array(x.size);
    for (let nc = 0; nc < 6; nc++) {
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 4; j++) {
          let best = -1;
          for (let p = 0; p < 2; p++) {
            for (let q = 0; q < 2; q++) {
              const at = nc * 72 + (2 * i + p) * 8 + 2 * j + q;
              if (best < 0 || xv[at] > xv[best]) best = at;
            }
          }
          expected[best] += dv[nc * 16 + i * 4 + j];
        }
      }
    }
    assertClose(g, expected, "pool gradient", 0);
  });
  assertThrows(
    () => new MaxPoolNCHW({ poolSize: 0 }),
    RangeError,
    "poolSize must be a positive integer",
  );
});

Deno.test("a model of our layers saves as model.json + weights and loads with tf.loadLayersModel", async () => {
  await setBackend("cpu");
  const dir = await Deno.makeTempDir();
  const model = mnistCnn({ seed: 7 });
  const x = tf.randomUniform([3, 1, 28, 28], 0, 1, "float32", 8);
  const before = model.predict(x) as tf.Tensor;
  await saveModel(model, dir);
  const json = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
  assertEquals(json.format, "layers-model");
  assertEquals(json.weightsManifest[0].paths, ["weights.bin"]);
  const loaded = await loadModel(dir);
  const after = loaded.predict(x) as tf.Tensor;
  assertClose(after, before.dataSync(), "reloaded predictions", 0);
  assert(loaded.layers.some((l) => l.getClassName() === "FiltConv2D"));
  tf.dispose([x, before, after]);
  model.dispose();
  loaded.dispose();
  await Deno.remove(dir, { recursive: true });
  await assertRejectsMissing();
});

async function assertRejectsMissing() {
  try {
    await loadModel("/nonexistent/convgrad-model");
  } catch (e) {
    assert(String(e).includes("cannot read /nonexistent/convgrad-model/model.json"), String(e));
    return;
  }
  throw new Error("loadModel of a missing folder did not throw");
}

Deno.test("layers reject bad configuration", () => {
  assertThrows(() => new FiltConv2D({ filters: 0, kernelSize: 3 }), RangeError, "filters must be");
  assertThrows(
    () => new FiltConv2D({ filters: 2, kernelSize: [3] as never }),
    RangeError,
    "kernelSize",
  );
  assertThrows(
    () => new FiltConv2D({ filters: 2, kernelSize: 3, stride: 0 }),
    RangeError,
    "stride",
  );
  assertThrows(() => new FiltConv2D({ filters: 2, kernelSize: 3, pad: -1 }), RangeError, "pad");
  assertThrows(() => mnistCnn({ hidden: 0 }), RangeError, "hidden must be a positive integer");
});

Deno.test("training steps through the CNN leak no tensors", async () => {
  await setBackend("wasm");
  const model = mnistCnn({ seed: 1 });
  const opt = tf.train.adam(1e-3);
  const x = tf.randomUniform([8, 1, 28, 28], 0, 1, "float32", 2);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], "int32"), 10);
  const step = () =>
    opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar);
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 20; i++) step();
  assertEquals(tf.memory().numTensors, before);
  tf.dispose([x, y]);
  opt.dispose();
  model.dispose();
});

Deno.test("Dense computes act(x W + b) with the same gradients as stock matMul", async () => {
  await setBackend("wasm");
  const layer = new Dense({ units: 4, activation: "relu", seed: 2 });
  const x = tf.randomNormal([5, 6], 0, 1, "float32", 3);
  const y = layer.apply(x) as tf.Tensor;
  const [W, b] = layer.getWeights(); // the variables themselves
  assertClose(y, tf.relu(tf.matMul(x, W).add(b)).dataSync(), "forward", 1e-6);
  const dy = tf.randomNormal([5, 4], 0, 1, "float32", 4);
  // The layer reads its kernel variable W itself; the tape still links the gradient to it.
  const [gx, gW] = tf.grads((a: tf.Tensor, _w: tf.Tensor) =>
    (layer.apply(a) as tf.Tensor).mul(dy).sum()
  )([x, W]);
  const [sx, sW] = tf.grads((a: tf.Tensor, w: tf.Tensor) =>
    tf.relu(tf.matMul(a, w).add(b)).mul(dy).sum()
  )([x, W]);
  assertClose(gx, sx.dataSync(), "dX", 1e-6);
  assertClose(gW, sW.dataSync(), "dW", 1e-6);
  assertThrows(() => new Dense({ units: 0 }), RangeError, "units must be a positive integer");
  assertThrows(
    () => new Dense({ units: 2, activation: "tanh" as never }),
    RangeError,
    "activation",
  );
  tf.dispose([x, y, dy, gx, gW, sx, sW]);
});

Deno.test("mnistCnn (pool before bias and ReLU) equals the usual order conv+b → ReLU → pool", async () => {
  await setBackend("wasm");
  const model = mnistCnn({ seed: 5 });
  // A non-zero bias, so that its place in the order matters if the property failed.
  const bias = model.layers.find((l) => l.getClassName() === "ChannelBias")!;
  bias.setWeights([tf.randomNormal([32], 0, 0.3, "float32", 6)]);
  tf.tidy(() => {
    const x = tf.randomUniform([4, 1, 28, 28], 0, 1, "float32", 7) as tf.Tensor4D;
    const [K] = model.layers[0].getWeights(), [b] = bias.getWeights();
    const seedOrder = (t: tf.Tensor4D) => {
      const a = tf.relu(filt(t, K as tf.Tensor4D).add(b.reshape([1, 32, 1, 1]))) as tf.Tensor4D;
      return maxPool(a, 2);
    };
    const ours = (t: tf.Tensor4D) =>
      model.layers.slice(0, 4).reduce((h, l) => l.apply(h) as tf.Tensor4D, t);
    assertClose(ours(x), seedOrder(x).dataSync(), "forward", 1e-6);
    const dy = tf.randomNormal([4, 32, 11, 11], 0, 1, "float32", 8);
    const g1 = tf.grad((t: tf.Tensor) => ours(t as tf.Tensor4D).mul(dy).sum())(x);
    const g2 = tf.grad((t: tf.Tensor) => seedOrder(t as tf.Tensor4D).mul(dy).sum())(x);
    assertClose(g1, g2.dataSync(), "input gradient", 1e-5);
  });
  model.dispose();
});

Deno.test("ChannelBias: the bias gradient sums dY over N, H and W (float64 oracle)", async () => {
  await setBackend("wasm");
  const layer = new ChannelBias();
  const x = tf.randomNormal([3, 5, 4, 6], 0, 1, "float32", 1) as tf.Tensor4D;
  layer.apply(x);
  const dy = tf.randomNormal([3, 5, 4, 6], 0, 1, "float32", 2);
  const [b] = layer.getWeights();
  const { value, grads } = tf.variableGrads(
    () => (layer.apply(x) as tf.Tensor).mul(dy).sum() as tf.Scalar,
    [layer.trainableWeights[0].read() as tf.Variable],
  );
  const d = dy.dataSync(), want = new Float64Array(5);
  for (let i = 0; i < d.length; i++) want[Math.floor(i / 24) % 5] += d[i];
  assertClose(Object.values(grads)[0], want, "db");
  const [dx] = tf.grads((t: tf.Tensor) => (layer.apply(t) as tf.Tensor).mul(dy).sum())([x]);
  assertClose(dx, Float64Array.from(d), "dX = dY");
  tf.dispose([x, dy, b, value, dx, ...Object.values(grads)]);
});
