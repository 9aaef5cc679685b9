/**
 * Training throughput (images/s) of the seed's MNIST CNN: our kernels on wasm (and cpu) against
 * the same network built from stock `tf.layers` (NHWC `conv2d`) on the same backend, in one run.
 * Adam, batch 100, random images (speed does not depend on the pixels).
 *
 *   deno run -A benchmarks/mnist_train_bench.ts [--batches N] [--backends wasm,cpu]
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { type BackendName, setBackend } from "@convgrad/ops";
import { mnistCnn } from "@convgrad/nn";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    batches: { type: "string", default: "30" },
    backends: { type: "string", default: "wasm,cpu" },
  },
});
const BATCH = 100;

/** The same network from stock layers, NHWC. */
function stockCnn(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 7, activation: "relu" }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 100, activation: "relu" }),
      tf.layers.dense({ units: 10, activation: "softmax" }),
    ],
  });
}

/** Images per second over `batches` Adam steps (after one warm-up step), or the error. */
function throughput(model: tf.LayersModel, shape: number[], batches: number): number | string {
  const opt = tf.train.adam(1e-3);
  const x = tf.randomUniform([BATCH, ...shape]);
  const y = tf.oneHot(tf.randomUniform([BATCH], 0, 10, "int32"), 10);
  const step = () =>
    tf.tidy(() => {
      opt.minimize(() =>
        tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar
      );
      model.layers.at(-1)!.getWeights()[0].dataSync(); // wait for the step to finish
    });
  try {
    step();
  } catch (e) {
    return String((e as Error).message).split("\n")[0];
  } finally {
    tf.dispose([x, y]);
  }
  const x2 = tf.randomUniform([BATCH, ...shape]);
  const y2 = tf.oneHot(tf.randomUniform([BATCH], 0, 10, "int32"), 10);
  const t0 = performance.now();
  for (let i = 0; i < batches; i++) {
    tf.tidy(() => {
      opt.minimize(() =>
        tf.losses.softmaxCrossEntropy(y2, model.apply(x2) as tf.Tensor) as tf.Scalar
      );
      model.layers.at(-1)!.getWeights()[0].dataSync();
    });
  }
  const secs = (performance.now() - t0) / 1000;
  tf.dispose([x2, y2]);
  opt.dispose();
  return (batches * BATCH) / secs;
}

const rows: string[][] = [];
for (const backend of flags.backends.split(",") as BackendName[]) {
  await setBackend(backend);
  const n = Number(flags.batches);
  const ours = throughput(mnistCnn(), [1, 28, 28], backend === "cpu" ? Math.max(1, n / 10) : n);
  // Stock cpu is ~100x slower: two batches are enough to time it.
  const stock = throughput(stockCnn(), [28, 28, 1], backend === "cpu" ? 2 : n);
  const fmt = (v: number | string) => (typeof v === "number" ? v.toFixed(0) : `fails: ${v}`);
  rows.push([
    backend,
    fmt(ours),
    fmt(stock),
    typeof ours === "number" && typeof stock === "number" ? (ours / stock).toFixed(1) + "x" : "-",
  ]);
}
console.log("backend | ours images/s | stock tf.layers images/s | ours/stock");
for (const r of rows) console.log(r.join(" | "));
console.log("anchors (2 cores): PyTorch 1.13 CPU 3,000-4,000 images/s; target >= 1,500 on wasm");
