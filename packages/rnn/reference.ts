/**
 * The float64 oracle of every op in `@convgrad/rnn`: plain loops over row-major `Float64Array`s,
 * forward and backward written out from the definitions (docs/rnn.md), independent of TF.js. Slow
 * on purpose; every op, gradient and the captioning loss are tested against it.
 *
 * @module
 */

/** A row-major float64 array and its shape. */
export interface Arr {
  data: Float64Array;
  shape: number[];
}

/** The parameters of {@linkcode captioningLossRef}, named as in `captioningLoss`. */
export interface CaptioningParamsRef {
  W_proj: Arr;
  b_proj: Arr;
  W_embed: Arr;
  Wx: Arr;
  Wh: Arr;
  b: Arr;
  W_vocab: Arr;
  b_vocab: Arr;
}

/** Gradients of a recurrent sequence: inputs, initial state and parameters. */
export interface RecurrentGradRef {
  dx: Arr;
  dh0: Arr;
  /** LSTM only: the gradient of the initial cell state. */
  dc0?: Arr;
  dWx: Arr;
  dWh: Arr;
  db: Arr;
}

/**
 * Makes an {@linkcode Arr}: zeros of `shape`, or `data` (copied to float64) with that shape.
 *
 * @example
 * ```ts
 * import { arr } from "@convgrad/rnn/reference";
 * arr([2, 3]).data.length; // 6
 * arr([2], [1, 2]).data; // Float64Array [1, 2]
 * ```
 */
export function arr(shape: number[], data?: ArrayLike<number>): Arr {
  const n = shape.reduce((a, b) => a * b, 1);
  if (data !== undefined && data.length !== n) {
    throw new RangeError(`arr: ${data.length} values do not fill shape [${shape}]`);
  }
  return { data: data === undefined ? new Float64Array(n) : Float64Array.from(data), shape };
}

/**
 * `n` evenly spaced values from `start` to `stop` inclusive, as numpy's `linspace` (how cs231n
 * fills its check's parameters).
 *
 * @example
 * ```ts
 * import { linspace } from "@convgrad/rnn/reference";
 * linspace(0, 1, 3); // Float64Array [0, 0.5, 1]
 * ```
 */
export function linspace(start: number, stop: number, n: number): Float64Array {
  const step = n > 1 ? (stop - start) / (n - 1) : 0;
  return Float64Array.from(
    { length: n },
    (_, i) => (i === n - 1 && n > 1 ? stop : start + i * step),
  );
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** c[n,m] += a[n,k]·b[k,m], with either operand read transposed. */
function gemm(
  a: Float64Array,
  b: Float64Array,
  c: Float64Array,
  n: number,
  k: number,
  m: number,
  transA = false,
  transB = false,
): void {
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < k; p++) {
      const av = transA ? a[p * n + i] : a[i * k + p];
      if (av === 0) continue;
      for (let j = 0; j < m; j++) c[i * m + j] += av * (transB ? b[j * k + p] : b[p * m + j]);
    }
  }
}

/**
 * `y[n,t] = x[n,t]·w + b`: the fully connected layer applied at every time step.
 *
 * @example
 * ```ts
 * import { arr, temporalAffineRef } from "@convgrad/rnn/reference";
 * const y = temporalAffineRef(arr([1, 1, 2], [1, 2]), arr([2, 1], [3, 4]), arr([1], [0.5]));
 * y.data; // Float64Array [11.5]
 * ```
 */
export function temporalAffineRef(x: Arr, w: Arr, b: Arr): Arr {
  const [N, T, D] = x.shape, M = w.shape[1];
  const y = arr([N, T, M]);
  for (let r = 0; r < N * T; r++) y.data.set(b.data, r * M);
  gemm(x.data, w.data, y.data, N * T, D, M);
  return y;
}

/**
 * The gradients of {@linkcode temporalAffineRef} given the upstream `dy [N,T,M]`.
 *
 * @example
 * ```ts
 * import { arr, temporalAffineGradRef } from "@convgrad/rnn/reference";
 * const g = temporalAffineGradRef(arr([1, 1, 2], [1, 2]), arr([2, 1], [3, 4]), arr([1, 1, 1], [1]));
 * g.dw.data; // Float64Array [1, 2]
 * ```
 */
export function temporalAffineGradRef(x: Arr, w: Arr, dy: Arr): { dx: Arr; dw: Arr; db: Arr } {
  const [N, T, D] = x.shape, M = w.shape[1];
  const dx = arr([N, T, D]), dw = arr([D, M]), db = arr([M]);
  gemm(dy.data, w.data, dx.data, N * T, M, D, false, true);
  gemm(x.data, dy.data, dw.data, D, N * T, M, true);
  for (let r = 0; r < N * T; r++) for (let j = 0; j < M; j++) db.data[j] += dy.data[r * M + j];
  return { dx, dw, db };
}

/**
 * The masked temporal softmax loss `−(1/N) Σ_{mask} log softmax(x[n,t])[y[n,t]]` and its gradient
 * with respect to the scores `x [N,T,V]`.
 *
 * @example
 * ```ts
 * import { arr, temporalSoftmaxLossRef } from "@convgrad/rnn/reference";
 * const { loss } = temporalSoftmaxLossRef(arr([1, 1, 2], [0, 0]), [1], [true]);
 * loss; // Math.LN2
 * ```
 */
export function temporalSoftmaxLossRef(
  x: Arr,
  y: ArrayLike<number>,
  mask: ArrayLike<boolean | number>,
): { loss: number; dx: Arr } {
  const [N, T, V] = x.shape;
  const dx = arr([N, T, V]);
  let loss = 0;
  for (let r = 0; r < N * T; r++) {
    if (!mask[r]) continue;
    const row = x.data.subarray(r * V, (r + 1) * V);
    let max = -Infinity;
    for (const v of row) max = Math.max(max, v);
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    const lse = max + Math.log(sum);
    loss -= row[y[r]] - lse;
    for (let j = 0; j < V; j++) dx.data[r * V + j] = Math.exp(row[j] - lse) / N;
    dx.data[r * V + y[r]] -= 1 / N;
  }
  return { loss: loss / N, dx };
}

/**
 * Rows of `W [V,Wd]` picked by the token ids `idx` (flat, of shape `[N,T]`): `[N,T,Wd]`.
 *
 * @example
 * ```ts
 * import { arr, wordEmbeddingRef } from "@convgrad/rnn/reference";
 * wordEmbeddingRef([1, 0], [1, 2], arr([2, 1], [5, 7])).data; // Float64Array [7, 5]
 * ```
 */
export function wordEmbeddingRef(idx: ArrayLike<number>, shape: number[], W: Arr): Arr {
  const Wd = W.shape[1], out = arr([...shape, Wd]);
  for (let r = 0; r < idx.length; r++) {
    out.data.set(W.data.subarray(idx[r] * Wd, (idx[r] + 1) * Wd), r * Wd);
  }
  return out;
}

/**
 * The gradient of {@linkcode wordEmbeddingRef} with respect to `W`: each row sums the upstream
 * gradients of every position holding its token.
 *
 * @example
 * ```ts
 * import { arr, wordEmbeddingGradRef } from "@convgrad/rnn/reference";
 * wordEmbeddingGradRef([1, 1], [2, 1], arr([1, 2, 1], [3, 4])).data; // Float64Array [0, 7]
 * ```
 */
export function wordEmbeddingGradRef(idx: ArrayLike<number>, wShape: number[], dy: Arr): Arr {
  const Wd = wShape[1], dW = arr(wShape);
  for (let r = 0; r < idx.length; r++) {
    for (let j = 0; j < Wd; j++) dW.data[idx[r] * Wd + j] += dy.data[r * Wd + j];
  }
  return dW;
}

/** Element `[n,t,:]` of a `[N,T,K]` array as a view. */
const at = (a: Arr, n: number, t: number) => {
  const [, T, K] = a.shape;
  return a.data.subarray((n * T + t) * K, (n * T + t + 1) * K);
};

/** The pre-activations `x_t·Wx + h·Wh + b` of one step, `[N,K]`. */
function preActivation(x: Arr, t: number, h: Float64Array, Wx: Arr, Wh: Arr, b: Arr) {
  const [N, , D] = x.shape, H = Wh.shape[0], K = Wx.shape[1];
  const a = new Float64Array(N * K);
  for (let n = 0; n < N; n++) {
    a.set(b.data, n * K);
    const xt = at(x, n, t);
    for (let d = 0; d < D; d++) {
      for (let k = 0; k < K; k++) a[n * K + k] += xt[d] * Wx.data[d * K + k];
    }
  }
  gemm(h, Wh.data, a, N, H, K);
  return a;
}

/**
 * The gradients of one step from `da [N,K]`: accumulates dWx, dWh, db, writes dx at time t and
 * returns the gradient of the previous hidden state.
 */
function backStep(
  da: Float64Array,
  x: Arr,
  t: number,
  hPrev: Float64Array,
  Wx: Arr,
  Wh: Arr,
  g: RecurrentGradRef,
): Float64Array {
  const [N, , D] = x.shape, H = Wh.shape[0], K = Wx.shape[1];
  for (let n = 0; n < N; n++) {
    const xt = at(x, n, t), dxt = at(g.dx, n, t);
    for (let k = 0; k < K; k++) {
      const v = da[n * K + k];
      g.db.data[k] += v;
      for (let d = 0; d < D; d++) {
        g.dWx.data[d * K + k] += xt[d] * v;
        dxt[d] += v * Wx.data[d * K + k];
      }
    }
  }
  gemm(hPrev, da, g.dWh.data, H, N, K, true);
  const dhPrev = new Float64Array(N * H);
  gemm(da, Wh.data, dhPrev, N, K, H, false, true);
  return dhPrev;
}

function gradArrays(x: Arr, h0: Arr, Wx: Arr, Wh: Arr, b: Arr): RecurrentGradRef {
  return {
    dx: arr(x.shape),
    dh0: arr(h0.shape),
    dWx: arr(Wx.shape),
    dWh: arr(Wh.shape),
    db: arr(b.shape),
  };
}

/** Copies `[N,H]` rows into time step t of a `[N,T,H]` array. */
function put(dst: Arr, t: number, src: Float64Array): void {
  const [N, , H] = dst.shape;
  for (let n = 0; n < N; n++) at(dst, n, t).set(src.subarray(n * H, (n + 1) * H));
}

/** Time step t of a `[N,T,H]` array as `[N,H]` rows. */
function take(src: Arr, t: number): Float64Array {
  const [N, , H] = src.shape, out = new Float64Array(N * H);
  for (let n = 0; n < N; n++) out.set(at(src, n, t), n * H);
  return out;
}

/**
 * The vanilla RNN over a sequence: `h_t = tanh(x_t·Wx + h_{t−1}·Wh + b)`, `x [N,T,D]`,
 * `h0 [N,H]` → `[N,T,H]`. One step is `T = 1`.
 *
 * @example
 * ```ts
 * import { arr, rnnSequenceRef } from "@convgrad/rnn/reference";
 * const h = rnnSequenceRef(arr([1, 1, 1], [1]), arr([1, 1]), arr([1, 1], [0.5]), arr([1, 1]), arr([1]));
 * h.data[0] === Math.tanh(0.5); // true
 * ```
 */
export function rnnSequenceRef(x: Arr, h0: Arr, Wx: Arr, Wh: Arr, b: Arr): Arr {
  const [N, T] = x.shape, H = Wh.shape[0];
  const hs = arr([N, T, H]);
  let h: Float64Array = h0.data;
  for (let t = 0; t < T; t++) {
    h = preActivation(x, t, h, Wx, Wh, b).map(Math.tanh);
    put(hs, t, h);
  }
  return hs;
}

/**
 * Backpropagation through time of {@linkcode rnnSequenceRef} from the upstream `dy [N,T,H]`.
 *
 * @example
 * ```ts
 * import { arr, rnnSequenceGradRef } from "@convgrad/rnn/reference";
 * const one = () => arr([1, 1], [1]);
 * const g = rnnSequenceGradRef(arr([1, 1, 1], [0]), one(), one(), one(), arr([1]), arr([1, 1, 1], [1]));
 * g.dh0.data[0]; // 1 − tanh(1)², times Wh = 1
 * ```
 */
export function rnnSequenceGradRef(
  x: Arr,
  h0: Arr,
  Wx: Arr,
  Wh: Arr,
  b: Arr,
  dy: Arr,
): RecurrentGradRef {
  const T = x.shape[1];
  const hs = rnnSequenceRef(x, h0, Wx, Wh, b), g = gradArrays(x, h0, Wx, Wh, b);
  let dNext: Float64Array = new Float64Array(h0.data.length);
  for (let t = T - 1; t >= 0; t--) {
    const h = take(hs, t), dh = take(dy, t);
    const da = h.map((v, i) => (dh[i] + dNext[i]) * (1 - v * v));
    dNext = backStep(da, x, t, t > 0 ? take(hs, t - 1) : h0.data, Wx, Wh, g);
  }
  g.dh0.data.set(dNext);
  return g;
}

/** One LSTM step's gates (i, f, o after the sigmoid, g after tanh) and new state. */
function lstmCell(a: Float64Array, cPrev: Float64Array, N: number, H: number) {
  const gates = new Float64Array(N * 4 * H),
    c = new Float64Array(N * H),
    h = new Float64Array(N * H);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      const base = n * 4 * H + j;
      const i = sigmoid(a[base]), f = sigmoid(a[base + H]), o = sigmoid(a[base + 2 * H]);
      const g = Math.tanh(a[base + 3 * H]);
      [gates[base], gates[base + H], gates[base + 2 * H], gates[base + 3 * H]] = [i, f, o, g];
      c[n * H + j] = f * cPrev[n * H + j] + i * g;
      h[n * H + j] = o * Math.tanh(c[n * H + j]);
    }
  }
  return { gates, c, h };
}

/**
 * The LSTM over a sequence (gate blocks i, f, o, g of `4H` columns): hidden states and cell
 * states, both `[N,T,H]`; the cell starts at `c0` (zeros when omitted). One step is `T = 1`.
 *
 * @example
 * ```ts
 * import { arr, lstmSequenceRef } from "@convgrad/rnn/reference";
 * const { h, c } = lstmSequenceRef(arr([1, 1, 1]), arr([1, 1]), arr([1, 4]), arr([1, 4]), arr([4]));
 * c.data[0]; // 0.5 · tanh(0) = 0
 * ```
 */
export function lstmSequenceRef(
  x: Arr,
  h0: Arr,
  Wx: Arr,
  Wh: Arr,
  b: Arr,
  c0?: Arr,
): { h: Arr; c: Arr; gates: Arr } {
  const [N, T] = x.shape, H = Wh.shape[0];
  const hs = arr([N, T, H]), cs = arr([N, T, H]), gs = arr([N, T, 4 * H]);
  let h: Float64Array = h0.data, c: Float64Array = c0?.data ?? new Float64Array(N * H);
  for (let t = 0; t < T; t++) {
    const step = lstmCell(preActivation(x, t, h, Wx, Wh, b), c, N, H);
    [h, c] = [step.h, step.c];
    put(hs, t, h);
    put(cs, t, c);
    put(gs, t, step.gates);
  }
  return { h: hs, c: cs, gates: gs };
}

/**
 * Backpropagation through time of {@linkcode lstmSequenceRef} from `dy [N,T,H]` (the hidden
 * states' gradient) and `dcLast [N,H]` (the last cell state's, for a single step's `c` output).
 *
 * @example
 * ```ts
 * import { arr, lstmSequenceGradRef } from "@convgrad/rnn/reference";
 * const g = lstmSequenceGradRef(
 *   arr([1, 1, 1], [1]), arr([1, 1]), arr([1, 4], [1, 1, 1, 1]), arr([1, 4]), arr([4]),
 *   arr([1, 1, 1], [1]),
 * );
 * g.dWx.shape; // [1, 4]
 * ```
 */
export function lstmSequenceGradRef(
  x: Arr,
  h0: Arr,
  Wx: Arr,
  Wh: Arr,
  b: Arr,
  dy: Arr,
  c0?: Arr,
  dcLast?: Arr,
): RecurrentGradRef {
  const [N, T] = x.shape, H = Wh.shape[0];
  const f = lstmSequenceRef(x, h0, Wx, Wh, b, c0), g = gradArrays(x, h0, Wx, Wh, b);
  let dhNext: Float64Array = new Float64Array(N * H);
  let dcNext = dcLast ? Float64Array.from(dcLast.data) : new Float64Array(N * H);
  for (let t = T - 1; t >= 0; t--) {
    const gates = take(f.gates, t), c = take(f.c, t), dh = take(dy, t);
    const cPrev = t > 0 ? take(f.c, t - 1) : (c0?.data ?? new Float64Array(N * H));
    const da = new Float64Array(N * 4 * H), dcPrev = new Float64Array(N * H);
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < H; j++) {
        const base = n * 4 * H + j, q = n * H + j;
        const [i, fg, o, gg] = [
          gates[base],
          gates[base + H],
          gates[base + 2 * H],
          gates[base + 3 * H],
        ];
        const tc = Math.tanh(c[q]), dhq = dh[q] + dhNext[q];
        const dc = dcNext[q] + dhq * o * (1 - tc * tc);
        da[base] = dc * gg * i * (1 - i);
        da[base + H] = dc * cPrev[q] * fg * (1 - fg);
        da[base + 2 * H] = dhq * tc * o * (1 - o);
        da[base + 3 * H] = dc * i * (1 - gg * gg);
        dcPrev[q] = dc * fg;
      }
    }
    dhNext = backStep(da, x, t, t > 0 ? take(f.h, t - 1) : h0.data, Wx, Wh, g);
    dcNext = dcPrev;
  }
  g.dh0.data.set(dhNext);
  g.dc0 = arr([N, H], dcNext);
  return g;
}

/**
 * cs231n's `CaptioningRNN.loss` in float64: inputs `captions[:, :-1]`, targets `captions[:, 1:]`,
 * positions whose target is `nullToken` masked out, `h0 = features·W_proj + b_proj`. Returns the
 * loss and the gradient of every parameter and of the features.
 *
 * @example
 * ```ts
 * import { arr, captioningLossRef } from "@convgrad/rnn/reference";
 * const [D, H, Wd, V] = [2, 3, 2, 4];
 * const p = {
 *   W_proj: arr([D, H]), b_proj: arr([H]), W_embed: arr([V, Wd]), Wx: arr([Wd, H]),
 *   Wh: arr([H, H]), b: arr([H]), W_vocab: arr([H, V]), b_vocab: arr([V]),
 * };
 * const { loss } = captioningLossRef(arr([1, D]), [1, 3, 2], [1, 3], p, "rnn");
 * loss; // 2 · ln 4: uniform scores at both targets
 * ```
 */
export function captioningLossRef(
  features: Arr,
  captions: ArrayLike<number>,
  captionsShape: number[],
  params: CaptioningParamsRef,
  cellType: "rnn" | "lstm",
  nullToken = 0,
): { loss: number; grads: Record<keyof CaptioningParamsRef | "features", Arr> } {
  const [N, D] = features.shape, [, T1] = captionsShape, T = T1 - 1, H = params.Wh.shape[0];
  const inputs: number[] = [], targets: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let t = 0; t < T; t++) {
      inputs.push(captions[n * T1 + t]);
      targets.push(captions[n * T1 + t + 1]);
    }
  }
  const h0 = temporalAffineRef(
    { data: features.data, shape: [N, 1, D] },
    params.W_proj,
    params.b_proj,
  );
  h0.shape = [N, H];
  const x = wordEmbeddingRef(inputs, [N, T], params.W_embed);
  const { Wx, Wh, b } = params;
  const hs = cellType === "rnn"
    ? rnnSequenceRef(x, h0, Wx, Wh, b)
    : lstmSequenceRef(x, h0, Wx, Wh, b).h;
  const scores = temporalAffineRef(hs, params.W_vocab, params.b_vocab);
  const { loss, dx: dScores } = temporalSoftmaxLossRef(
    scores,
    targets,
    targets.map((v) => v !== nullToken),
  );
  const vocab = temporalAffineGradRef(hs, params.W_vocab, dScores);
  const rec = cellType === "rnn"
    ? rnnSequenceGradRef(x, h0, Wx, Wh, b, vocab.dx)
    : lstmSequenceGradRef(x, h0, Wx, Wh, b, vocab.dx);
  const proj = temporalAffineGradRef(
    { data: features.data, shape: [N, 1, D] },
    params.W_proj,
    { data: rec.dh0.data, shape: [N, 1, H] },
  );
  return {
    loss,
    grads: {
      W_proj: proj.dw,
      b_proj: proj.db,
      features: { data: proj.dx.data, shape: [N, D] },
      W_embed: wordEmbeddingGradRef(inputs, params.W_embed.shape, rec.dx),
      Wx: rec.dWx,
      Wh: rec.dWh,
      b: rec.db,
      W_vocab: vocab.dw,
      b_vocab: vocab.db,
    },
  };
}
