/**
 * The training loop shared by the apps: mini-batch optimisation with a progress bar, validation
 * accuracy per epoch, a checkpoint after every epoch and resumption from it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { batches, type LabeledImages } from "@convgrad/data";
import { FusedAdam } from "./adam.ts";
import { ProgressBar } from "./progress.ts";
import { ensureWritableDir, loadModel, loadTensors, saveModel, saveTensors } from "./model_io.ts";
import { imagesTensor, shareLoss } from "./loss.ts";
import { GradientWorkers } from "./parallel.ts";

/** Optimiser settings: the learning rate is `lr · decay^epoch`. */
export interface OptimizerSettings {
  name: "adam" | "sgd";
  lr: number;
  /** Multiplier applied to the learning rate after every epoch. Default 1. */
  decay?: number;
}

/** Per-epoch record kept in the checkpoint and in `metrics.json`. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  validationAccuracy: number | null;
  imagesPerSecond: number;
  seconds: number;
  /** Mean loss of each slice of ~10 batches, for the loss curve. */
  lossTrace: number[];
}

/** Options of {@linkcode train}. */
export interface TrainOptions {
  /** Builds a fresh model (the first run) — resumed runs load it from the checkpoint. */
  model: () => tf.LayersModel;
  train: LabeledImages;
  validation?: LabeledImages;
  epochs: number;
  batchSize: number;
  optimizer: OptimizerSettings;
  /** Seeds the batch order. Default 0. */
  seed?: number;
  /** Use only the first N training images. */
  trainLimit?: number;
  /** Folder for the per-epoch checkpoint; none when absent. */
  checkpointDir?: string;
  /** Continue from the checkpoint in `checkpointDir` if there is one. */
  resume?: boolean;
  /** Progress output; default a {@linkcode ProgressBar} on standard error. */
  log?: (line: string) => void;
  /** Progress bar options (tests pass a sink). */
  progress?: { write?: (s: string) => void; interactive?: boolean };
  /**
   * Threads that share each batch (see {@linkcode GradientWorkers}); default 1. The steps are the
   * same as on one thread up to float32 rounding.
   */
  threads?: number;
}

/** What {@linkcode train} returns. */
export interface TrainResult {
  model: tf.LayersModel;
  history: EpochRecord[];
  /** Epoch the run started at (> 0 when resumed). */
  startEpoch: number;
}

function makeOptimizer(s: OptimizerSettings): tf.Optimizer {
  if (!(s.lr > 0)) throw new RangeError(`train: optimizer.lr must be > 0, got ${s.lr}`);
  if (s.name === "adam") return new FusedAdam(s.lr);
  if (s.name === "sgd") return tf.train.sgd(s.lr);
  throw new RangeError(`train: optimizer.name must be 'adam' or 'sgd', got ${s.name}`);
}

/**
 * Fraction of `set` that `model` classifies correctly.
 *
 * @example
 * ```ts
 * import { evaluate, mnistCnn } from "@convgrad/nn";
 * import { loadMnist } from "@convgrad/data";
 * import { setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const { test } = await loadMnist();
 * console.log(evaluate(mnistCnn(), test));
 * ```
 */
export function evaluate(model: tf.LayersModel, set: LabeledImages, batchSize = 500): number {
  if (set.n === 0) throw new RangeError("evaluate: set is empty");
  let correct = 0;
  for (const b of batches(set, batchSize, { shuffle: false })) {
    correct += tf.tidy(() => {
      const p = model.predict(imagesTensor(b.images, b.size, set.height, set.width)) as tf.Tensor;
      return p.argMax(-1).equal(tf.tensor1d(b.labels, "int32")).sum().dataSync()[0];
    });
  }
  return correct / set.n;
}

interface CheckpointState {
  epoch: number;
  history: EpochRecord[];
  optimizer: OptimizerSettings;
}

/**
 * Trains `model()` on `train`, one epoch at a time; after each epoch measures validation accuracy
 * and (with `checkpointDir`) saves model, optimizer state and history, so that a killed run
 * resumed with `resume` loses at most the epoch in progress and then follows the same batches.
 *
 * @example
 * ```ts
 * import { mnistCnn, train } from "@convgrad/nn";
 * import { loadMnist, splitTrainValidation } from "@convgrad/data";
 * import { setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const { train: all } = await loadMnist();
 * const { train: tr, validation } = splitTrainValidation(all, { validation: 5000, seed: 0 });
 * await train({ model: () => mnistCnn(), train: tr, validation, epochs: 1, batchSize: 100,
 *   optimizer: { name: "adam", lr: 1e-3 }, trainLimit: 1000 });
 * ```
 */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const threads = checkOptions(opts);
  const log = opts.log ?? ((s: string) => console.error(s));
  const ckpt = opts.checkpointDir;
  // Before any work, so that a bad folder fails now rather than after the first epoch.
  if (ckpt) await ensureWritableDir(ckpt, "train: checkpointDir");
  const optimizer = makeOptimizer(opts.optimizer);
  try {
    const { model, history, startEpoch } = await startOrResume(opts, optimizer, log);
    const workers = threads > 1 ? await GradientWorkers.start(model, threads) : undefined;
    try {
      for (let epoch = startEpoch; epoch < opts.epochs; epoch++) {
        const record = await runEpoch(model, optimizer, workers, opts, epoch);
        history.push(record);
        log(describeEpoch(record));
        if (ckpt) {
          const state = { epoch: epoch + 1, history, optimizer: opts.optimizer };
          await writeCheckpoint(ckpt, model, optimizer, state);
        }
      }
    } finally {
      workers?.close();
    }
    return { model, history, startEpoch };
  } finally {
    optimizer.dispose();
  }
}

/** Throws on a bad option of {@linkcode train}; returns the thread count. */
function checkOptions(opts: TrainOptions): number {
  const { epochs, batchSize, trainLimit } = opts;
  if (!Number.isInteger(epochs) || epochs < 1) {
    throw new RangeError(`train: epochs must be a positive integer, got ${epochs}`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`train: batchSize must be a positive integer, got ${batchSize}`);
  }
  if (trainLimit !== undefined && !(Number.isInteger(trainLimit) && trainLimit > 0)) {
    throw new RangeError(`train: trainLimit must be a positive integer, got ${trainLimit}`);
  }
  const threads = opts.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`train: threads must be a positive integer, got ${threads}`);
  }
  return threads;
}

/** A fresh model, or the model, optimizer state and history of the checkpoint when resuming. */
async function startOrResume(
  opts: TrainOptions,
  optimizer: tf.Optimizer,
  log: (line: string) => void,
): Promise<TrainResult> {
  const ckpt = opts.checkpointDir;
  const found = ckpt && opts.resume ? await findCheckpoint(ckpt) : undefined;
  if (!found) {
    if (opts.resume) log(`no checkpoint in ${ckpt ?? "(no checkpoint dir)"}: starting afresh`);
    return { model: opts.model(), history: [], startEpoch: 0 };
  }
  let model: tf.LayersModel | undefined;
  try {
    model = await loadModel(`${found.dir}/model`);
    await optimizer.setWeights(await loadTensors(`${found.dir}/optimizer`));
  } catch (e) {
    model?.dispose();
    throw new Error(
      `train: the checkpoint in ${found.dir} is damaged or belongs to another model ` +
        `(${(e as Error).message}); delete ${ckpt} to start afresh, or run without resume`,
    );
  }
  log(`resuming after epoch ${found.state.epoch} from ${ckpt}`);
  return { model, history: found.state.history, startEpoch: found.state.epoch };
}

/** One pass over the (limited) training set in seeded batch order; its record. */
async function runEpoch(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  workers: GradientWorkers | undefined,
  opts: TrainOptions,
  epoch: number,
): Promise<EpochRecord> {
  const { batchSize, seed = 0 } = opts;
  const n = Math.min(opts.trainLimit ?? opts.train.n, opts.train.n);
  const steps = Math.ceil(n / batchSize);
  const classes = (model.outputs[0].shape.at(-1) as number) ?? 10;
  const { height, width } = opts.train;
  (optimizer as unknown as { learningRate: number }).learningRate = opts.optimizer.lr *
    (opts.optimizer.decay ?? 1) ** epoch;
  const bar = new ProgressBar(`epoch ${epoch + 1}/${opts.epochs}`, steps, opts.progress);
  const t0 = performance.now();
  let seen = 0, lossSum = 0, step = 0, sliceSum = 0, sliceN = 0;
  const lossTrace: number[] = [];
  const traceEvery = Math.max(1, Math.floor(steps / 50));
  for (const b of batches(opts.train, batchSize, { shuffle: true, seed, epoch, limit: n })) {
    const share = { ...b, height, width, classes };
    const loss = workers
      ? await workers.step(optimizer, share)
      : tf.tidy(() => optimizer.minimize(() => shareLoss(model, share), true)!.dataSync()[0]);
    if (!Number.isFinite(loss)) {
      throw new Error(`train: loss became ${loss} at epoch ${epoch + 1}`);
    }
    seen += b.size;
    lossSum += loss * b.size;
    sliceSum += loss;
    sliceN++;
    if (++step % traceEvery === 0 || step === steps) {
      lossTrace.push(sliceSum / sliceN);
      sliceSum = sliceN = 0;
    }
    const secs = (performance.now() - t0) / 1000;
    bar.update(step, { loss: loss.toFixed(4), "img/s": (seen / secs).toFixed(0) });
  }
  bar.done();
  const seconds = (performance.now() - t0) / 1000;
  return {
    epoch: epoch + 1,
    trainLoss: lossSum / seen,
    validationAccuracy: opts.validation ? evaluate(model, opts.validation) : null,
    imagesPerSecond: seen / seconds,
    seconds,
    lossTrace,
  };
}

function describeEpoch(r: EpochRecord): string {
  return `epoch ${r.epoch}: train loss ${r.trainLoss.toFixed(4)}` +
    (r.validationAccuracy === null
      ? ""
      : `, validation accuracy ${r.validationAccuracy.toFixed(4)}`) +
    `, ${r.imagesPerSecond.toFixed(0)} images/s`;
}

/**
 * A checkpoint is a folder `current/` (model, optimizer state, state.json). The next one is
 * written beside it and swapped in by renames, so a kill at any moment leaves one complete
 * checkpoint: `current/`, or `previous/` if the kill fell between the two renames.
 */
async function writeCheckpoint(
  dir: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  state: CheckpointState,
): Promise<void> {
  const next = `${dir}/next`;
  await Deno.remove(next, { recursive: true }).catch(() => {});
  await saveModel(model, `${next}/model`);
  await saveTensors(await optimizer.getWeights(), `${next}/optimizer`);
  await Deno.writeTextFile(`${next}/state.json`, JSON.stringify(state));
  await Deno.remove(`${dir}/previous`, { recursive: true }).catch(() => {});
  await Deno.rename(`${dir}/current`, `${dir}/previous`).catch(() => {});
  await Deno.rename(next, `${dir}/current`);
  await Deno.remove(`${dir}/previous`, { recursive: true }).catch(() => {});
}

async function findCheckpoint(
  dir: string,
): Promise<{ dir: string; state: CheckpointState } | undefined> {
  for (const sub of ["current", "previous"]) {
    try {
      const state = JSON.parse(await Deno.readTextFile(`${dir}/${sub}/state.json`));
      return { dir: `${dir}/${sub}`, state };
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        throw new Error(`train: cannot read checkpoint ${dir}/${sub}: ${(e as Error).message}`);
      }
    }
  }
  return undefined;
}
