/**
 * Transfer learning as in the PyTorch tutorial: `trainModel` (a training and a validation phase
 * per epoch, a step learning-rate schedule, the best validation weights kept), and the three ways
 * to start from a backbone — {@linkcode finetune} (pretrained weights, every layer trained, a new
 * head), {@linkcode freeze} (pretrained weights frozen, only the new head trained) and
 * {@linkcode fromScratch} (the same architecture with random weights).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { batches, type LabeledImages } from "@convgrad/data";
import { crossEntropy } from "./loss.ts";
import { ProgressBar } from "./progress.ts";

/** Loss and accuracy of one phase of an epoch. */
export interface PhaseRecord {
  loss: number;
  accuracy: number;
  seconds: number;
}

/** One epoch of {@linkcode trainModel}: its learning rate and both phases. */
export interface TransferEpoch {
  epoch: number;
  lr: number;
  train: PhaseRecord;
  val: PhaseRecord;
}

/** Training and validation data of {@linkcode trainModel}. */
export interface TransferData {
  /** Colour images `[n,H,W,C]`, or one set per epoch (e.g. freshly augmented). */
  train: LabeledImages | ((epoch: number) => LabeledImages);
  validation: LabeledImages;
}

/** Optimiser of {@linkcode trainModel}. Default the tutorial's: momentum SGD, lr 1e-3, 0.9. */
export interface TransferOptimizer {
  name: "sgd" | "momentum" | "adam";
  lr: number;
  /** Momentum of `"momentum"`. Default 0.9. */
  momentum?: number;
}

/**
 * Weights that train at a rate of their own or start later, like PyTorch's parameter groups: e.g.
 * a pretrained backbone held fixed while a new head learns, then trained at a tenth of its rate.
 */
export interface ParamGroup {
  /** The layers whose trainable weights belong to the group, matched by name. */
  layers: RegExp;
  /** Multiplies the group's learning rate (after the schedule). Default 1. */
  lrScale?: number;
  /** The first epoch in which the group trains; before it its weights stay as they are. Default 0. */
  fromEpoch?: number;
}

/** Options of {@linkcode trainModel}. */
export interface TrainModelOptions {
  epochs: number;
  /** Default 4, the tutorial's. */
  batchSize?: number;
  optimizer?: TransferOptimizer;
  /**
   * Groups of layers with their own rate or start (the first group a layer's name matches);
   * layers in none train at the optimiser's rate from the first epoch.
   */
  paramGroups?: ParamGroup[];
  /** Step schedule: the rate is multiplied by `gamma` every `stepSize` epochs. Default 7, 0.1. */
  scheduler?: { stepSize: number; gamma: number };
  /** Seeds the batch order. Default 0. */
  seed?: number;
  /** Validate on each image and its mirror image ({@linkcode EvaluateOptions}'s `flip`). */
  flipValidation?: boolean;
  /** Called after every epoch (e.g. to log or save). */
  onEpoch?: (record: TransferEpoch) => void | Promise<void>;
  /** Where the per-epoch log lines go; default standard output. */
  log?: (line: string) => void;
  /** Progress bar options; `false` for none. */
  progress?: { write?: (s: string) => void; interactive?: boolean } | false;
}

/** What {@linkcode trainModel} returns. */
export interface TrainModelResult {
  /** The model, holding the weights of its best validation epoch. */
  model: tf.LayersModel;
  history: TransferEpoch[];
  bestEpoch: number;
  bestAccuracy: number;
  seconds: number;
}

const patched = new WeakSet<tf.layers.Layer>();
/** Batch-norm layers that normalise with their moving statistics even while they train. */
const statsFixed = new WeakSet<tf.layers.Layer>();

/**
 * Makes every batch-normalisation layer of `model` that is not trainable (or whose statistics
 * {@linkcode finetune} fixed) run in inference mode — its saved mean and variance — even while
 * the model trains, as Keras does since TF 2. TF.js's layer would otherwise normalise with the
 * statistics of each small batch and overwrite its moving averages.
 */
function frozenBatchNormInference(model: tf.LayersModel): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== "BatchNormalization" || patched.has(layer)) continue;
    patched.add(layer);
    const call = layer.call.bind(layer);
    layer.call = (inputs, kwargs) =>
      call(
        inputs,
        layer.trainable && !statsFixed.has(layer) ? kwargs : { ...kwargs, training: false },
      );
  }
}

function makeOptimizer(o: TransferOptimizer): tf.Optimizer {
  if (!(o.lr > 0)) throw new RangeError(`trainModel: optimizer.lr must be > 0, got ${o.lr}`);
  if (o.name === "sgd") return tf.train.sgd(o.lr);
  if (o.name === "momentum") return tf.train.momentum(o.lr, o.momentum ?? 0.9);
  if (o.name === "adam") return tf.train.adam(o.lr);
  throw new RangeError(
    `trainModel: optimizer.name must be 'sgd', 'momentum' or 'adam', got ${o.name}`,
  );
}

function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  // SGD and momentum keep the rate as a tensor that only setLearningRate refreshes.
  const o = optimizer as unknown as {
    learningRate: number;
    setLearningRate?: (lr: number) => void;
  };
  if (o.setLearningRate) o.setLearningRate(lr);
  else o.learningRate = lr;
}

/**
 * The trainable weights of `model` split by `paramGroups` (each layer into the first group that
 * matches its name), with a last group, scale 1 from epoch 0, for the layers that match none.
 */
function weightGroups(
  model: tf.LayersModel,
  paramGroups: ParamGroup[],
): { vars: tf.Variable[]; lrScale: number; fromEpoch: number }[] {
  if (!Array.isArray(paramGroups)) {
    throw new TypeError(`trainModel: paramGroups must be an array, got ${paramGroups}`);
  }
  const groups = paramGroups.map((g, i) => {
    const { layers, lrScale = 1, fromEpoch = 0 } = g ?? {};
    if (!(layers instanceof RegExp)) {
      throw new TypeError(`trainModel: paramGroups[${i}].layers must be a RegExp, got ${layers}`);
    }
    if (!(lrScale > 0) || !Number.isInteger(fromEpoch) || fromEpoch < 0) {
      throw new RangeError(
        `trainModel: paramGroups[${i}] needs lrScale > 0 and an integer fromEpoch >= 0, got ` +
          `${lrScale} and ${fromEpoch}`,
      );
    }
    return { layers, vars: [] as tf.Variable[], lrScale, fromEpoch };
  });
  const rest = { vars: [] as tf.Variable[], lrScale: 1, fromEpoch: 0 };
  for (const layer of model.layers) {
    const g = groups.find((g) => g.layers.test(layer.name)) ?? rest;
    for (const w of layer.trainableWeights) g.vars.push(w.read() as tf.Variable);
  }
  const empty = groups.findIndex((g) => g.vars.length === 0);
  if (empty >= 0) {
    throw new RangeError(
      `trainModel: paramGroups[${empty}].layers (${groups[empty].layers}) matches no layer ` +
        "with trainable weights",
    );
  }
  return [...groups, rest].map(({ vars, lrScale, fromEpoch }) => ({ vars, lrScale, fromEpoch }));
}

function checkSet(name: string, set: LabeledImages, classes: number, shape: number[]): void {
  const [h, w, c] = shape;
  if (set.height !== h || set.width !== w || (set.channels ?? 1) !== c) {
    throw new RangeError(
      `trainModel: ${name} images are ${set.height}x${set.width}x${set.channels ?? 1}, the ` +
        `model takes ${h}x${w}x${c}`,
    );
  }
  if (set.n < 1) throw new RangeError(`trainModel: ${name} set is empty`);
  const bad = set.labels.findIndex((l) => l >= classes);
  if (bad >= 0) {
    throw new RangeError(
      `trainModel: ${name} label ${set.labels[bad]} at ${bad} is not below the model's ` +
        `${classes} classes`,
    );
  }
}

/**
 * Trains `model` (softmax outputs) the tutorial's way: each epoch a training phase over shuffled
 * mini-batches (layers in training mode; frozen batch norms stay in inference mode) and a
 * validation phase, printing loss and accuracy of both; the learning rate steps down by
 * `scheduler`; the weights of the epoch with the best validation accuracy are restored at the
 * end.
 *
 * @example
 * ```ts
 * import { setBackend } from "@convgrad/ops";
 * import * as tf from "@tensorflow/tfjs";
 * import { trainModel } from "@convgrad/nn";
 * await setBackend("wasm");
 * const model = tf.sequential({ layers: [
 *   tf.layers.flatten({ inputShape: [2, 2, 1] }),
 *   tf.layers.dense({ units: 2, activation: "softmax" }),
 * ] });
 * const set = { images: Float32Array.of(1, 0, 0, 0, 0, 0, 0, 1), labels: Uint8Array.of(0, 1),
 *   n: 2, height: 2, width: 2, channels: 1 };
 * const { history } = await trainModel(model, { train: set, validation: set }, { epochs: 2 });
 * ```
 */
export async function trainModel(
  model: tf.LayersModel,
  data: TransferData,
  opts: TrainModelOptions,
): Promise<TrainModelResult> {
  const { epochs, batchSize = 4, seed = 0 } = opts;
  const { optimizer: o = { name: "momentum", lr: 1e-3, momentum: 0.9 } } = opts;
  const { scheduler = { stepSize: 7, gamma: 0.1 } } = opts;
  if (!Number.isInteger(epochs) || epochs < 1) {
    throw new RangeError(`trainModel: epochs must be a positive integer, got ${epochs}`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`trainModel: batchSize must be a positive integer, got ${batchSize}`);
  }
  if (!Number.isInteger(scheduler.stepSize) || scheduler.stepSize < 1 || !(scheduler.gamma > 0)) {
    throw new RangeError(
      `trainModel: scheduler must have an integer stepSize >= 1 and gamma > 0, got ` +
        JSON.stringify(scheduler),
    );
  }
  const out = model.outputs[0].shape, inShape = model.inputs[0].shape.slice(1) as number[];
  if (out.length !== 2 || !(out[1]! >= 2)) {
    throw new RangeError(`trainModel: model must output [N, classes >= 2], got [${out}]`);
  }
  const classes = out[1]!;
  checkSet("validation", data.validation, classes, inShape);
  const log = opts.log ?? ((s: string) => console.log(s));
  frozenBatchNormInference(model);
  const groups = weightGroups(model, opts.paramGroups ?? []);
  if (groups.every((g) => g.vars.length === 0)) {
    throw new RangeError("trainModel: model has no trainable weights");
  }
  if (!groups.some((g) => g.vars.length > 0 && g.fromEpoch === 0)) {
    throw new RangeError(
      "trainModel: paramGroups leave nothing to train in epoch 0 (every layer with trainable " +
        "weights is in a group with fromEpoch > 0)",
    );
  }
  const stepped = groups.map((g) => ({ ...g, optimizer: makeOptimizer(o) }));
  const history: TransferEpoch[] = [];
  let best: tf.Tensor[] | undefined, bestAccuracy = -1, bestEpoch = 0;
  const t0 = performance.now();
  const toTensor = (images: Float32Array, n: number, set: LabeledImages) =>
    tf.tensor4d(images, [n, set.height, set.width, set.channels ?? 1]);
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const lr = o.lr * scheduler.gamma ** Math.floor(epoch / scheduler.stepSize);
      const active = stepped.filter((g) => g.vars.length > 0 && epoch >= g.fromEpoch);
      for (const g of active) setLearningRate(g.optimizer, lr * g.lrScale);
      log(`Epoch ${epoch}/${epochs - 1}`);
      log("-".repeat(10));
      const train = typeof data.train === "function" ? data.train(epoch) : data.train;
      checkSet("train", train, classes, inShape);
      const steps = Math.ceil(train.n / batchSize);
      const bar = opts.progress === false
        ? undefined
        : new ProgressBar(`epoch ${epoch}/${epochs - 1}`, steps, opts.progress);
      let t = performance.now(), lossSum = 0, correct = 0, step = 0;
      for (const b of batches(train, batchSize, { shuffle: true, seed, epoch })) {
        let hits: tf.Tensor | undefined;
        const { value, grads } = tf.variableGrads(() => {
          const y = tf.tensor1d(b.labels, "int32");
          const p = model.apply(toTensor(b.images, b.size, train), { training: true }) as tf.Tensor;
          hits = tf.keep(p.argMax(-1).equal(y).sum());
          return crossEntropy(p, y, classes);
        }, active.flatMap((g) => g.vars));
        for (const g of active) {
          g.optimizer.applyGradients(
            Object.fromEntries(g.vars.map((v) => [v.name, grads[v.name]])),
          );
        }
        const loss = value.dataSync()[0];
        correct += hits!.dataSync()[0];
        tf.dispose([value, hits!, ...Object.values(grads)]);
        if (!Number.isFinite(loss)) {
          throw new Error(`trainModel: loss became ${loss} at epoch ${epoch}`);
        }
        lossSum += loss * b.size;
        bar?.update(++step, { loss: loss.toFixed(4) });
      }
      bar?.done();
      const trainRec = {
        loss: lossSum / train.n,
        accuracy: correct / train.n,
        seconds: (performance.now() - t) / 1000,
      };
      t = performance.now();
      const { loss, accuracy } = evaluateSet(model, data.validation, {
        batchSize: Math.max(batchSize, 16),
        flip: opts.flipValidation ?? false,
      });
      const valRec = { loss, accuracy, seconds: (performance.now() - t) / 1000 };
      for (const [phase, r] of [["train", trainRec], ["val", valRec]] as const) {
        log(`${phase} Loss: ${r.loss.toFixed(4)} Acc: ${r.accuracy.toFixed(4)}`);
      }
      log("");
      const record = { epoch, lr, train: trainRec, val: valRec };
      history.push(record);
      if (valRec.accuracy > bestAccuracy) {
        tf.dispose(best ?? []);
        best = model.getWeights().map((w) => w.clone());
        [bestAccuracy, bestEpoch] = [valRec.accuracy, epoch];
      }
      await opts.onEpoch?.(record);
    }
  } catch (e) {
    tf.dispose(best ?? []);
    throw e;
  } finally {
    for (const { optimizer } of stepped) {
      optimizer.dispose();
      // TF.js 4.22's MomentumOptimizer.dispose forgets the learning-rate scalar of its SGD parent.
      (optimizer as unknown as { c?: tf.Tensor }).c?.dispose();
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  log(`Training complete in ${Math.floor(seconds / 60)}m ${(seconds % 60).toFixed(0)}s`);
  log(`Best val Acc: ${bestAccuracy.toFixed(4)} (epoch ${bestEpoch})`);
  model.setWeights(best!);
  tf.dispose(best!);
  return { model, history, bestEpoch, bestAccuracy, seconds };
}

/** Options of {@linkcode evaluateSet}. */
export interface EvaluateOptions {
  /** Images per forward pass. Default 16. */
  batchSize?: number;
  /**
   * Average the class probabilities of each image and its mirror image (left–right flip), the
   * test-time counterpart of the training flips: a prediction then does not hang on which way the
   * animal faces. Default false.
   */
  flip?: boolean;
}

/**
 * Mean cross-entropy and accuracy of `model` (softmax outputs, inference mode) on a set of
 * colour images, and its predicted classes.
 *
 * @example
 * ```ts
 * import { setBackend } from "@convgrad/ops";
 * import * as tf from "@tensorflow/tfjs";
 * import { evaluateSet } from "@convgrad/nn";
 * await setBackend("wasm");
 * const model = tf.sequential({ layers: [
 *   tf.layers.flatten({ inputShape: [1, 1, 3] }),
 *   tf.layers.dense({ units: 2, activation: "softmax" }),
 * ] });
 * const set = { images: new Float32Array(6), labels: Uint8Array.of(0, 1), n: 2, height: 1,
 *   width: 1, channels: 3 };
 * console.log(evaluateSet(model, set, { flip: true }).accuracy); // 0.5
 * ```
 */
export function evaluateSet(
  model: tf.LayersModel,
  set: LabeledImages,
  { batchSize = 16, flip = false }: EvaluateOptions = {},
): { loss: number; accuracy: number; predictions: Uint8Array } {
  if (set.n < 1) throw new RangeError("evaluateSet: set is empty");
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`evaluateSet: batchSize must be a positive integer, got ${batchSize}`);
  }
  if (typeof flip !== "boolean") {
    throw new TypeError(`evaluateSet: flip must be a boolean, got ${flip}`);
  }
  const classes = model.outputs[0].shape[1] as number;
  const predictions = new Uint8Array(set.n);
  let lossSum = 0, at = 0;
  for (const b of batches(set, batchSize)) {
    const [loss, pred] = tf.tidy(() => {
      const x = tf.tensor4d(b.images, [b.size, set.height, set.width, set.channels ?? 1]);
      let p = model.predict(x) as tf.Tensor; // [n,classes]
      if (flip) p = p.add(model.predict(tf.reverse(x, 2)) as tf.Tensor).div(2);
      return [crossEntropy(p, tf.tensor1d(b.labels, "int32"), classes), p.argMax(-1)];
    });
    lossSum += loss.dataSync()[0] * b.size;
    predictions.set(pred.dataSync(), at);
    tf.dispose([loss, pred]);
    at += b.size;
  }
  let correct = 0;
  for (let i = 0; i < set.n; i++) correct += +(predictions[i] === set.labels[i]);
  return { loss: lossSum / set.n, accuracy: correct / set.n, predictions };
}

/** Options of {@linkcode fromScratch}. */
export interface ScratchOptions {
  /** Seeds every layer's initial weights. Default 0. */
  seed?: number;
}

/** Options of {@linkcode finetune}. */
export interface FinetuneOptions {
  /**
   * How the backbone's batch norms normalise while training: `"moving"` (default) with their
   * pretrained moving mean and variance, their scale and offset trained (the Keras advice: the
   * statistics of a few images per batch differ from those the network learnt with, and the
   * moving averages the validation phase uses would lag behind them); `"batch"` with each batch's
   * statistics, updating the moving averages, as PyTorch's `model.train()` does.
   */
  batchNorm?: "moving" | "batch";
}

function checkClasses(op: string, backbone: tf.LayersModel, numClasses: number): void {
  if (!(backbone instanceof tf.LayersModel)) {
    throw new TypeError(`${op}: backbone must be a tf.LayersModel, got ${backbone}`);
  }
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new RangeError(`${op}: numClasses must be an integer >= 2, got ${numClasses}`);
  }
  if (backbone.outputs.length !== 1 || backbone.outputs[0].shape.length !== 4) {
    throw new RangeError(
      `${op}: backbone must have one image output [N,H,W,C], got ` +
        backbone.outputs.map((o) => `[${o.shape}]`).join(", "),
    );
  }
}

/**
 * The backbone with a new head: global average and global max pooling side by side, a batch norm,
 * and a dense softmax layer of `numClasses` units (the tutorial's `model.fc = nn.Linear(num_ftrs,
 * 2)`). The max beside the tutorial's average keeps a feature that one part of the photo shows
 * strongly (a beak, an ear) from being averaged away over the plain background: a linear probe on
 * MobileNetV2's `block_13_expand_relu` at 224x224 separates birds from mammals at 0.875 on the
 * average alone and 0.91 on both. The dense layer starts at zero, so the head needs no seed.
 */
function withHead(backbone: tf.LayersModel, numClasses: number): tf.LayersModel {
  const features = backbone.outputs[0]; // [N,H,W,C]
  const pooled = tf.layers.concatenate({ name: "head_pool" }).apply([
    tf.layers.globalAveragePooling2d({ name: "head_avg_pool" }).apply(features),
    tf.layers.globalMaxPooling2d({ name: "head_max_pool" }).apply(features),
  ] as tf.SymbolicTensor[]) as tf.SymbolicTensor; // [N,2C]
  // Max-pooled ReLU6 features reach 6 where averages stay near 0.5: normalised, one learning rate
  // suits both halves (without it momentum SGD at 3e-3 diverged, and at 1e-4 learnt too slowly).
  const normed = tf.layers.batchNormalization({ name: "head_bn", momentum: 0.9 })
    .apply(pooled) as tf.SymbolicTensor; // [N,2C]
  const probs = tf.layers.dense({
    name: "head_dense",
    units: numClasses,
    activation: "softmax",
    // Zeros: the first steps start from uniform predictions (loss ln K) instead of sending the
    // gradient of a random head's confident mistakes back into the pretrained layers.
    kernelInitializer: "zeros",
  }).apply(normed) as tf.SymbolicTensor;
  return tf.model({ inputs: backbone.inputs, outputs: probs, name: `${backbone.name}_transfer` });
}

/**
 * Fine-tuning: the pretrained backbone with a new head, every layer trainable (including those
 * the backbone was saved with frozen).
 *
 * @example
 * ```ts
 * import { setBackend } from "@convgrad/ops";
 * import { finetune, loadBackbone } from "@convgrad/nn";
 * await setBackend("wasm");
 * const model = finetune(await loadBackbone("mobilenet_v2", { inputSize: 64 }), 2);
 * ```
 */
export function finetune(
  backbone: tf.LayersModel,
  numClasses: number,
  { batchNorm = "moving" }: FinetuneOptions = {},
): tf.LayersModel {
  checkClasses("finetune", backbone, numClasses);
  if (batchNorm !== "moving" && batchNorm !== "batch") {
    throw new RangeError(`finetune: batchNorm must be 'moving' or 'batch', got ${batchNorm}`);
  }
  for (const layer of backbone.layers) {
    layer.trainable = true;
    if (layer.getClassName() !== "BatchNormalization") continue;
    if (batchNorm === "moving") statsFixed.add(layer);
    else statsFixed.delete(layer);
  }
  return withHead(backbone, numClasses);
}

/**
 * Feature extraction: the pretrained backbone frozen (its batch norms in inference mode) with a
 * new head, the only layer that trains.
 *
 * @example
 * ```ts
 * import { setBackend } from "@convgrad/ops";
 * import { freeze, loadBackbone } from "@convgrad/nn";
 * await setBackend("wasm");
 * const model = freeze(await loadBackbone("mobilenet_v2", { inputSize: 64 }), 2);
 * console.log(model.trainableWeights.length); // 2: the head's kernel and bias
 * ```
 */
export function freeze(backbone: tf.LayersModel, numClasses: number): tf.LayersModel {
  checkClasses("freeze", backbone, numClasses);
  for (const layer of backbone.layers) layer.trainable = false;
  return withHead(backbone, numClasses);
}

/**
 * The baseline: the backbone's architecture and a new head, every weight drawn afresh from the
 * layers' own initialisers (seeded), every layer trainable, batch norms' moving averages with
 * momentum 0.9.
 *
 * @example
 * ```ts
 * import { setBackend } from "@convgrad/ops";
 * import { fromScratch, loadBackbone } from "@convgrad/nn";
 * await setBackend("wasm");
 * const model = await fromScratch(await loadBackbone("mobilenet_v2", { inputSize: 64 }), 2);
 * ```
 */
export async function fromScratch(
  backbone: tf.LayersModel,
  numClasses: number,
  { seed = 0 }: ScratchOptions = {},
): Promise<tf.LayersModel> {
  checkClasses("fromScratch", backbone, numClasses);
  const topology = backbone.toJSON(null, false) as unknown as {
    config: { layers: { class_name: string; config: Record<string, unknown> }[] };
  };
  let k = 0;
  const reseed = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(reseed);
    if (v === null || typeof v !== "object") return v;
    const o = Object.fromEntries(Object.entries(v).map(([key, x]) => [key, reseed(x)]));
    // Initialiser configs carry a seed (null in Keras files): give each its own.
    if ("seed" in o) o.seed = seed * 100003 + k++;
    return o;
  };
  for (const layer of topology.config.layers) {
    layer.config = { ...(reseed(layer.config) as Record<string, unknown>), trainable: true };
    // Keras's 0.999 suits ImageNet's long runs; a few hundred steps on small data would leave the
    // moving averages (what validation normalises with) near their initial 0 and 1. 0.9 is
    // PyTorch's default.
    if (layer.class_name === "BatchNormalization") layer.config.momentum = 0.9;
  }
  const fresh = await tf.models.modelFromJSON({
    modelTopology: topology as unknown as tf.io.ModelJSON["modelTopology"],
  });
  for (const layer of fresh.layers) layer.trainable = true;
  return withHead(fresh, numClasses);
}
