/**
 * cs231n's `CaptioningRNN` as a model object: its parameters (initialised as cs231n does), the
 * loss, greedy sampling, and files that hold the weights with the vocabulary.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { createRng } from "@convgrad/base";
// The vocabulary helpers alone: they run in a browser, where the rest of data (files, HDF5) does not.
import { type CaptionVocab, makeVocab } from "@convgrad/data/captions";
import { captioningLoss, type CaptioningParams, sampleCaptions } from "./captioning.ts";

/** Options of {@linkcode CaptioningModel}. */
export interface CaptioningModelOptions {
  /** The vocabulary; it must hold `<NULL>`, `<START>` and `<END>`. */
  vocab: CaptionVocab;
  /** Length D of the image features. */
  inputDim: number;
  /** Word vector length Wd. Default 128. */
  wordvecDim?: number;
  /** Hidden state length H. Default 128. */
  hiddenDim?: number;
  /** Default "rnn". */
  cellType?: "rnn" | "lstm";
  /** Seed of the initial weights. Default 0. */
  seed?: number;
}

/** The parameter names, in the order files store them. */
const NAMES = ["W_proj", "b_proj", "W_embed", "Wx", "Wh", "b", "W_vocab", "b_vocab"] as const;

/** Standard normal values from `rand` (Box–Muller). */
function gaussian(rand: () => number, n: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rand())), a = 2 * Math.PI * rand();
    out[i] = r * Math.cos(a) * scale;
    if (i + 1 < n) out[i + 1] = r * Math.sin(a) * scale;
  }
  return out;
}

function positiveInt(name: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1) {
    throw new RangeError(`CaptioningModel: ${name} must be a positive integer, got ${v}`);
  }
  return v as number;
}

function token(vocab: CaptionVocab, w: string): number {
  if (!Object.hasOwn(vocab.wordToIdx, w)) {
    throw new RangeError(`CaptioningModel: the vocabulary has no ${w} token`);
  }
  return vocab.wordToIdx[w];
}

/**
 * An image captioner: features `[N,D]` → h0 = features·W_proj + b_proj → an RNN or LSTM over the
 * embedded words → scores over the vocabulary. Initialised as cs231n's `CaptioningRNN`: `W_embed`
 * ~ N(0, 1)/100, `W_proj`, `Wx`, `Wh`, `W_vocab` ~ N(0, 1)/√fan-in, biases zero, drawn from
 * `createRng(seed)`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { SCENE_VOCAB } from "@convgrad/data";
 * import { CaptioningModel } from "@convgrad/rnn";
 * const model = new CaptioningModel({ vocab: SCENE_VOCAB, inputDim: 8, cellType: "lstm" });
 * const features = tf.randomNormal([2, 8]) as tf.Tensor2D;
 * const captions = tf.tensor2d([[1, 4, 5, 2], [1, 6, 2, 0]], [2, 4], "int32");
 * model.loss(features, captions).print(); // about 2·3·log(21)
 * console.log(model.sample(features, 5).length); // 2
 * ```
 */
export class CaptioningModel {
  readonly vocab: CaptionVocab;
  readonly inputDim: number;
  readonly wordvecDim: number;
  readonly hiddenDim: number;
  readonly cellType: "rnn" | "lstm";
  /** The trainable weights, named as cs231n names them. */
  readonly params: CaptioningParams;

  constructor(opts: CaptioningModelOptions, weights?: Record<string, tf.Tensor>) {
    const { vocab, wordvecDim = 128, hiddenDim = 128, cellType = "rnn", seed = 0 } = opts ?? {};
    if (!vocab || !Array.isArray(vocab.idxToWord) || vocab.idxToWord.length < 3) {
      throw new TypeError("CaptioningModel: vocab must be a CaptionVocab of 3 or more words");
    }
    for (const w of ["<NULL>", "<START>", "<END>"]) token(vocab, w);
    if (cellType !== "rnn" && cellType !== "lstm") {
      throw new RangeError(`CaptioningModel: cellType must be "rnn" or "lstm", got ${cellType}`);
    }
    if (!Number.isInteger(seed)) {
      throw new RangeError(`CaptioningModel: seed must be an integer, got ${seed}`);
    }
    this.vocab = vocab;
    this.inputDim = positiveInt("inputDim", opts.inputDim);
    this.wordvecDim = positiveInt("wordvecDim", wordvecDim);
    this.hiddenDim = positiveInt("hiddenDim", hiddenDim);
    this.cellType = cellType;
    const V = vocab.idxToWord.length, D = this.inputDim, Wd = this.wordvecDim, H = this.hiddenDim;
    const G = cellType === "lstm" ? 4 * H : H;
    const shapes: Record<(typeof NAMES)[number], [number[], number]> = {
      // shape, scale of the N(0, 1) draw (0: zeros)
      W_proj: [[D, H], 1 / Math.sqrt(D)],
      b_proj: [[H], 0],
      W_embed: [[V, Wd], 1 / 100],
      Wx: [[Wd, G], 1 / Math.sqrt(Wd)],
      Wh: [[H, G], 1 / Math.sqrt(H)],
      b: [[G], 0],
      W_vocab: [[H, V], 1 / Math.sqrt(H)],
      b_vocab: [[V], 0],
    };
    const rand = createRng(seed), params: Record<string, tf.Variable> = {};
    for (const name of NAMES) {
      const [shape, scale] = shapes[name], n = shape.reduce((a, b) => a * b);
      let init: tf.Tensor;
      if (weights) {
        const w = weights[name];
        if (!w || w.shape.join() !== shape.join()) {
          throw new RangeError(
            `CaptioningModel: weight ${name} must have shape [${shape}], got ${
              w ? `[${w.shape}]` : "none"
            }`,
          );
        }
        init = w;
      } else init = tf.tensor(scale === 0 ? new Float32Array(n) : gaussian(rand, n, scale), shape);
      params[name] = tf.variable(init, true);
      if (!weights) init.dispose();
    }
    this.params = params as unknown as CaptioningParams;
  }

  /** cs231n's loss of `captions` `[N,T+1]` (int32) given `features` `[N,D]`: a scalar. */
  loss(features: tf.Tensor2D, captions: tf.Tensor2D): tf.Scalar {
    return captioningLoss(features, captions, this.params, {
      cellType: this.cellType,
      nullToken: token(this.vocab, "<NULL>"),
    });
  }

  /** Greedy captions of `features` `[N,D]`, `maxLength` tokens each (see `sampleCaptions`). */
  sample(features: tf.Tensor2D, maxLength = 30): number[][] {
    return sampleCaptions(features, this.params, {
      cellType: this.cellType,
      maxLength,
      startToken: token(this.vocab, "<START>"),
      endToken: token(this.vocab, "<END>"),
    });
  }

  /** The weights, for an optimizer's `varList`. */
  variables(): tf.Variable[] {
    return NAMES.map((n) => this.params[n] as tf.Variable);
  }

  /** Frees the weights. */
  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }

  /**
   * Writes `dir/captioner.json` (sizes, cell, vocabulary, weight specs) and `dir/weights.bin`.
   *
   * @example
   * ```ts
   * import { SCENE_VOCAB } from "@convgrad/data";
   * import { CaptioningModel } from "@convgrad/rnn";
   * await new CaptioningModel({ vocab: SCENE_VOCAB, inputDim: 8 }).save("/tmp/captioner");
   * ```
   */
  async save(dir: string): Promise<void> {
    await Deno.mkdir(dir, { recursive: true });
    const { data, specs } = await tf.io.encodeWeights(
      NAMES.map((name) => ({ name, tensor: this.params[name] })),
    );
    const json = {
      format: "convgrad-captioner",
      cellType: this.cellType,
      inputDim: this.inputDim,
      wordvecDim: this.wordvecDim,
      hiddenDim: this.hiddenDim,
      idxToWord: this.vocab.idxToWord,
      weights: specs,
    };
    // Weights first, then the json that names them, each renamed into place: a kill never leaves
    // a json pointing at half a file.
    await Deno.writeFile(`${dir}/weights.bin.tmp`, new Uint8Array(data as ArrayBuffer));
    await Deno.writeTextFile(`${dir}/captioner.json.tmp`, JSON.stringify(json));
    await Deno.rename(`${dir}/weights.bin.tmp`, `${dir}/weights.bin`);
    await Deno.rename(`${dir}/captioner.json.tmp`, `${dir}/captioner.json`);
  }

  /**
   * Reads a model written by {@linkcode CaptioningModel.save}.
   *
   * @example
   * ```ts ignore
   * import { CaptioningModel } from "@convgrad/rnn";
   * const model = await CaptioningModel.load("runs/captioning/model");
   * ```
   */
  static async load(dir: string): Promise<CaptioningModel> {
    let json;
    try {
      json = JSON.parse(await Deno.readTextFile(`${dir}/captioner.json`));
    } catch (e) {
      throw new Error(
        `CaptioningModel.load: cannot read ${dir}/captioner.json: ${(e as Error).message}`,
      );
    }
    if (json?.format !== "convgrad-captioner") {
      throw new TypeError(`CaptioningModel.load: ${dir}/captioner.json is not a captioner's file`);
    }
    const bytes = await Deno.readFile(`${dir}/weights.bin`);
    const weights = tf.io.decodeWeights(bytes.buffer, json.weights);
    try {
      return new CaptioningModel({
        vocab: makeVocab(json.idxToWord),
        inputDim: json.inputDim,
        wordvecDim: json.wordvecDim,
        hiddenDim: json.hiddenDim,
        cellType: json.cellType,
      }, weights);
    } finally {
      for (const t of Object.values(weights)) t.dispose();
    }
  }
}
