/**
 * `deno task transfer`: the PyTorch transfer-learning tutorial in TF.js, offline — a pretrained
 * MobileNetV2 (npm `nsfwjs`) fine-tuned, frozen with a new head, or trained from scratch on photo
 * stamps (Debian `tuxpaint-stamps-default`; default birds vs mammals).
 *
 *   deno task transfer [--mode finetune|freeze|scratch|all] [--epochs N] [--input-size N]
 *                      [--backend wasm|cpu] [--out DIR] [--classes A,B,…] [--cut LAYER]
 *                      [--batch-size N] [--seed N] [--root DIR]
 *
 * Writes to `--out` (default `runs/transfer/`): `curves.png`/`.svg` (train and validation loss
 * and accuracy per epoch, every mode run), `predictions-<mode>.png`/`.svg` (validation photos
 * with predicted and true labels, mistakes in red), `metrics.json` and `model-<mode>/`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { type BackendName, setBackend } from "@convgrad/ops";
import {
  BACKBONES,
  evaluateSet,
  finetune,
  freeze,
  fromScratch,
  loadBackbone,
  type ParamGroup,
  saveModel,
  trainModel,
  type TransferEpoch,
  type TransferOptimizer,
} from "@convgrad/nn";
import { commandArgs, intFlag } from "@convgrad/base";
import {
  type LabeledImages,
  loadImageFolders,
  type PhotoSet,
  renderPhotos,
  stratifiedSplit,
} from "@convgrad/data";
import { encodePng, savePlot } from "@convgrad/plot";

/**
 * The ways to start from the backbone.
 *
 * @example
 * ```ts
 * import { MODES } from "./main.ts";
 * console.log(MODES.join(", ")); // finetune, freeze, scratch
 * ```
 */
export const MODES = ["finetune", "freeze", "scratch"] as const;
/** One of {@linkcode MODES}. */
export type Mode = typeof MODES[number];

/**
 * Optimiser per mode, at the rates measured best here: the tutorial's momentum SGD to freeze and
 * from scratch; Adam to fine-tune (the pretrained layers at a tenth of this rate, see
 * {@linkcode PARAM_GROUPS}), whose per-weight step sizes keep the pretrained layers (normalised by
 * their saved statistics, some channels scaled up 30x) from diverging, as momentum SGD did (3e-3
 * for the head, 3e-4 for the rest: validation fell to 0.35 once the backbone trained).
 *
 * @example
 * ```ts
 * import { OPTIMIZERS } from "./main.ts";
 * console.log(OPTIMIZERS.finetune.lr); // 0.001
 * ```
 */
export const OPTIMIZERS: Record<Mode, TransferOptimizer> = {
  finetune: { name: "adam", lr: 1e-3 },
  freeze: { name: "momentum", lr: 3e-3, momentum: 0.9 },
  scratch: { name: "momentum", lr: 1e-2, momentum: 0.9 },
};

/**
 * Parameter groups per mode: fine-tuning first trains the new head alone for 3 epochs, then the
 * pretrained layers too at a tenth of the head's rate, so that the head's first, large gradients
 * do not reach the pretrained weights (as the captioning app warms its encoder up).
 *
 * @example
 * ```ts
 * import { PARAM_GROUPS } from "./main.ts";
 * console.log(PARAM_GROUPS.finetune[0].fromEpoch); // 3
 * ```
 */
export const PARAM_GROUPS: Record<Mode, ParamGroup[]> = {
  finetune: [{ layers: /^(?!head_)/, lrScale: 0.1, fromEpoch: 3 }],
  freeze: [],
  scratch: [],
};

/**
 * Area range of the training crops (of the whole padded photo). The tutorial's `RandomResizedCrop`
 * draws from 0.08–1 for ImageNet-sized sets; these photos are single cut-outs that fill their
 * square, and validation sees them whole: with 0.5–1 a frozen backbone's head reached 0.825 at
 * 256x256, with 0.8–1 0.975 (same seed and split).
 */
const CROP_AREA: [number, number] = [0.8, 1];

const USAGE = "usage: deno task transfer [--mode finetune|freeze|scratch|all] [--epochs N] " +
  "[--input-size N] [--backend wasm|cpu] [--out DIR] [--classes A,B,...] [--cut LAYER] " +
  "[--batch-size N] [--seed N] [--root DIR]";

/**
 * Train and validation loss and accuracy per epoch of every mode run (Vega-Lite).
 *
 * @example
 * ```ts
 * import { savePlot } from "@convgrad/plot";
 * import { curvesPlot } from "./main.ts";
 * const phase = { loss: 0.5, accuracy: 0.8, seconds: 1 };
 * await savePlot("/tmp/curves", curvesPlot([
 *   { mode: "freeze", history: [{ epoch: 0, lr: 0.01, train: phase, val: phase }] },
 * ]));
 * ```
 */
export function curvesPlot(
  runs: { mode: string; history: TransferEpoch[] }[],
): Record<string, unknown> {
  const values = runs.flatMap(({ mode, history }) =>
    history.flatMap((h) =>
      (["train", "val"] as const).flatMap((phase) => [
        { mode, phase, epoch: h.epoch, metric: "loss", value: h[phase].loss },
        { mode, phase, epoch: h.epoch, metric: "accuracy", value: h[phase].accuracy },
      ])
    )
  );
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: { text: "transfer learning: MobileNetV2 (nsfwjs) on photo stamps", anchor: "middle" },
    data: { values },
    facet: { column: { field: "metric", type: "nominal", title: null, sort: ["loss"] } },
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 300,
      height: 220,
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "epoch", type: "quantitative", axis: { tickMinStep: 1, format: "d" } },
        y: { field: "value", type: "quantitative", title: null },
        color: { field: "mode", type: "nominal" },
        strokeDash: { field: "phase", type: "nominal", legend: { symbolType: "stroke" } },
      },
    },
  };
}

/** RGB floats `[size, size, 3]` in [0, 1] as a data-URL PNG. */
async function dataUrl(rgb: Float32Array, size: number): Promise<string> {
  const rgba = new Uint8Array(size * size * 4);
  for (let i = 0; i < size * size; i++) {
    for (let k = 0; k < 3; k++) rgba[4 * i + k] = Math.round(255 * rgb[3 * i + k]);
    rgba[4 * i + 3] = 255;
  }
  const png = await encodePng(rgba, size, size, { channels: 4 });
  let s = "";
  for (const b of png) s += String.fromCharCode(b);
  return `data:image/png;base64,${btoa(s)}`;
}

/**
 * Validation photos (NHWC colour) with predicted and true labels, mistakes in red (Vega-Lite).
 *
 * @example
 * ```ts
 * import { savePlot } from "@convgrad/plot";
 * import { predictionGrid } from "./main.ts";
 * const set = { images: new Float32Array(2 * 4 * 4 * 3).fill(0.5), labels: Uint8Array.of(0, 1),
 *   n: 2, height: 4, width: 4, channels: 3 };
 * await savePlot("/tmp/grid", await predictionGrid(set, Uint8Array.of(0, 0), ["a", "b"]));
 * ```
 */
export async function predictionGrid(
  set: LabeledImages,
  predictions: Uint8Array,
  classNames: string[],
  { cols = 8, title = "" } = {},
): Promise<Record<string, unknown>> {
  const size = set.height, cell = 128, short = classNames.map((c) => c.split("/").at(-1)!);
  const values = [];
  for (let i = 0; i < set.n; i++) {
    const wrong = predictions[i] !== set.labels[i];
    values.push({
      col: i % cols,
      row: Math.floor(i / cols),
      url: await dataUrl(set.images.subarray(i * size * size * 3, (i + 1) * size * size * 3), size),
      label: `${wrong ? "✗ " : ""}${short[predictions[i]]} (${short[set.labels[i]]})`,
      wrong,
    });
  }
  const rows = Math.ceil(set.n / cols);
  const at = (field: string) => ({
    field,
    type: "ordinal",
    axis: null,
    scale: { paddingInner: 0, paddingOuter: 0 },
  });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: { text: `${title} — predicted (true); mistakes in red`, anchor: "middle" },
    data: { values },
    width: cols * cell,
    height: rows * (cell + 16),
    layer: [
      {
        mark: { type: "image", width: cell - 12, height: cell - 12, yOffset: -6 },
        encoding: { x: at("col"), y: at("row"), url: { field: "url" } },
      },
      {
        mark: { type: "text", fontSize: 11, yOffset: cell / 2 - 2 },
        encoding: {
          x: at("col"),
          y: at("row"),
          text: { field: "label" },
          color: { condition: { test: "datum.wrong", value: "#d62728" }, value: "black" },
        },
      },
    ],
    config: { view: { stroke: null } },
  };
}

/** Options of {@linkcode runTransfer} (the command line's flags). */
export interface RunOptions {
  modes: Mode[];
  epochs: number;
  inputSize: number;
  classes: string[];
  out: string;
  cut?: string;
  batchSize?: number;
  seed?: number;
  root?: string;
  /** Where the log lines go; default standard output. */
  log?: (line: string) => void;
  progress?: { write?: (s: string) => void; interactive?: boolean } | false;
}

/**
 * Loads the data and backbone, trains every mode, writes the reports; returns the metrics.
 *
 * @example
 * ```ts
 * import { setBackend } from "@convgrad/ops";
 * import { runTransfer } from "./main.ts";
 * await setBackend("wasm");
 * await runTransfer({ modes: ["freeze"], epochs: 1, inputSize: 32, out: "/tmp/transfer",
 *   classes: ["animals/birds", "animals/mammals"], progress: false });
 * ```
 */
export async function runTransfer(opts: RunOptions): Promise<Record<string, unknown>> {
  const { modes, epochs, inputSize: size, classes, out, seed = 0, batchSize = 4 } = opts;
  const log = opts.log ?? ((s: string) => console.log(s));
  const t0 = performance.now();
  const photos: PhotoSet = await loadImageFolders({
    classes,
    ...(opts.root ? { root: opts.root } : {}),
  });
  const split = stratifiedSplit(photos.labels, { validation: 0.4, seed });
  const validation = renderPhotos(photos, split.validation, size);
  const train = (epoch: number) =>
    renderPhotos(photos, split.train, size, { augment: { seed, epoch, scale: CROP_AREA } });
  const counts = classes.map((_, c) => photos.labels.filter((l) => l === c).length);
  log(
    `data: ${classes.map((c, i) => `${c} ${counts[i]}`).join(", ")}; ${split.train.length} ` +
      `train / ${split.validation.length} val at ${size}x${size}; backend ${tf.getBackend()}`,
  );
  const cut = opts.cut ?? BACKBONES.mobilenet_v2.cut;
  const runs: { mode: Mode; history: TransferEpoch[] }[] = [];
  const results: Record<string, unknown> = {};
  await Deno.mkdir(out, { recursive: true });
  for (const mode of modes) {
    log(`\n=== ${mode} ===`);
    const backbone = await loadBackbone("mobilenet_v2", { cut, inputSize: size });
    const model = mode === "finetune"
      ? finetune(backbone, classes.length)
      : mode === "freeze"
      ? freeze(backbone, classes.length)
      : await fromScratch(backbone, classes.length, { seed });
    const r = await trainModel(model, { train, validation }, {
      epochs,
      batchSize,
      optimizer: OPTIMIZERS[mode],
      paramGroups: PARAM_GROUPS[mode],
      seed,
      log,
      progress: opts.progress,
      flipValidation: true,
    });
    const { accuracy, loss, predictions } = evaluateSet(r.model, validation, { flip: true });
    // The tutorial validates on each photo once; say what the mirror images add.
    const single = evaluateSet(r.model, validation).accuracy;
    log(
      `best weights: val Acc ${accuracy.toFixed(4)} with mirror images, ${
        single.toFixed(4)
      } without`,
    );
    runs.push({ mode, history: r.history });
    const perEpoch = r.history.map((h) => h.train.seconds + h.val.seconds);
    results[mode] = {
      bestValAccuracy: r.bestAccuracy,
      bestEpoch: r.bestEpoch,
      finalValLoss: loss,
      finalValAccuracy: accuracy,
      valAccuracyWithoutFlip: single,
      secondsPerEpoch: perEpoch.reduce((a, b) => a + b, 0) / perEpoch.length,
      trainSeconds: r.seconds,
      optimizer: OPTIMIZERS[mode],
      trainableParameters: model.trainableWeights.reduce(
        (n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1),
        0,
      ),
      history: r.history,
    };
    await saveModel(r.model, `${out}/model-${mode}`);
    await savePlot(
      `${out}/predictions-${mode}`,
      await predictionGrid(validation, predictions, classes, {
        title: `${mode}: val accuracy ${accuracy.toFixed(3)}`,
      }),
      { scale: 1 },
    );
    model.dispose(); // the backbone's layers with it, unless the model only copied its architecture
    if (mode === "scratch") backbone.dispose();
  }
  await savePlot(`${out}/curves`, curvesPlot(runs));
  const metrics = {
    modes: results,
    classes,
    counts,
    trainImages: split.train.length,
    valImages: split.validation.length,
    inputSize: size,
    cut,
    epochs,
    batchSize,
    seed,
    backend: tf.getBackend(),
    wallSeconds: (performance.now() - t0) / 1000,
  };
  await Deno.writeTextFile(`${out}/metrics.json`, JSON.stringify(metrics, null, 2) + "\n");
  log(
    `\n${
      modes.map((m) =>
        `${m}: best val acc ${
          (results[m] as { bestValAccuracy: number }).bestValAccuracy.toFixed(4)
        }`
      ).join(", ")
    }`,
  );
  log(`wrote ${out}/curves.png, ${out}/predictions-*.png, ${out}/metrics.json, ${out}/model-*`);
  return metrics;
}

async function main(): Promise<void> {
  const { values: f } = parseArgs({
    args: commandArgs(),
    options: {
      mode: { type: "string", default: "all" },
      epochs: { type: "string" },
      "input-size": { type: "string" },
      backend: { type: "string", default: "wasm" },
      out: { type: "string", default: "runs/transfer" },
      classes: { type: "string", default: "animals/birds,animals/mammals" },
      cut: { type: "string" },
      "batch-size": { type: "string" },
      seed: { type: "string", default: "0" },
      root: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (f.help) return console.log(USAGE);
  if (f.backend !== "wasm" && f.backend !== "cpu") {
    throw new RangeError(`--backend must be wasm or cpu, got ${f.backend}`);
  }
  const modes = f.mode === "all" ? [...MODES] : [f.mode as Mode];
  if (!modes.every((m) => MODES.includes(m))) {
    throw new RangeError(`--mode must be finetune, freeze, scratch or all, got ${f.mode}`);
  }
  await setBackend(f.backend as BackendName);
  await runTransfer({
    modes,
    epochs: intFlag("epochs", f.epochs, 1, 15),
    inputSize: intFlag("input-size", f["input-size"], 32, 224),
    classes: f.classes.split(",").map((c) => c.trim()).filter((c) => c !== ""),
    out: f.out,
    cut: f.cut,
    batchSize: intFlag("batch-size", f["batch-size"], 1, 4),
    seed: intFlag("seed", f.seed, 0),
    root: f.root,
  });
}

if (import.meta.main) {
  try {
    await main();
  } catch (e) {
    console.error(`transfer: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
