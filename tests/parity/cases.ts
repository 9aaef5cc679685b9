/**
 * The backend-parity cases and their runner, shared by Deno (`parity.ts`) and the Chromium page
 * (`page.ts`): every case is run on each backend and compared with the float64 oracles
 * (`reference.ts` of each op folder in `packages/ops/`, and `packages/rnn/reference.ts`), forward
 * and every gradient.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  ABC_GRADIENTS,
  abcActivation,
  abcConv2d,
  adamUpdate,
  type BackendName,
  filt,
  full,
  matMul,
  maxPool,
  setBackend,
  valid,
} from "@convgrad/ops";
import * as R from "@convgrad/ops/reference";
import * as A from "@convgrad/ops/abc-reference";
import * as P from "@convgrad/ops/pool-reference";
import { adamRef } from "@convgrad/ops/adam-reference";
import * as M64 from "@convgrad/ops/matmul-reference";
import {
  captioningLoss,
  type CaptioningParams,
  lstmSequence,
  lstmStep,
  rnnSequence,
  rnnStep,
  temporalAffine,
  temporalSoftmaxLoss,
  wordEmbedding,
} from "@convgrad/rnn";
import * as RR from "@convgrad/rnn/reference";
import { errors } from "@convgrad/base/compare";
import { textTable } from "@convgrad/base";
import { stockCases } from "./stock_cases.ts";

/**
 * One op on one set of inputs. `oracle` and `run` return the same output names (`y`, `dX`, ...);
 * the oracle is computed once and shared by all backends.
 */
export interface ParityCase {
  /** The op, e.g. `filt`. */
  op: string;
  /** Shapes and options, e.g. `x[2,3,7,6] k[4,3,3,3] s[1,1] p[0,0]`. */
  label: string;
  /** Largest accepted max-abs error relative to the oracle's largest magnitude. */
  tolerance: number;
  /** The expected outputs in float64. */
  oracle(): Record<string, Float64Array>;
  /** The outputs on the active backend; the runner disposes them. */
  run(): Record<string, tf.Tensor>;
}

/** One line of the parity table. */
export interface ParityRow {
  /** Op and output: `filt`, `filt dX`, `filt dK`. */
  op: string;
  case: string;
  /** Where it ran: `deno/wasm`, `chromium/webgl`, ... */
  backend: string;
  abs: number;
  rel: number;
  pass: boolean;
}

type Shape = [number, number, number, number];

/** Deterministic values in [-1, 1): an LCG, so every backend and both runtimes see the same data. */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const f64 = (data: Float32Array, shape: Shape): R.Array4 => ({
  data: Float64Array.from(data),
  shape,
});

interface ConvShape {
  x: Shape;
  k: Shape;
  stride?: [number, number];
  pad?: [number, number];
  /** Relative tolerance against the oracle; 1e-5 unless set. */
  tolerance?: number;
  /** dY as behind a 2x2 max-pool: in each 2x2 window all but one entry exactly 0. */
  pooledDy?: boolean;
}

/** `dy` [N,F,Ho,Wo] with all but one entry (picked by the LCG) of each 2x2 window set to 0. */
function pooled(dy: Float32Array, [N, F, Ho, Wo]: number[], seed: number): Float32Array {
  const keep = values(N * F * Ho * Wo, seed);
  return dy.map((v, at) => {
    const j = at % Wo, i = Math.floor(at / Wo) % Ho;
    const corner = at - (i % 2) * Wo - (j % 2); // the window's top-left entry
    return (i % 2) * 2 + (j % 2) === Math.floor((keep[corner] + 1) * 2) ? v : 0;
  });
}

/**
 * Small shapes (WebGL runs on SwiftShader in CI) chosen for the edges of each kernel: odd sizes
 * (half-filled packed texels), strides that skip input rows, odd and over-large padding, 1x1 and
 * image-sized kernels, the MNIST 7x7 layer, one input channel with 8 and 16 filters (wasm's
 * direct forward pass, `filt_direct.wat`, and dK from X and the nonzeros of dY, `dk_direct.wat`,
 * also with dY as a 2x2 max-pool leaves it: 3 of 4 entries zero), and enough channels for real
 * sums. The last two take wasm's Winograd F(4x4, 3x3) backward path, whose float32 rounding is a
 * few times larger, and the last (128 output tiles) its forward path too.
 */
const CONV_SHAPES: ConvShape[] = [
  { x: [2, 3, 7, 6], k: [4, 3, 3, 3] },
  { x: [2, 2, 8, 7], k: [3, 2, 3, 2], stride: [2, 2], pad: [1, 1] },
  { x: [1, 3, 9, 8], k: [2, 3, 3, 3], stride: [2, 3], pad: [2, 0] },
  { x: [3, 1, 6, 6], k: [2, 1, 1, 1] },
  { x: [1, 2, 5, 5], k: [2, 2, 5, 5], pad: [1, 2] },
  { x: [2, 2, 6, 5], k: [3, 2, 3, 3], pad: [4, 1] },
  { x: [2, 1, 14, 14], k: [4, 1, 7, 7], stride: [3, 3], pad: [3, 3] },
  { x: [3, 1, 11, 10], k: [8, 1, 5, 4], stride: [2, 1], pad: [1, 2] },
  { x: [4, 1, 16, 16], k: [16, 1, 7, 7] },
  { x: [2, 1, 16, 16], k: [8, 1, 7, 7], pooledDy: true },
  { x: [4, 8, 12, 12], k: [8, 8, 3, 3], pad: [1, 1] },
  { x: [16, 32, 10, 9], k: [16, 32, 3, 3], pad: [1, 0], tolerance: 2e-5 },
  { x: [8, 32, 16, 16], k: [32, 32, 3, 3], pad: [1, 1], tolerance: 2e-5 },
];

type Op = (x: tf.Tensor4D, k: tf.Tensor4D, o: R.RefOptions) => tf.Tensor4D;
type GradRef = (
  x: R.Array4,
  k: R.Array4,
  dy: R.Array4,
  o: R.RefOptions,
) => { dx: R.Array4; dk: R.Array4 };

const CONV_OPS: { op: string; strided: boolean; f: Op; ref: typeof R.filtRef; grad: GradRef }[] = [
  { op: "filt", strided: true, f: filt, ref: R.filtRef, grad: R.filtGradRef },
  { op: "valid", strided: true, f: valid, ref: R.validRef, grad: R.validGradRef },
  {
    op: "full",
    strided: false,
    f: (x, k) => full(x, k),
    ref: (x, k) => R.fullRef(x, k),
    grad: (x, k, dy) => R.fullGradRef(x, k, dy),
  },
];

/** filt, valid and full on every shape (full takes no stride or padding, so fewer shapes). */
function convCases(): ParityCase[] {
  const cases: ParityCase[] = [];
  for (const { op, strided, f, ref, grad } of CONV_OPS) {
    const seen = new Set<string>();
    CONV_SHAPES.forEach((s, i) => {
      const opts: R.RefOptions = strided ? { stride: s.stride, pad: s.pad } : {};
      const label = `x[${s.x}] k[${s.k}]` +
        (strided ? ` s[${s.stride ?? [1, 1]}] p[${s.pad ?? [0, 0]}]` : "") +
        (s.pooledDy ? " dY pooled" : "");
      if (seen.has(label)) return;
      seen.add(label);
      const x = values(size(s.x), 10 * i + 1), k = values(size(s.k), 10 * i + 2);
      const yShape = ref(f64(x, s.x), f64(k, s.k), opts).shape;
      const dy0 = values(size(yShape), 10 * i + 3);
      const dy = s.pooledDy ? pooled(dy0, yShape, 10 * i + 4) : dy0;
      cases.push({
        op,
        label,
        tolerance: s.tolerance ?? 1e-5,
        oracle: () => {
          const X = f64(x, s.x), K = f64(k, s.k);
          const g = grad(X, K, f64(dy, yShape), opts);
          return { y: ref(X, K, opts).data, dX: g.dx.data, dK: g.dk.data };
        },
        run: () => {
          const xt = tf.tensor4d(x, s.x), kt = tf.tensor4d(k, s.k);
          const [dX, dK] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            f(a as tf.Tensor4D, b as tf.Tensor4D, opts)
          )(
            [xt, kt],
            tf.tensor4d(dy, yShape),
          );
          return { y: f(xt, kt, opts), dX, dK };
        },
      });
    });
  }
  return cases;
}

/**
 * The ABC-Net binarized conv under each gradient rule (y, dX, dW; M = 1, 3, 5, stride 2, pad 1,
 * and a rank-deficient M = 8 on a tiny kernel whose bases coincide) and its activation bases
 * (y, dR, dv, dβ, with R + v landing exactly on 0, 0.5 and 1). Oracle: the float64 ABC reference
 * (`packages/ops/abc/reference.ts`) composed with the conv reference.
 */
function abcCases(): ParityCase[] {
  const cases: ParityCase[] = [];
  const shapes: { x: Shape; w: Shape; M: number; opts: R.RefOptions }[] = [
    ...[1, 3, 5].map((M) => ({
      x: [2, 2, 9, 8] as Shape,
      w: [3, 2, 3, 3] as Shape,
      M,
      opts: { stride: [2, 2], pad: [1, 1] } as R.RefOptions,
    })),
    { x: [1, 2, 4, 4], w: [1, 2, 2, 2], M: 8, opts: {} },
  ];
  for (const gradient of ABC_GRADIENTS) {
    shapes.forEach((s, i) => {
      const x = values(size(s.x), 100 + i), w = values(size(s.w), 200 + i);
      const what = A.abcWeightsRef(w, s.M);
      const yShape = R.filtRef(f64(x, s.x), { data: what, shape: s.w }, s.opts).shape;
      const dy = values(size(yShape), 300 + i);
      cases.push({
        op: `abcConv2d ${gradient}`,
        label: `x[${s.x}] w[${s.w}] M=${s.M} s[${s.opts.stride ?? [1, 1]}] p[${
          s.opts.pad ?? [0, 0]
        }]`,
        tolerance: 1e-5,
        oracle: () => {
          const X = f64(x, s.x), W = { data: what, shape: s.w };
          const g = R.filtGradRef(X, W, f64(dy, yShape), s.opts);
          const dW = A.abcWeightGradRef(w, g.dk.data, s.M, gradient);
          return { y: R.filtRef(X, W, s.opts).data, dX: g.dx.data, dW };
        },
        run: () => {
          const xt = tf.tensor4d(x, s.x), wt = tf.tensor4d(w, s.w);
          const opts = { M: s.M, gradient, ...s.opts };
          const [dX, dW] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            abcConv2d(a as tf.Tensor4D, b as tf.Tensor4D, opts)
          )([xt, wt], tf.tensor4d(dy, yShape));
          return { y: abcConv2d(xt, wt, opts), dX, dW };
        },
      });
    });
  }
  // R + v on the clip range's ends and on the threshold: 0.25 + (−0.25) = 0, 0.75 + (−0.25) = 0.5.
  const r = Float32Array.from([...values(40, 400), 0.25, 0.75, 1.25, -0.5]);
  const v = Float32Array.of(-0.25, 0, 0.25), beta = Float32Array.of(0.5, 1.5, -0.75);
  const dy = values(r.length, 401);
  cases.push({
    op: "abcActivation",
    label: `r[${r.length}] N=3`,
    tolerance: 1e-5,
    oracle: () => {
      const g = A.abcActivationGradRef(r, v, beta, dy);
      return { y: A.abcActivationRef(r, v, beta), dR: g.dr, dv: g.dv, dbeta: g.dbeta };
    },
    run: () => {
      const rt = tf.tensor1d(r), vt = tf.tensor1d(v), bt = tf.tensor1d(beta);
      const [dR, dv, dbeta] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        abcActivation(a, b as tf.Tensor1D, c as tf.Tensor1D)
      )([rt, vt, bt], tf.tensor1d(dy));
      return { y: abcActivation(rt, vt, bt), dR, dv, dbeta };
    },
  });
  return cases;
}

/** Float64 view of `values(n, seed)` with a shape, for the rnn oracle. */
const arr = (data: Float32Array, shape: number[]): RR.Arr => ({
  data: Float64Array.from(data),
  shape,
});

/** Deterministic token ids in `[0, V)`. */
const ids = (n: number, V: number, seed: number) =>
  Array.from(values(n, seed), (v) => Math.min(V - 1, Math.floor(((v + 1) / 2) * V)));

/**
 * The recurrent ops of `@convgrad/rnn` (forward and every gradient, against the float64 oracle
 * `packages/rnn/reference.ts`): temporal affine, masked temporal softmax loss (scores up to 50,
 * so an unshifted exp would lose digits), word embedding with repeated words, RNN and LSTM
 * steps and sequences (T = 1 and 7), and the whole captioning loss for both cells.
 */
function rnnCases(): ParityCase[] {
  const cases: ParityCase[] = [];
  const [N, T, D, M, V] = [3, 5, 4, 6, 7];
  {
    const x = values(N * T * D, 501), w = values(D * M, 502), b = values(M, 503);
    const dy = values(N * T * M, 504);
    cases.push({
      op: "temporalAffine",
      label: `x[${N},${T},${D}] w[${D},${M}]`,
      tolerance: 1e-5,
      oracle: () => {
        const [X, W, B] = [arr(x, [N, T, D]), arr(w, [D, M]), arr(b, [M])];
        const g = RR.temporalAffineGradRef(X, W, arr(dy, [N, T, M]));
        return {
          y: RR.temporalAffineRef(X, W, B).data,
          dx: g.dx.data,
          dw: g.dw.data,
          db: g.db.data,
        };
      },
      run: () => {
        const xs = [tf.tensor3d(x, [N, T, D]), tf.tensor2d(w, [D, M]), tf.tensor1d(b)];
        const f = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
          temporalAffine(x as tf.Tensor3D, w as tf.Tensor2D, b as tf.Tensor1D);
        const [dx, dw, db] = tf.grads(f)(xs, tf.tensor3d(dy, [N, T, M]));
        return { y: f(xs[0], xs[1], xs[2]), dx, dw, db };
      },
    });
  }
  {
    const x = values(N * T * V, 511).map((v) => 50 * v), y = ids(N * T, V, 512);
    const mask = Array.from(values(N * T, 513), (v) => v > -0.5);
    cases.push({
      op: "temporalSoftmaxLoss",
      label: `x[${N},${T},${V}]·50 masked`,
      tolerance: 1e-5,
      oracle: () => {
        const r = RR.temporalSoftmaxLossRef(arr(x, [N, T, V]), y, mask);
        return { y: Float64Array.of(r.loss), dx: r.dx.data };
      },
      run: () => {
        const yt = tf.tensor2d(y, [N, T], "int32"), m = tf.tensor2d(mask, [N, T], "bool");
        const f = (x: tf.Tensor) => temporalSoftmaxLoss(x as tf.Tensor3D, yt, m);
        const xt = tf.tensor3d(x, [N, T, V]);
        return { y: f(xt), dx: tf.grad(f)(xt) };
      },
    });
  }
  {
    const x = ids(N * T, 4, 521), W = values(4 * D, 522), dy = values(N * T * D, 523);
    cases.push({
      op: "wordEmbedding",
      label: `x[${N},${T}] W[4,${D}] (repeats)`,
      tolerance: 1e-5,
      oracle: () => ({
        y: RR.wordEmbeddingRef(x, [N, T], arr(W, [4, D])).data,
        dW: RR.wordEmbeddingGradRef(x, [4, D], arr(dy, [N, T, D])).data,
      }),
      run: () => {
        const xt = tf.tensor2d(x, [N, T], "int32"), Wt = tf.tensor2d(W, [4, D]);
        const f = (W: tf.Tensor) => wordEmbedding(xt, W as tf.Tensor2D);
        return { y: f(Wt), dW: tf.grad(f)(Wt, tf.tensor3d(dy, [N, T, D])) };
      },
    });
  }
  const H = 5;
  for (const cell of ["rnn", "lstm"] as const) {
    const G = cell === "rnn" ? H : 4 * H;
    for (const steps of [1, 7]) {
      const seq = steps > 1, s = 530 + 10 * steps + (cell === "lstm" ? 100 : 0);
      const x = values(N * steps * D, s), h0 = values(N * H, s + 1), c0 = values(N * H, s + 2);
      const Wx = values(D * G, s + 3).map((v) => v / 2),
        Wh = values(H * G, s + 4).map((v) => v / 2);
      const b = values(G, s + 5), dh = values(N * steps * H, s + 6), dc = values(N * H, s + 7);
      const op = `${cell}${seq ? "Sequence" : "Step"}`;
      cases.push({
        op,
        label: `x[${N},${seq ? `${steps},` : ""}${D}] H=${H}`,
        tolerance: 1e-5,
        oracle: () => {
          const X = arr(x, [N, steps, D]), H0 = arr(h0, [N, H]), DH = arr(dh, [N, steps, H]);
          const [WX, WH, B] = [arr(Wx, [D, G]), arr(Wh, [H, G]), arr(b, [G])];
          if (cell === "rnn") {
            const g = RR.rnnSequenceGradRef(X, H0, WX, WH, B, DH);
            const y = RR.rnnSequenceRef(X, H0, WX, WH, B).data;
            return {
              y,
              dx: g.dx.data,
              dh0: g.dh0.data,
              dWx: g.dWx.data,
              dWh: g.dWh.data,
              db: g.db.data,
            };
          }
          // The step also starts from c0 and has c as a second output; the sequence from zeros.
          const C0 = seq ? undefined : arr(c0, [N, H]), DC = seq ? undefined : arr(dc, [N, H]);
          const f = RR.lstmSequenceRef(X, H0, WX, WH, B, C0);
          const g = RR.lstmSequenceGradRef(X, H0, WX, WH, B, DH, C0, DC);
          return {
            y: f.h.data,
            ...(seq ? {} : { c: f.c.data, dc0: g.dc0!.data }),
            dx: g.dx.data,
            dh0: g.dh0.data,
            dWx: g.dWx.data,
            dWh: g.dWh.data,
            db: g.db.data,
          };
        },
        run: (): Record<string, tf.Tensor> => {
          const xt = seq ? tf.tensor3d(x, [N, steps, D]) : tf.tensor2d(x, [N, D]);
          const ts = [
            xt,
            tf.tensor2d(h0, [N, H]),
            tf.tensor2d(Wx, [D, G]),
            tf.tensor2d(Wh, [H, G]),
            tf.tensor1d(b),
          ];
          const dy = seq ? tf.tensor3d(dh, [N, steps, H]) : tf.tensor2d(dh, [N, H]);
          type T2 = tf.Tensor2D;
          if (cell === "rnn") {
            const f = (x: tf.Tensor, h: tf.Tensor, wx: tf.Tensor, wh: tf.Tensor, b: tf.Tensor) =>
              seq
                ? rnnSequence(x as tf.Tensor3D, h as T2, wx as T2, wh as T2, b as tf.Tensor1D)
                : rnnStep(x as T2, h as T2, wx as T2, wh as T2, b as tf.Tensor1D);
            const [dx, dh0, dWx, dWh, db] = tf.grads(f)(ts, dy);
            return { y: f(ts[0], ts[1], ts[2], ts[3], ts[4]), dx, dh0, dWx, dWh, db };
          }
          if (seq) {
            const f = (x: tf.Tensor, h: tf.Tensor, wx: tf.Tensor, wh: tf.Tensor, b: tf.Tensor) =>
              lstmSequence(x as tf.Tensor3D, h as T2, wx as T2, wh as T2, b as tf.Tensor1D);
            const [dx, dh0, dWx, dWh, db] = tf.grads(f)(ts, dy);
            return { y: f(ts[0], ts[1], ts[2], ts[3], ts[4]), dx, dh0, dWx, dWh, db };
          }
          // Both outputs weighted by their upstream gradients in one scalar.
          const c0t = tf.tensor2d(c0, [N, H]), dct = tf.tensor2d(dc, [N, H]);
          const f = (
            x: tf.Tensor,
            h: tf.Tensor,
            c: tf.Tensor,
            wx: tf.Tensor,
            wh: tf.Tensor,
            b: tf.Tensor,
          ) => lstmStep(x as T2, h as T2, c as T2, wx as T2, wh as T2, b as tf.Tensor1D);
          const [dx, dh0, dc0, dWx, dWh, db] = tf.grads(
            (
              x: tf.Tensor,
              h: tf.Tensor,
              c: tf.Tensor,
              wx: tf.Tensor,
              wh: tf.Tensor,
              b: tf.Tensor,
            ) => {
              const o = f(x, h, c, wx, wh, b);
              return o.h.mul(dy).sum().add(o.c.mul(dct).sum());
            },
          )([ts[0], ts[1], c0t, ts[2], ts[3], ts[4]]);
          const o = f(ts[0], ts[1], c0t, ts[2], ts[3], ts[4]);
          return { y: o.h, c: o.c, dc0, dx, dh0, dWx, dWh, db };
        },
      });
    }
    // The whole captioner: loss and every parameter's gradient.
    const [Wd, Vc, T1] = [3, 6, 6];
    const shapes: Record<keyof RR.CaptioningParamsRef, number[]> = {
      W_proj: [D, H],
      b_proj: [H],
      W_embed: [Vc, Wd],
      Wx: [Wd, G],
      Wh: [H, G],
      b: [G],
      W_vocab: [H, Vc],
      b_vocab: [Vc],
    };
    const names = Object.keys(shapes) as (keyof RR.CaptioningParamsRef)[];
    const p = names.map((k, i) => values(size(shapes[k]), 600 + i).map((v) => v / 2));
    const features = values(N * D, 620);
    const caps = ids(N * T1, Vc, 621); // token 0 is <NULL>: those targets are masked
    cases.push({
      op: `captioningLoss ${cell}`,
      label: `N=${N} D=${D} Wd=${Wd} H=${H} V=${Vc} T=${T1 - 1}`,
      tolerance: 1e-5,
      oracle: () => {
        const params = Object.fromEntries(names.map((k, i) => [k, arr(p[i], shapes[k])]));
        const r = RR.captioningLossRef(
          arr(features, [N, D]),
          caps,
          [N, T1],
          params as unknown as RR.CaptioningParamsRef,
          cell,
        );
        return {
          y: Float64Array.of(r.loss),
          ...Object.fromEntries(names.map((k) => [`d${k}`, r.grads[k].data])),
        };
      },
      run: () => {
        const f = tf.tensor2d(features, [N, D]), c = tf.tensor2d(caps, [N, T1], "int32");
        const loss = (...ps: tf.Tensor[]) =>
          captioningLoss(
            f,
            c,
            Object.fromEntries(names.map((k, i) => [k, ps[i]])) as unknown as CaptioningParams,
            { cellType: cell },
          );
        const ts = names.map((k, i) => tf.tensor(p[i], shapes[k]));
        const { value, grads } = tf.valueAndGrads(loss)(ts);
        return { y: value, ...Object.fromEntries(names.map((k, i) => [`d${k}`, grads[i]])) };
      },
    });
  }
  return cases;
}

/**
 * maxPool (y, dX): 2x2 windows, which wasm runs with SIMD four at a time (Wo of 11 overlaps a
 * row's last step), leftover rows and columns no window covers, 3x3 and 1x1 windows, and the
 * MNIST CNN's pooling layer. The LCG's values have no ties, so the first maximum is the maximum.
 */
function poolCases(): ParityCase[] {
  const shapes: [Shape, number][] = [
    [[2, 3, 9, 8], 2],
    [[1, 2, 10, 22], 2],
    [[1, 2, 7, 7], 3],
    [[1, 1, 4, 4], 1],
    [[2, 32, 22, 22], 2],
  ];
  return shapes.map(([shape, k], i) => {
    const x = values(size(shape), 500 + i);
    const yShape = P.maxPoolRef(f64(x, shape), k).shape;
    const dy = values(size(yShape), 600 + i);
    return {
      op: "maxPool",
      label: `x[${shape}] k=${k}`,
      tolerance: 0,
      oracle: () => ({
        y: P.maxPoolRef(f64(x, shape), k).data,
        dX: P.maxPoolGradRef(f64(x, shape), f64(dy, yShape), k).data,
      }),
      run: () => {
        const xt = tf.tensor4d(x, shape);
        const dX = tf.grad((a: tf.Tensor) => maxPool(a as tf.Tensor4D, k))(
          xt,
          tf.tensor4d(dy, yShape),
        );
        return { y: maxPool(xt, k), dX };
      },
    };
  });
}

/**
 * The matrix product and its gradient (c, dA, dB) under each pair of transpose flags, on the
 * GEMM's 6x8 tile moved back at both edges ([9,37]·[37,13]), a dense layer of the MNIST CNN at a
 * batch of 10 ([10,968]·[968,100]), and matrices below the tile (stock `BatchMatMul` on wasm).
 * Oracle: `packages/ops/matmul/reference.ts`.
 */
function matMulCases(): ParityCase[] {
  const cases: ParityCase[] = [];
  const shapes: [number, number, number][] = [[9, 37, 13], [10, 968, 100], [3, 5, 6]];
  shapes.forEach(([M, K, N], i) => {
    for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]]) {
      const seed = 800 + 10 * i + (tA ? 2 : 0) + (tB ? 1 : 0);
      const aShape = tA ? [K, M] : [M, K], bShape = tB ? [N, K] : [K, N];
      const a = values(M * K, seed), b = values(K * N, seed + 4), dc = values(M * N, seed + 8);
      const m64 = (data: Float32Array, [rows, cols]: number[]) => ({
        data: Float64Array.from(data),
        rows,
        cols,
      });
      cases.push({
        op: "matMul",
        label: `[${M},${K}]·[${K},${N}]${tA ? " Aᵀ" : ""}${tB ? " Bᵀ" : ""}`,
        tolerance: 1e-5,
        oracle: () => {
          const A = m64(a, aShape), B = m64(b, bShape);
          const g = M64.matMulGradRef(A, B, m64(dc, [M, N]), tA, tB);
          return { y: M64.matMulRef(A, B, tA, tB).data, dA: g.da.data, dB: g.db.data };
        },
        run: () => {
          const at = tf.tensor2d(a, aShape as [number, number]);
          const bt = tf.tensor2d(b, bShape as [number, number]);
          const opts = { transposeA: tA, transposeB: tB };
          const [dA, dB] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
            matMul(x as tf.Tensor2D, y as tf.Tensor2D, opts)
          )([at, bt], tf.tensor2d(dc, [M, N]));
          return { y: matMul(at, bt, opts), dA, dB };
        },
      });
    }
  });
  return cases;
}

/**
 * The fused Adam step (x', m', v') at step 1 and step 50, on 1031 values (SIMD lanes and a scalar
 * tail); the backends without the fused kernel (webgl) run the stock optimizer's kernels.
 */
function adamCases(): ParityCase[] {
  const f64s = (a: Float32Array) => Float64Array.from(a);
  return [1, 50].map((t, i) => {
    const n = 1031, [x, m, g] = [0, 1, 2].map((j) => values(n, 700 + 10 * i + j));
    const v = values(n, 703 + 10 * i).map(Math.abs);
    const opts = {
      learningRate: 1e-3,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-7,
      accBeta1: 0.9 ** t,
      accBeta2: 0.999 ** t,
    };
    return {
      op: "adamUpdate",
      label: `n=${n} t=${t}`,
      tolerance: 1e-5,
      oracle: () => {
        const r = adamRef(f64s(x), f64s(m), f64s(v), f64s(g), opts);
        return { "x'": r.x, "m'": r.m, "v'": r.v };
      },
      run: () => {
        const [x1, m1, v1] = adamUpdate(
          tf.tensor1d(x),
          tf.tensor1d(m),
          tf.tensor1d(v),
          tf.tensor1d(g),
          opts,
        );
        return { "x'": x1, "m'": m1, "v'": v1 };
      },
    };
  });
}

/**
 * Every parity case. An op family that gains kernels (the ABC-Net binarized conv, for one) adds
 * its case list here, and runs on every backend in Deno and Chromium from then on.
 *
 * @example
 * ```ts
 * import { parityCases } from "./cases.ts";
 * console.log(parityCases().length);
 * ```
 */
export function parityCases(): ParityCase[] {
  return [
    ...convCases(),
    ...abcCases(),
    ...poolCases(),
    ...matMulCases(),
    ...adamCases(),
    ...stockCases(),
    ...rnnCases(),
  ];
}

/**
 * Runs `cases` on each backend (activated with the ops' `setBackend`, which throws if a backend
 * does not come up) and compares with the oracle. `where` prefixes the backend column.
 *
 * @example
 * ```ts
 * import { parityCases, runParity } from "./cases.ts";
 * const rows = await runParity(["cpu"], "deno", parityCases());
 * console.log(rows.every((r) => r.pass));
 * ```
 */
export async function runParity(
  backends: readonly BackendName[],
  where: string,
  cases: readonly ParityCase[] = parityCases(),
  onProgress: (line: string) => void = () => {},
): Promise<ParityRow[]> {
  const oracles = cases.map((c) => c.oracle());
  const rows: ParityRow[] = [];
  for (const backend of backends) {
    await setBackend(backend);
    if (tf.getBackend() !== backend) {
      throw new Error(`parity: asked for '${backend}', TF.js runs '${tf.getBackend()}'`);
    }
    const t0 = performance.now();
    cases.forEach((c, i) => {
      tf.tidy(() => {
        const out = c.run();
        for (const [name, expected] of Object.entries(oracles[i])) {
          const actual = out[name];
          if (actual === undefined) throw new Error(`parity: ${c.op} ${c.label} has no '${name}'`);
          const e = errors(actual, expected);
          rows.push({
            op: name === "y" ? c.op : `${c.op} ${name}`,
            case: c.label,
            backend: `${where}/${backend}`,
            abs: e.abs,
            rel: e.rel,
            pass: e.rel <= c.tolerance,
          });
        }
      });
    });
    onProgress(
      `parity: ${where}/${backend}: ${cases.length} cases in ${
        ((performance.now() - t0) / 1000).toFixed(1)
      } s`,
    );
  }
  return rows;
}

/**
 * The table printed by `deno task parity`: op, case, backend, max abs error, max rel error,
 * pass/fail.
 *
 * @example
 * ```ts
 * import { formatTable } from "./cases.ts";
 * console.log(formatTable([
 *   { op: "filt", case: "x[1,1,3,3] k[1,1,2,2]", backend: "deno/cpu", abs: 0, rel: 0, pass: true },
 * ]));
 * ```
 */
export function formatTable(rows: readonly ParityRow[]): string {
  const head = ["op", "case", "backend", "max abs err", "max rel err", "result"];
  const body = rows.map((r) => [
    r.op,
    r.case,
    r.backend,
    r.abs.toExponential(2),
    r.rel.toExponential(2),
    r.pass ? "pass" : "FAIL",
  ]);
  return textTable(head, body);
}
