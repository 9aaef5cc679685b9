/**
 * cs231n's captioning RNN as functions of its parameters: the training loss and greedy sampling.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { createRng } from "@convgrad/base";
import { type ArgSpec, checkArgs, checkTokens } from "./checks.ts";
import { temporalAffineCore } from "./temporal_affine.ts";
import { temporalSoftmaxLossCore } from "./temporal_softmax_loss.ts";
import { wordEmbeddingCore } from "./word_embedding.ts";
import { rnnSequenceCore } from "./rnn_sequence.ts";
import { lstmSequenceCore, lstmStatesCore } from "./lstm_sequence.ts";

/** The recurrent cell of the captioner. */
export type CellType = "rnn" | "lstm";

/**
 * The captioner's parameters, named as in cs231n (`G = H` for the RNN, `4H` for the LSTM):
 * image projection `W_proj [D,H]`, `b_proj [H]`; word vectors `W_embed [V,Wd]`; the cell's
 * `Wx [Wd,G]`, `Wh [H,G]`, `b [G]`; the vocabulary scores `W_vocab [H,V]`, `b_vocab [V]`.
 */
export interface CaptioningParams {
  W_proj: tf.Tensor2D;
  b_proj: tf.Tensor1D;
  W_embed: tf.Tensor2D;
  Wx: tf.Tensor2D;
  Wh: tf.Tensor2D;
  b: tf.Tensor1D;
  W_vocab: tf.Tensor2D;
  b_vocab: tf.Tensor1D;
}

/** Options of {@linkcode captioningLoss}. */
export interface CaptioningLossOptions {
  cellType: CellType;
  /** The padding token, masked out of the loss. Default 0. */
  nullToken?: number;
}

/** Options of {@linkcode sampleCaptions}. */
export interface SampleOptions {
  cellType: CellType;
  /** Tokens generated per caption, `>= 1`. */
  maxLength: number;
  /** Default 1. */
  startToken?: number;
  /** Default 2. */
  endToken?: number;
  /** The padding after `<END>`. Default 0. */
  nullToken?: number;
}

/** The sizes of a captioner: image features D, word vectors Wd, hidden H, vocabulary V. */
export interface CaptioningSizes {
  D: number;
  Wd: number;
  H: number;
  V: number;
}

/**
 * Fresh captioner parameters with cs231n's initialisation: `W_embed` ~ N(0, 1)/100, `W_proj`,
 * `Wx`, `Wh`, `W_vocab` ~ N(0, 1)/√(fan-in), biases 0; deterministic from `seed`.
 *
 * @example
 * ```ts
 * import { initCaptioningParams } from "@convgrad/rnn";
 * const p = initCaptioningParams({ D: 8, Wd: 4, H: 6, V: 10 }, "lstm", 1);
 * p.Wx.shape; // [4, 24]
 * ```
 */
export function initCaptioningParams(
  sizes: CaptioningSizes,
  cellType: CellType,
  seed = 0,
): CaptioningParams {
  const op = "initCaptioningParams";
  const cell = checkCell(op, cellType);
  for (const k of ["D", "Wd", "H", "V"] as const) {
    const v = sizes?.[k];
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`${op}: sizes.${k} must be an integer >= 1, got ${v}`);
    }
  }
  const { D, Wd, H, V } = sizes, G = cell === "rnn" ? H : 4 * H;
  const rand = createRng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const init = (shape: number[], scale: number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return tf.tensor(Float32Array.from({ length: n }, () => normal() * scale), shape);
  };
  return {
    W_proj: init([D, H], 1 / Math.sqrt(D)),
    b_proj: init([H], 0),
    W_embed: init([V, Wd], 1 / 100),
    Wx: init([Wd, G], 1 / Math.sqrt(Wd)),
    Wh: init([H, G], 1 / Math.sqrt(H)),
    b: init([G], 0),
    W_vocab: init([H, V], 1 / Math.sqrt(H)),
    b_vocab: init([V], 0),
  } as CaptioningParams;
}

function checkCell(op: string, cellType: unknown): CellType {
  if (cellType !== "rnn" && cellType !== "lstm") {
    throw new RangeError(
      `${op}: cellType must be "rnn" or "lstm", got ${JSON.stringify(cellType)}`,
    );
  }
  return cellType;
}

function checkToken(op: string, name: string, v: unknown, V: number): number {
  if (!Number.isInteger(v) || (v as number) < 0 || (v as number) >= V) {
    throw new RangeError(`${op}: ${name} must be an integer in [0, ${V}), got ${v}`);
  }
  return v as number;
}

/** The parameter specs of both ops; `features` first so that D and N come from it. */
function paramSpecs(features: unknown, params: CaptioningParams, cell: CellType): ArgSpec[] {
  if (params === null || typeof params !== "object") {
    throw new TypeError(`captioning: params must be an object of tensors, got ${params}`);
  }
  const G = cell === "rnn" ? "H" : "4H";
  return [
    ["features", features, "N,D"],
    ["params.W_proj", params.W_proj, "D,H"],
    ["params.b_proj", params.b_proj, "H"],
    ["params.W_embed", params.W_embed, "V,Wd"],
    ["params.Wx", params.Wx, `Wd,${G}`],
    ["params.Wh", params.Wh, `H,${G}`],
    ["params.b", params.b, G],
    ["params.W_vocab", params.W_vocab, "H,V"],
    ["params.b_vocab", params.b_vocab, "V"],
  ];
}

/**
 * cs231n's `CaptioningRNN.loss`: the image features `[N,D]` give the first hidden state
 * `h0 = features·W_proj + b_proj`; the cell reads the words `captions[:, :-1]` (int32
 * `[N,T+1]`) and is scored on predicting `captions[:, 1:]`, positions whose target is
 * `nullToken` left out; the sum is divided by N. `tf.grads` through it gives every parameter's
 * gradient (and the features', for a trainable encoder), each op's backward hand-written.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { captioningLoss } from "@convgrad/rnn";
 * const [N, D, H, Wd, V] = [2, 4, 3, 2, 5];
 * const params = {
 *   W_proj: tf.zeros([D, H]), b_proj: tf.zeros([H]), W_embed: tf.zeros([V, Wd]),
 *   Wx: tf.zeros([Wd, H]), Wh: tf.zeros([H, H]), b: tf.zeros([H]),
 *   W_vocab: tf.zeros([H, V]), b_vocab: tf.zeros([V]),
 * } as Parameters<typeof captioningLoss>[2];
 * const captions = tf.tensor2d([[1, 4, 2, 0], [1, 3, 3, 2]], [N, 4], "int32");
 * captioningLoss(tf.ones([N, D]), captions, params, { cellType: "rnn" }).print(); // 5 ln 5 / 2
 * ```
 */
export function captioningLoss(
  features: tf.Tensor2D,
  captions: tf.Tensor2D,
  params: CaptioningParams,
  opts: CaptioningLossOptions,
): tf.Scalar {
  const op = "captioningLoss";
  const cell = checkCell(op, opts?.cellType);
  const { N, V } = checkArgs(op, [
    ...paramSpecs(features, params, cell),
    ["captions", captions, "N,T1", "int32"],
  ]);
  const nullToken = checkToken(op, "nullToken", opts.nullToken ?? 0, V);
  const T = captions.shape[1] - 1;
  if (T < 1) {
    throw new RangeError(
      `${op}: captions must hold at least 2 tokens per row, got [${captions.shape}]`,
    );
  }
  checkTokens(op, "captions", captions, V);
  return tf.tidy(() => {
    const input = captions.slice([0, 0], [N, T]), target = captions.slice([0, 1], [N, T]);
    const mask = tf.notEqual(target, nullToken) as tf.Tensor2D;
    const p = params;
    // A one-step temporal affine, for its backward (wasm's transposed GEMMs are slow).
    const proj = temporalAffineCore(features.expandDims(1), p.W_proj, p.b_proj); // [N,1,H]
    const h0 = proj.reshape([N, -1]) as tf.Tensor2D; // [N,H]
    const x = wordEmbeddingCore(input, p.W_embed); // [N,T,Wd]
    const hs = cell === "rnn" // [N,T,H]
      ? rnnSequenceCore(x, h0, p.Wx, p.Wh, p.b)
      : lstmSequenceCore(x, h0, tf.zerosLike(h0), p.Wx, p.Wh, p.b);
    const scores = temporalAffineCore(hs, p.W_vocab, p.b_vocab); // [N,T,V]
    return temporalSoftmaxLossCore(scores, target, mask);
  });
}

/**
 * Greedy captions for image features `[N,D]`: starting from `startToken`, each step feeds the
 * previous word and picks the highest-scoring one (the first on ties). Decoding stops at
 * `<END>`: each returned row has `maxLength` tokens (without `<START>`), the words up to and
 * including the first `endToken`, then `nullToken` padding. (cs231n's sampler keeps generating
 * after `<END>`; its `decode_captions` drops that tail, which here is `<NULL>` already.)
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { sampleCaptions } from "@convgrad/rnn";
 * const [N, D, H, Wd, V] = [2, 4, 3, 2, 5];
 * const params = {
 *   W_proj: tf.zeros([D, H]), b_proj: tf.zeros([H]), W_embed: tf.zeros([V, Wd]),
 *   Wx: tf.zeros([Wd, 4 * H]), Wh: tf.zeros([H, 4 * H]), b: tf.zeros([4 * H]),
 *   W_vocab: tf.zeros([H, V]), b_vocab: tf.tensor1d([0, 0, 1, 0, 0]), // <END> always wins
 * } as Parameters<typeof sampleCaptions>[1];
 * sampleCaptions(tf.ones([N, D]), params, { cellType: "lstm", maxLength: 3 }); // [[2, 0, 0], [2, 0, 0]]
 * ```
 */
export function sampleCaptions(
  features: tf.Tensor2D,
  params: CaptioningParams,
  opts: SampleOptions,
): number[][] {
  const op = "sampleCaptions";
  const cell = checkCell(op, opts?.cellType);
  const { N, V, H } = checkArgs(op, paramSpecs(features, params, cell));
  const { maxLength } = opts;
  if (!Number.isInteger(maxLength) || maxLength < 1) {
    throw new RangeError(`${op}: maxLength must be an integer >= 1, got ${maxLength}`);
  }
  const start = checkToken(op, "startToken", opts.startToken ?? 1, V);
  const end = checkToken(op, "endToken", opts.endToken ?? 2, V);
  const pad = checkToken(op, "nullToken", opts.nullToken ?? 0, V);
  const p = params;
  const out = Array.from({ length: N }, () => new Array<number>(maxLength).fill(pad));
  const words = new Int32Array(N).fill(start), done = new Array<boolean>(N).fill(false);
  let state: tf.Tensor2D = tf.tidy(() => {
    const h = tf.fused.matMul({ a: features, b: p.W_proj, bias: p.b_proj }); // [N,H]
    return (cell === "rnn" ? h : tf.concat([h, tf.zerosLike(h)], 1)) as tf.Tensor2D; // [N,H] or [N,2H]
  });
  for (let t = 0; t < maxLength && done.includes(false); t++) {
    const [next, scores] = tf.tidy(() => {
      const x = wordEmbeddingCore(tf.tensor2d(words, [N, 1], "int32"), p.W_embed); // [N,1,Wd]
      const s = cell === "rnn"
        ? rnnSequenceCore(x, state, p.Wx, p.Wh, p.b).reshape([N, H])
        : lstmStatesCore(
          x,
          state.slice([0, 0], [N, H]) as tf.Tensor2D,
          state.slice([0, H], [N, H]) as tf.Tensor2D,
          p.Wx,
          p.Wh,
          p.b,
        ).reshape([N, 2 * H]);
      const h = cell === "rnn" ? s : s.slice([0, 0], [N, H]);
      return [s as tf.Tensor2D, tf.fused.matMul({ a: h, b: p.W_vocab, bias: p.b_vocab })]; // [N,V]
    });
    state.dispose();
    state = next;
    const sc = scores.dataSync();
    scores.dispose();
    for (let n = 0; n < N; n++) {
      let best = 0;
      for (let v = 1; v < V; v++) if (sc[n * V + v] > sc[n * V + best]) best = v;
      words[n] = best;
      if (done[n]) continue;
      out[n][t] = best;
      done[n] = best === end;
    }
  }
  state.dispose();
  return out;
}
