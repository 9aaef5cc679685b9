/**
 * `deno task captioning`: cs231n's image captioner (RNN or LSTM decoder, `@convgrad/rnn`) on
 * MNIST scenes, with an image encoder built from convgrad's conv ops, or on cs231n's COCO
 * features.
 *
 *   deno task captioning [--cell rnn|lstm] [--encoder frozen|trainable]
 *                        [--encoder-init pretrained|random] [--warmup N] [--data DIR]
 *                        [--epochs N] [--train N] [--val N] [--batch N] [--lr X] [--hidden N]
 *                        [--wordvec N] [--seed N] [--pretrain-digits N] [--backend wasm|cpu]
 *                        [--out DIR]
 *
 * MNIST scenes (the default, nothing to download): `--train` scenes from MNIST's training digits,
 * `--val` from its test digits. The encoder is first trained as a classifier of scene cells (which
 * digit, large or small, or empty; `--pretrain-digits` MNIST training digits). `--encoder frozen`
 * then keeps it fixed and the decoder learns from its features, as cs231n's from VGG's;
 * `--encoder trainable` trains it end to end with the decoder through our conv gradients, from
 * there (after `--warmup` epochs, default 3, in which it stays fixed while the decoder learns to
 * read it) or (`--encoder-init random`) from random weights; either way at a tenth of the
 * decoder's learning rate. `--data DIR` trains on cs231n's
 * `coco_captioning` folder instead (its PCA VGG features; `--train` captions at most, drawn as
 * cs231n's `max_train`; the first `--val` validation images with all their captions).
 *
 * Writes to `--out` (default `runs/captioning`): `curves.png`/`.svg` (loss and validation
 * metrics), `samples.png` (validation scenes with generated and true captions; COCO:
 * `samples.json`), `metrics.json`, and `model/` (the captioner; the encoder's tensors beside it).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { type BackendName, setBackend } from "@convgrad/ops";
import { FusedAdam, ProgressBar, saveTensors } from "@convgrad/nn";
import { CaptioningModel } from "@convgrad/rnn";
import { commandArgs, createRng, intFlag, runMain } from "@convgrad/base";
import {
  bleu,
  type CaptionVocab,
  captionWords,
  exactMatch,
  loadCocoCaptioning,
  loadMnist,
  mnistScenes,
  subset,
} from "@convgrad/data";
import {
  createEncoder,
  digitCells,
  encode,
  encodeAll,
  type EncoderParams,
  featureDim,
  pretrainEncoder,
} from "./encoder.ts";
import { captionGrid, curvesPlot } from "./report.ts";

const USAGE = "usage: deno task captioning [--cell rnn|lstm] [--encoder frozen|trainable] " +
  "[--encoder-init pretrained|random] [--warmup N] " +
  "[--data DIR] [--epochs N] [--train N] [--val N] [--batch N] [--lr X] [--hidden N] " +
  "[--wordvec N] [--seed N] [--pretrain-digits N] [--backend wasm|cpu] [--out DIR]";

/** A split the loop walks: captions `[n, L]` and the decoder's input for any of its rows. */
interface Split {
  n: number;
  captionLength: number;
  captions: Int32Array;
  /** `[idx.length, D]` features of rows `idx`; under a gradient tape for a trainable encoder. */
  features(idx: ArrayLike<number>): tf.Tensor2D;
  /** Every reference caption (as words) of row i, for BLEU. */
  references(i: number): string[][];
}

/** Rows `idx` of a row-major `[n, width]` array. */
function rows<T extends Float32Array | Int32Array>(a: T, width: number, idx: ArrayLike<number>): T {
  const out = new (a.constructor as new (n: number) => T)(idx.length * width);
  for (let i = 0; i < idx.length; i++) {
    out.set(a.subarray(idx[i] * width, (idx[i] + 1) * width), i * width);
  }
  return out;
}

function featureSplit(
  n: number,
  captions: Int32Array,
  L: number,
  feats: Float32Array,
  D: number,
  featureRow: (i: number) => number,
  references: (i: number) => string[][],
): Split {
  return {
    n,
    captionLength: L,
    captions,
    features: (idx) => {
      const f = rows(feats, D, Array.from(idx, featureRow));
      return tf.tensor2d(f, [idx.length, D]);
    },
    references,
  };
}

/** Mean of `loss` over `split` in batches, without gradients. */
function meanLoss(model: CaptioningModel, split: Split, batch: number): number {
  let total = 0;
  for (let s = 0; s < split.n; s += batch) {
    const idx = Array.from({ length: Math.min(batch, split.n - s) }, (_, i) => s + i);
    const l = tf.tidy(() =>
      model.loss(
        split.features(idx),
        tf.tensor2d(rows(split.captions, split.captionLength, idx), [
          idx.length,
          split.captionLength,
        ], "int32"),
      ).mul(idx.length)
    );
    total += l.dataSync()[0];
    l.dispose();
  }
  return total / split.n;
}

/** Greedy captions (as words) of every row of `split`. */
function generate(model: CaptioningModel, split: Split, batch: number): string[][] {
  const out: string[][] = [];
  for (let s = 0; s < split.n; s += batch) {
    const idx = Array.from({ length: Math.min(batch, split.n - s) }, (_, i) => s + i);
    const f = tf.tidy(() => split.features(idx));
    for (const ids of model.sample(f, split.captionLength - 1)) {
      out.push(captionWords(ids, model.vocab));
    }
    f.dispose();
  }
  return out;
}

async function main(): Promise<void> {
  const { values: f } = parseArgs({
    args: commandArgs(),
    options: {
      cell: { type: "string", default: "lstm" },
      encoder: { type: "string" },
      "encoder-init": { type: "string" },
      warmup: { type: "string" },
      data: { type: "string" },
      epochs: { type: "string" },
      train: { type: "string" },
      val: { type: "string" },
      batch: { type: "string" },
      lr: { type: "string" },
      hidden: { type: "string" },
      wordvec: { type: "string" },
      seed: { type: "string" },
      "pretrain-digits": { type: "string" },
      backend: { type: "string", default: "wasm" },
      out: { type: "string", default: "runs/captioning" },
      help: { type: "boolean", default: false },
    },
  });
  if (f.help) return console.log(USAGE);
  if (f.cell !== "rnn" && f.cell !== "lstm") {
    throw new RangeError(`--cell must be rnn or lstm, got ${f.cell}`);
  }
  if (f.backend !== "wasm" && f.backend !== "cpu") {
    throw new RangeError(`--backend must be wasm or cpu, got ${f.backend}`);
  }
  if (f.data !== undefined && f.encoder !== undefined) {
    throw new RangeError(
      "--encoder applies to MNIST scenes; with --data the features come from the files",
    );
  }
  const encoderMode = f.encoder ?? "frozen";
  if (encoderMode !== "frozen" && encoderMode !== "trainable") {
    throw new RangeError(`--encoder must be frozen or trainable, got ${encoderMode}`);
  }
  const encoderInit = f["encoder-init"] ?? "pretrained";
  if (encoderInit !== "pretrained" && encoderInit !== "random") {
    throw new RangeError(`--encoder-init must be pretrained or random, got ${encoderInit}`);
  }
  const coco = f.data !== undefined;
  const epochs = intFlag("epochs", f.epochs, 1, coco ? 10 : encoderMode === "frozen" ? 15 : 10);
  // COCO: every training caption unless --train says fewer (drawn as cs231n's max_train).
  const trainCount = f.train === undefined && coco
    ? undefined
    : intFlag("train", f.train, 1, 10000);
  const valCount = intFlag("val", f.val, 1, 1000);
  const batch = intFlag("batch", f.batch, 1, 50);
  const hidden = intFlag("hidden", f.hidden, 1, coco ? 512 : 128);
  const wordvec = intFlag("wordvec", f.wordvec, 1, coco ? 256 : 32);
  const seed = intFlag("seed", f.seed, 0, 0);
  const pretrainDigits = intFlag("pretrain-digits", f["pretrain-digits"], 100, 60000);
  const lr = Number(f.lr ?? "5e-3");
  if (!(lr > 0)) throw new RangeError(`--lr must be > 0, got ${f.lr}`);
  const lrDecay = 0.95;
  const encoderLrScale = 0.1;
  // A pretrained encoder stays fixed while the decoder learns to read it (its first gradients are
  // noise that would wash out what the encoder learnt), then trains with it end to end.
  const warmup = encoderMode === "trainable"
    ? intFlag("warmup", f.warmup, 0, encoderInit === "pretrained" ? 3 : 0)
    : 0;
  if (warmup >= epochs) {
    throw new RangeError(`--warmup must be below --epochs (${epochs}), got ${warmup}`);
  }

  const t0 = performance.now();
  await setBackend(f.backend as BackendName);
  const log = (s: string) => console.error(s);
  log(
    `backend ${tf.getBackend()}, cell ${f.cell}, ` +
      `${coco ? `data ${f.data}` : `MNIST scenes, encoder ${encoderMode}`}, ${epochs} epochs, ` +
      `out ${f.out}`,
  );

  let train: Split, val: Split, vocab: CaptionVocab, D: number;
  let encoder: EncoderParams | undefined, trainableEncoder = false, pretrainAccuracy = null;
  let valImages: { images: Float32Array; size: number } | undefined;
  // The frozen encoder's splits, which a trainable one's warm-up epochs use.
  let warmSplits: [Split, Split] | undefined;
  if (coco) {
    const data = await loadCocoCaptioning(f.data!, { maxTrain: trainCount, seed });
    vocab = data.vocab;
    D = data.train.featureDim;
    const tr = data.train, va = data.val, L = tr.captionLength;
    const words = (c: Int32Array, i: number) => captionWords(c.subarray(i * L, (i + 1) * L), vocab);
    train = featureSplit(tr.n, tr.captions, L, tr.features, D, (i) => tr.imageIdxs[i], (i) => [
      words(tr.captions, i),
    ]);
    // Validation by image: each of the first `--val` images with all its captions.
    const byImage = new Map<number, number[]>();
    va.imageIdxs.forEach((img, i) => byImage.set(img, [...(byImage.get(img) ?? []), i]));
    const images = [...byImage.keys()].slice(0, valCount);
    const first = Int32Array.from(images, (img) => byImage.get(img)![0]);
    val = featureSplit(
      images.length,
      rows(va.captions, L, first),
      L,
      va.features,
      D,
      (i) => images[i],
      (i) => byImage.get(images[i])!.map((j) => words(va.captions, j)),
    );
  } else {
    const mnist = await loadMnist();
    const tr = mnistScenes(mnist.train, { count: trainCount!, seed });
    const va = mnistScenes(mnist.test, { count: valCount, seed: seed + 1 });
    vocab = tr.vocab;
    const S = tr.height, L = tr.captionLength, hw = S * S;
    D = featureDim(S);
    valImages = { images: va.images, size: S };
    encoder = createEncoder(seed);
    const refs = (c: Int32Array) => (i: number) => [
      captionWords(c.subarray(i * L, (i + 1) * L), vocab),
    ];
    if (encoderMode === "frozen" || encoderInit === "pretrained") {
      // The encoder learns cells first (which digit, which size, or empty), then stays fixed
      // (frozen) or starts the end-to-end training from there (trainable).
      const some = (n: number) => Array.from({ length: Math.min(n, mnist.train.n) }, (_, i) => i);
      const cells = digitCells(subset(mnist.train, some(pretrainDigits)), seed);
      const check = digitCells(mnist.test, seed + 1);
      const bar = new ProgressBar("encoder: cell classifier", Math.ceil(cells.n / 100));
      pretrainAccuracy = pretrainEncoder(encoder, cells, check, {
        seed,
        onStep: (step, loss) => bar.update(step, { loss: loss.toFixed(3) }),
      });
      bar.done();
      log(`encoder: cell classifier test accuracy ${pretrainAccuracy.toFixed(4)}`);
    }
    if (encoderMode === "frozen" || warmup > 0) {
      const ftr = encodeAll(tr.images, tr.n, S, encoder);
      const fva = encodeAll(va.images, va.n, S, encoder);
      warmSplits = [
        featureSplit(tr.n, tr.captions, L, ftr, D, (i) => i, refs(tr.captions)),
        featureSplit(va.n, va.captions, L, fva, D, (i) => i, refs(va.captions)),
      ];
    }
    if (encoderMode === "frozen") [train, val] = warmSplits!;
    else {
      trainableEncoder = true;
      const enc = encoder;
      const imageSplit = (s: typeof tr): Split => ({
        n: s.n,
        captionLength: L,
        captions: s.captions,
        features: (idx) => encode(tf.tensor4d(rows(s.images, hw, idx), [idx.length, 1, S, S]), enc),
        references: refs(s.captions),
      });
      train = imageSplit(tr);
      val = imageSplit(va);
    }
  }

  const model = new CaptioningModel({
    vocab,
    inputDim: D,
    wordvecDim: wordvec,
    hiddenDim: hidden,
    cellType: f.cell,
    seed,
  });
  // A trainable encoder gets its own Adam at a tenth of the rate: at the decoder's, a random
  // encoder never got the loss below the caption prior (7.9 for 5 epochs; measured).
  const encoderVars = trainableEncoder && encoder ? Object.values(encoder) as tf.Variable[] : [];
  const decoderVars = model.variables();
  const optimizer = new FusedAdam(lr), encoderOptimizer = new FusedAdam(lr * encoderLrScale);
  const L = train.captionLength, rand = createRng(seed + 2);
  const trace: { epoch: number; loss: number }[] = [];
  const history: {
    epoch: number;
    trainLoss: number;
    valLoss: number;
    valExactMatch: number;
    valBleu4: number;
    seconds: number;
    captionsPerSecond: number;
    encoderTrained: boolean;
    tensors: number;
  }[] = [];
  let generated: string[][] = [];
  const refs = Array.from({ length: val.n }, (_, i) => val.references(i));
  for (let epoch = 0; epoch < epochs; epoch++) {
    const endToEnd = trainableEncoder && epoch >= warmup;
    const [trainSet, valSet] = endToEnd || !warmSplits ? [train, val] : warmSplits;
    const vars = endToEnd ? [...decoderVars, ...encoderVars] : decoderVars;
    (optimizer as unknown as { learningRate: number }).learningRate = lr * lrDecay ** epoch;
    (encoderOptimizer as unknown as { learningRate: number }).learningRate = lr *
      encoderLrScale * lrDecay ** epoch;
    // A seeded shuffle per epoch.
    const order = Array.from({ length: trainSet.n }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const steps = Math.ceil(trainSet.n / batch), start = performance.now();
    const bar = new ProgressBar(`epoch ${epoch + 1}/${epochs}`, steps);
    let sum = 0;
    for (let s = 0; s < steps; s++) {
      const idx = order.slice(s * batch, (s + 1) * batch);
      const loss = tf.tidy(() => {
        const caps = tf.tensor2d(rows(trainSet.captions, L, idx), [idx.length, L], "int32");
        const { value, grads } = tf.variableGrads(
          () => model.loss(trainSet.features(idx), caps),
          vars,
        );
        const pick = (vars: tf.Variable[]) =>
          vars.map((v) => ({ name: v.name, tensor: grads[v.name] }));
        optimizer.applyGradients(pick(decoderVars));
        if (endToEnd) encoderOptimizer.applyGradients(pick(encoderVars));
        return value;
      });
      const l = loss.dataSync()[0];
      loss.dispose();
      sum += l;
      trace.push({ epoch: epoch + s / steps, loss: l });
      const rate = ((s + 1) * batch) / ((performance.now() - start) / 1000);
      bar.update(s + 1, { loss: l.toFixed(3), "captions/s": rate.toFixed(0) });
    }
    bar.done();
    const seconds = (performance.now() - start) / 1000;
    generated = generate(model, valSet, 250);
    const valExactMatch = exactMatch(generated, refs), scores = bleu(generated, refs);
    const rec = {
      epoch: epoch + 1,
      trainLoss: sum / steps,
      valLoss: meanLoss(model, valSet, 250),
      valExactMatch,
      valBleu4: scores.bleu[3],
      seconds,
      captionsPerSecond: trainSet.n / seconds,
      encoderTrained: endToEnd,
      // Live tensors after the epoch: the same every epoch unless something leaks.
      tensors: tf.memory().numTensors,
    };
    history.push(rec);
    log(
      `epoch ${rec.epoch}: train loss ${rec.trainLoss.toFixed(3)}, val loss ${
        rec.valLoss.toFixed(3)
      }, val exact match ${valExactMatch.toFixed(3)}, BLEU-4 ${rec.valBleu4.toFixed(3)} ` +
        `(${seconds.toFixed(1)} s, ${rec.captionsPerSecond.toFixed(0)} captions/s)`,
    );
  }

  const scores = bleu(generated, refs);
  const valExactMatch = exactMatch(generated, refs);
  log(
    `validation: exact match ${valExactMatch.toFixed(4)}, BLEU-1..4 ${
      scores.bleu.map((b) => b.toFixed(4)).join(" ")
    }`,
  );
  await Deno.mkdir(f.out, { recursive: true });
  await model.save(`${f.out}/model`);
  if (encoder) {
    await saveTensors(
      Object.entries(encoder).map(([name, tensor]) => ({ name, tensor })),
      `${f.out}/model/encoder`,
    );
  }
  await curvesPlot(`${f.out}/curves`, trace, history, `${f.cell.toUpperCase()} captioner`);
  const shown = Math.min(12, val.n);
  const samples = Array.from({ length: shown }, (_, i) => ({
    generated: generated[i].join(" "),
    truth: refs[i].map((r) => r.join(" ")),
  }));
  if (valImages) {
    const hw = valImages.size * valImages.size;
    await captionGrid(
      `${f.out}/samples.png`,
      samples.map((s, i) => ({
        image: valImages!.images.subarray(i * hw, (i + 1) * hw),
        ...s,
      })),
      valImages.size,
    );
  } else {
    await Deno.writeTextFile(`${f.out}/samples.json`, JSON.stringify(samples, null, 2) + "\n");
  }
  const metrics = {
    data: coco ? f.data : "mnist-scenes",
    cell: f.cell,
    encoder: coco ? "cs231n features" : encoderMode,
    encoderInit: coco || encoderMode === "frozen" ? null : encoderInit,
    pretrainAccuracy,
    valExactMatch,
    valBleu: scores.bleu,
    valPrecisions: scores.precisions,
    brevityPenalty: scores.brevityPenalty,
    history,
    trainCaptions: train.n,
    valCaptions: val.n,
    batch,
    lr,
    lrDecay,
    encoderLr: trainableEncoder ? lr * encoderLrScale : null,
    warmupEpochs: warmup,
    hidden,
    wordvec,
    seed,
    backend: tf.getBackend(),
    secondsPerEpoch: history.reduce((s, h) => s + h.seconds, 0) / history.length,
    wallSeconds: (performance.now() - t0) / 1000,
  };
  await Deno.writeTextFile(`${f.out}/metrics.json`, JSON.stringify(metrics, null, 2) + "\n");
  log(
    `wrote ${f.out}/{metrics.json,curves.png,curves.svg,${
      valImages ? "samples.png" : "samples.json"
    },model/}`,
  );
}

if (import.meta.main) await runMain("captioning", main);
