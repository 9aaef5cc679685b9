import * as tf from "@tensorflow/tfjs";
import { ABC_GRADIENTS, activationShifts, setBackend } from "@convgrad/ops";
import { filtGradRef, filtRef, fromTensor } from "@convgrad/ops/reference";
import { assert, assertClose, assertEquals, assertThrows } from "@convgrad/base/testing";
import {
  abcActivationGradRef,
  abcActivationRef,
  abcWeightGradRef,
  abcWeightsRef,
} from "@convgrad/ops/abc-reference";
import { ABCConv2D } from "./abc_layer.ts";
import { mnistCnn } from "./cnn.ts";
import { loadModel, saveModel } from "./model_io.ts";

const OPTS = { stride: [2, 1] as [number, number], pad: [1, 1] as [number, number] };

/** Forward and gradients of the layer against the float64 oracle, for one configuration. */
function checkLayer(N: number, gradient: (typeof ABC_GRADIENTS)[number]): void {
  const M = 3, what = `N=${N} ${gradient}`;
  const layer = new ABCConv2D({ filters: 3, kernelSize: [3, 2], ...OPTS, M, N, gradient, seed: 4 });
  const x = tf.randomUniform([2, 2, 7, 6], 0, 1, "float32", 1) as tf.Tensor4D;
  const y = layer.apply(x) as tf.Tensor;
  assertEquals(y.shape, [2, 3, 4, 7]);
  assertEquals(layer.computeOutputShape([null, 2, 7, 6]), [null, 3, 4, 7]);
  const weights = layer.getWeights();
  const [w, b, v, beta] = weights.map((t) => t.dataSync());
  assertEquals(weights.length, N > 0 ? 4 : 2, what);
  if (N > 0) {
    assertClose(v, activationShifts(N), `${what}: initial shifts`, 1e-7);
    assertClose(beta, new Array(N).fill(1 / N), `${what}: initial scales`, 1e-7);
  }
  // Oracle: A = Σ β H_v(x) (or x), y = filt(A, Σ α B) + b.
  const a = N > 0 ? abcActivationRef(x.dataSync(), v, beta) : Float64Array.from(x.dataSync());
  const A = { data: a, shape: x.shape };
  const wHat = { data: abcWeightsRef(w, M), shape: weights[0].shape as typeof x.shape };
  const ref = filtRef(A, wHat, OPTS);
  const F = 3, plane = ref.data.length / (2 * F);
  ref.data.forEach((_, i) => (ref.data[i] += b[Math.floor(i / plane) % F]));
  assertClose(y, ref.data, `${what}: forward`);

  const dy = tf.randomNormal(y.shape, 0, 1, "float32", 2);
  const { grads } = tf.variableGrads(() =>
    (layer.apply(x) as tf.Tensor).mul(dy).sum() as tf.Scalar
  );
  const g = filtGradRef(A, wHat, fromTensor(dy), OPTS);
  const name = (i: number) => layer.trainableWeights[i].originalName;
  assertClose(grads[name(0)], abcWeightGradRef(w, g.dk.data, M, gradient), `${what}: dW`);
  assertClose(grads[name(1)], Array.from(dy.sum([0, 2, 3]).dataSync()), `${what}: db`);
  if (N > 0) {
    const ga = abcActivationGradRef(x.dataSync(), v, beta, g.dx.data);
    assertClose(grads[name(2)], ga.dv, `${what}: d shifts`);
    assertClose(grads[name(3)], ga.dbeta, `${what}: d scales`);
  }
  tf.dispose([x, y, dy, ...weights, ...Object.values(grads)]);
}

Deno.test("ABCConv2D: forward and every gradient match the float64 oracle", async () => {
  for (const backend of ["cpu", "wasm"] as const) {
    await setBackend(backend);
    for (const N of [0, 3]) for (const rule of ABC_GRADIENTS) checkLayer(N, rule);
  }
});

Deno.test("ABCConv2D: an MNIST CNN with it saves and loads back with its options", async () => {
  await setBackend("cpu");
  const dir = await Deno.makeTempDir();
  const model = mnistCnn({
    seed: 2,
    filters: 4,
    conv: (c) => new ABCConv2D({ ...c, M: 5, N: 3, gradient: "alpha_exact" }),
  });
  const x = tf.randomUniform([3, 1, 28, 28], 0, 1, "float32", 8);
  const before = model.predict(x) as tf.Tensor;
  await saveModel(model, dir);
  const loaded = await loadModel(dir);
  const after = loaded.predict(x) as tf.Tensor;
  assertClose(after, before.dataSync(), "reloaded predictions", 0);
  const layer = loaded.layers.find((l) => l.getClassName() === "ABCConv2D") as ABCConv2D;
  assert(layer !== undefined, "no ABCConv2D in the loaded model");
  assertEquals([layer.M, layer.N, layer.gradient], [5, 3, "alpha_exact"]);
  tf.dispose([x, before, after]);
  model.dispose();
  loaded.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("ABCConv2D: training steps leak no tensors", async () => {
  await setBackend("wasm");
  for (const N of [0, 3]) {
    const model = mnistCnn({
      seed: 1,
      filters: 4,
      conv: (c) => new ABCConv2D({ ...c, M: 3, N, gradient: "ste_plus_alpha" }),
    });
    const opt = tf.train.adam(1e-3);
    const x = tf.randomUniform([8, 1, 28, 28], 0, 1, "float32", 2);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], "int32"), 10);
    const step = () =>
      opt.minimize(() =>
        tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar
      );
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    assertEquals(tf.memory().numTensors, before, `N=${N}`);
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  }
});

Deno.test("ABCConv2D: rejects bad configuration", () => {
  const base = { filters: 2, kernelSize: 3 };
  assertThrows(() => new ABCConv2D({ ...base, M: 0 }), RangeError, "ABCConv2D: M must be");
  assertThrows(() => new ABCConv2D({ ...base, M: 2, N: -1 }), RangeError, "N must be");
  assertThrows(
    () => new ABCConv2D({ ...base, M: 2, gradient: "exact" as never }),
    RangeError,
    "gradient must be one of ste, paper_literal, alpha_exact, ste_plus_alpha",
  );
  assertThrows(() => new ABCConv2D({ ...base, filters: 0, M: 2 }), RangeError, "filters");
});
