/**
 * `deno task mnist`: trains the CNN of docs/convolutions.md on MNIST with convgrad's kernels, then
 * writes the model, `metrics.json` and the loss/accuracy plot (`cnn.png`, `cnn.svg`) to `--out`.
 *
 *   deno task mnist [--epochs N] [--train-limit N] [--backend wasm|cpu] [--out DIR] [--resume]
 *                   [--preset default|eecs545] [--seed N] [--hidden N] [--abc M,N] [--threads N]
 *
 * `--threads N` shares each batch among N threads (Web Workers; TF.js's wasm backend has one
 * thread in Deno): the same steps up to float32 rounding, faster on more cores. Default: 2 where
 * the machine has two cores or more.
 * `--abc M,N` swaps the conv layer for ABC-Net's binarized `ABCConv2D` (M weight bases, N
 * activation bases, straight-through gradient); the web demo's binarized model comes from it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { type BackendName, setBackend } from "@convgrad/ops";
import {
  ABCConv2D,
  ensureWritableDir,
  evaluate,
  mnistCnn,
  type OptimizerSettings,
  saveModel,
  train,
} from "@convgrad/nn";
import { commandArgs, intFlag, runMain } from "@convgrad/base";
import { loadMnist, splitTrainValidation } from "@convgrad/data";
import { type ChartSpec, curvesChart, savePlot } from "@convgrad/plot";

/** Solver presets. `eecs545`: the homework's solver (SGD, lr 1e-3 × 0.95 per epoch, batch 100). */
export const PRESETS: Record<string, { optimizer: OptimizerSettings; batchSize: number }> = {
  default: { optimizer: { name: "adam", lr: 1e-3, decay: 0.95 }, batchSize: 100 },
  eecs545: { optimizer: { name: "sgd", lr: 1e-3, decay: 0.95 }, batchSize: 100 },
};

const USAGE = "usage: deno task mnist [--epochs N] [--train-limit N] [--backend wasm|cpu] " +
  "[--out DIR] [--resume] [--preset default|eecs545] [--seed N] [--hidden N] [--abc M,N] " +
  "[--threads N]";

/** The loss curve and the validation accuracy, side by side (Vega-Lite). */
export function trainingPlot(
  history: { epoch: number; lossTrace: number[]; validationAccuracy: number | null }[],
): ChartSpec {
  return curvesChart("MNIST CNN (convgrad filt kernels)", [
    {
      title: "training loss",
      xTitle: "epoch",
      yTitle: "cross-entropy",
      logY: true,
      points: history.flatMap((h) =>
        h.lossTrace.map((l, i) => ({ x: h.epoch - 1 + (i + 1) / h.lossTrace.length, y: l }))
      ),
    },
    {
      title: "validation accuracy",
      xTitle: "epoch",
      yTitle: "accuracy",
      perEpoch: true,
      yFormat: ".3f",
      points: history.flatMap((h) =>
        h.validationAccuracy === null ? [] : [{ x: h.epoch, y: h.validationAccuracy }]
      ),
    },
  ]);
}

async function main(): Promise<void> {
  const { values: f } = parseArgs({
    args: commandArgs(),
    options: {
      epochs: { type: "string" },
      "train-limit": { type: "string" },
      backend: { type: "string", default: "wasm" },
      out: { type: "string", default: "runs/mnist" },
      resume: { type: "boolean", default: false },
      preset: { type: "string", default: "default" },
      seed: { type: "string", default: "0" },
      hidden: { type: "string" },
      abc: { type: "string" },
      threads: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (f.help) return console.log(USAGE);
  if (f.backend !== "wasm" && f.backend !== "cpu") {
    throw new RangeError(`--backend must be wasm or cpu, got ${f.backend}`);
  }
  const preset = PRESETS[f.preset];
  if (!preset) {
    throw new RangeError(`--preset must be one of ${Object.keys(PRESETS)}, got ${f.preset}`);
  }
  const epochs = intFlag("epochs", f.epochs, 1, 5);
  const trainLimit = f["train-limit"] === undefined
    ? undefined
    : intFlag("train-limit", f["train-limit"], 1);
  const hidden = intFlag("hidden", f.hidden, 1, 100);
  const abc = f.abc?.split(",");
  if (abc !== undefined && abc.length !== 2) {
    throw new RangeError(`--abc must be M,N (weight and activation bases), got ${f.abc}`);
  }
  const [M, N] = abc ? [intFlag("abc", abc[0], 1), intFlag("abc", abc[1], 0)] : [];
  const conv = abc
    ? (c: { filters: number; kernelSize: number; seed: number }) =>
      new ABCConv2D({ ...c, M: M!, N: N!, gradient: "ste" })
    : undefined;
  const seed = intFlag("seed", f.seed, 0);
  // Two threads by default where there are two cores: the tested setup, 1.3-1.5x one thread.
  const threads = intFlag("threads", f.threads, 1, Math.min(2, navigator.hardwareConcurrency || 1));

  await ensureWritableDir(f.out, "--out");
  const t0 = performance.now();
  await setBackend(f.backend as BackendName);
  console.error(
    `backend ${tf.getBackend()}, ${threads} thread(s), preset ${f.preset}, ${epochs} epochs, ` +
      `out ${f.out}`,
  );
  const mnist = await loadMnist();
  const { train: trainSet, validation } = splitTrainValidation(mnist.train, {
    validation: 5000,
    seed,
  });
  const { model, history, startEpoch } = await train({
    model: () => mnistCnn({ seed, hidden, conv }),
    train: trainSet,
    validation,
    epochs,
    batchSize: preset.batchSize,
    optimizer: preset.optimizer,
    seed,
    trainLimit,
    checkpointDir: `${f.out}/checkpoint`,
    resume: f.resume,
    threads,
  });
  const testAccuracy = evaluate(model, mnist.test);
  console.error(`test accuracy ${testAccuracy.toFixed(4)}`);

  await saveModel(model, `${f.out}/model`);
  await savePlot(`${f.out}/cnn`, trainingPlot(history));
  const trained = history.slice(startEpoch);
  const metrics = {
    testAccuracy,
    validationAccuracy: history.map((h) => h.validationAccuracy),
    trainLoss: history.map((h) => h.trainLoss),
    imagesPerSecond: trained.length
      ? trained.reduce((s, h) => s + h.imagesPerSecond * h.seconds, 0) /
        trained.reduce((s, h) => s + h.seconds, 0)
      : null,
    epochs: history.map(({ lossTrace: _, ...h }) => h),
    wallSeconds: (performance.now() - t0) / 1000,
    backend: tf.getBackend(),
    threads,
    preset: f.preset,
    optimizer: preset.optimizer,
    batchSize: preset.batchSize,
    hidden,
    abc: abc ? { M, N, gradient: "ste" } : null,
    trainLimit: trainLimit ?? null,
    resumedFromEpoch: startEpoch,
  };
  await Deno.writeTextFile(`${f.out}/metrics.json`, JSON.stringify(metrics, null, 2) + "\n");
  console.error(`wrote ${f.out}/model, ${f.out}/cnn.png, ${f.out}/cnn.svg, ${f.out}/metrics.json`);
}

if (import.meta.main) await runMain("mnist", main);
