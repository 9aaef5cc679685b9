/**
 * The baseline: the same forward passes built from stock TF.js ops only, differentiated by TF.js
 * autodiff. Tests compare our hand-written gradients with it; `benchmarks/captioning_bench.ts`
 * times it. On wasm its embedding gradient needs `UnsortedSegmentSum`, which TF.js 4.22's wasm
 * backend does not have, so training through it fails there.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { CaptioningParams, CellType } from "./captioning.ts";
import { wordEmbeddingCore } from "./word_embedding.ts";

/**
 * One vanilla RNN step from stock ops.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { stockRnnStep } from "@convgrad/rnn/stock";
 * stockRnnStep(tf.ones([1, 2]), tf.zeros([1, 3]), tf.ones([2, 3]), tf.eye(3), tf.zeros([3])).print();
 * ```
 */
export function stockRnnStep(
  x: tf.Tensor,
  prevH: tf.Tensor,
  Wx: tf.Tensor,
  Wh: tf.Tensor,
  b: tf.Tensor,
): tf.Tensor {
  return tf.tanh(x.matMul(Wx).add(prevH.matMul(Wh)).add(b));
}

/**
 * One LSTM step from stock ops (gate blocks i, f, o, g).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { stockLstmStep } from "@convgrad/rnn/stock";
 * const z = (...s: number[]) => tf.zeros(s);
 * stockLstmStep(tf.ones([1, 2]), z(1, 3), z(1, 3), z(2, 12), z(3, 12), z(12)).c.print();
 * ```
 */
export function stockLstmStep(
  x: tf.Tensor,
  prevH: tf.Tensor,
  prevC: tf.Tensor,
  Wx: tf.Tensor,
  Wh: tf.Tensor,
  b: tf.Tensor,
): { h: tf.Tensor; c: tf.Tensor } {
  const H = Wh.shape[0];
  const a = x.matMul(Wx).add(prevH.matMul(Wh)).add(b); // [N,4H]
  const [i, f, o] = [0, 1, 2].map((k) => tf.sigmoid(a.slice([0, k * H], [-1, H])));
  const g = tf.tanh(a.slice([0, 3 * H], [-1, H]));
  const c = f.mul(prevC).add(i.mul(g));
  return { h: o.mul(tf.tanh(c)), c };
}

/**
 * A recurrent sequence from stock ops, step by step: every hidden state, `[N,T,H]`. Time steps
 * are slices (`tf.unstack`'s gradient fails on a one-step sequence in TF.js 4.22).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { stockSequence } from "@convgrad/rnn/stock";
 * const h = stockSequence("rnn", tf.ones([2, 3, 4]), tf.zeros([2, 5]), tf.ones([4, 5]), tf.eye(5), tf.zeros([5]));
 * h.shape; // [2, 3, 5]
 * ```
 */
export function stockSequence(
  cellType: CellType,
  x: tf.Tensor,
  h0: tf.Tensor,
  Wx: tf.Tensor,
  Wh: tf.Tensor,
  b: tf.Tensor,
): tf.Tensor {
  const [N, T, D] = x.shape as number[], hs: tf.Tensor[] = [];
  let h = h0, c = tf.zerosLike(h0);
  for (let t = 0; t < T; t++) {
    const xt = x.slice([0, t, 0], [N, 1, D]).reshape([N, D]);
    if (cellType === "rnn") h = stockRnnStep(xt, h, Wx, Wh, b);
    else ({ h, c } = stockLstmStep(xt, h, c, Wx, Wh, b));
    hs.push(h);
  }
  return tf.stack(hs, 1);
}

/** Options of {@linkcode stockCaptioningLoss}. */
export interface StockLossOptions {
  cellType: CellType;
  /** Default 0. */
  nullToken?: number;
  /**
   * `"gather"` (default): stock `tf.gather`, whose gradient wasm lacks; `"ours"`: our
   * `wordEmbedding`, so that the rest of the stock model can be timed on wasm.
   */
  embedding?: "gather" | "ours";
}

/**
 * cs231n's captioning loss from stock ops (`tf.gather` embedding, step-by-step cell,
 * `tf.logSoftmax` loss), unchecked: the same function as `captioningLoss`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { stockCaptioningLoss } from "@convgrad/rnn/stock";
 * const [N, D, H, Wd, V] = [2, 4, 3, 2, 5];
 * const params = {
 *   W_proj: tf.zeros([D, H]), b_proj: tf.zeros([H]), W_embed: tf.zeros([V, Wd]),
 *   Wx: tf.zeros([Wd, H]), Wh: tf.zeros([H, H]), b: tf.zeros([H]),
 *   W_vocab: tf.zeros([H, V]), b_vocab: tf.zeros([V]),
 * } as Parameters<typeof stockCaptioningLoss>[2];
 * const captions = tf.tensor2d([[1, 4, 2, 0], [1, 3, 3, 2]], [N, 4], "int32");
 * stockCaptioningLoss(tf.ones([N, D]), captions, params, { cellType: "rnn" }).print(); // 5 ln 5 / 2
 * ```
 */
export function stockCaptioningLoss(
  features: tf.Tensor,
  captions: tf.Tensor,
  p: CaptioningParams,
  opts: StockLossOptions,
): tf.Scalar {
  return tf.tidy(() => {
    const [N, T1] = captions.shape as number[], T = T1 - 1, V = p.b_vocab.shape[0];
    const input = captions.slice([0, 0], [N, T]), target = captions.slice([0, 1], [N, T]);
    const mask = tf.notEqual(target, opts.nullToken ?? 0).cast("float32"); // [N,T]
    const h0 = features.matMul(p.W_proj).add(p.b_proj);
    const x = opts.embedding === "ours" // [N,T,Wd]
      ? wordEmbeddingCore(input as tf.Tensor2D, p.W_embed)
      : tf.gather(p.W_embed, input);
    const hs = stockSequence(opts.cellType, x, h0, p.Wx, p.Wh, p.b); // [N,T,H]
    const H = hs.shape[2] as number;
    const scores = hs.reshape([N * T, H]).matMul(p.W_vocab).add(p.b_vocab); // [N·T,V]
    const picked = tf.logSoftmax(scores).mul(tf.oneHot(target.reshape([N * T]), V).cast("float32"));
    return picked.sum(1).mul(mask.reshape([N * T])).sum().div(-N) as tf.Scalar;
  });
}
