/**
 * Parity cases for stock TF.js ops whose wasm kernels `@convgrad/ops` supplies or replaces
 * (`packages/ops/stock/`): `tf.conv2d`, `tf.depthwiseConv2d`, `tf.maxPool` with their gradients
 * over every padding mode ('same', 'valid', a number, explicit pairs) and strides that skip rows;
 * `tf.unsortedSegmentSum`, `tf.gather`'s gradient and `tf.tile`. On stock `cpu` and `webgl` these rows
 * check stock's own kernels against the same float64 oracle (`@convgrad/ops/stock-reference`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ParityCase } from "./cases.ts";
import {
  conv2dRef,
  depthwiseRef,
  maxPoolRef,
  segmentSumRef,
  stockGeometry,
  type StockPad,
  tileRef,
} from "@convgrad/ops/stock-reference";
import { createRng } from "@convgrad/base";

type S4 = [number, number, number, number];

interface ConvCase {
  x: S4;
  /** [kh,kw,C,F] for conv2d, [kh,kw,C,multiplier] for depthwise. */
  w: S4;
  s: [number, number];
  pad: StockPad;
}

/** conv2d: few and many taps (the two GEMM orientations), 1x1 layers, every padding mode. */
const CONV: ConvCase[] = [
  { x: [2, 7, 6, 3], w: [3, 3, 3, 4], s: [1, 1], pad: "same" },
  { x: [2, 8, 7, 2], w: [3, 2, 2, 16], s: [2, 2], pad: "same" },
  { x: [2, 7, 6, 2], w: [3, 3, 2, 20], s: [1, 1], pad: "same" },
  { x: [1, 9, 8, 3], w: [3, 3, 3, 2], s: [2, 3], pad: "valid" },
  { x: [2, 6, 5, 8], w: [1, 1, 8, 3], s: [1, 1], pad: "valid" },
  { x: [2, 9, 9, 6], w: [1, 1, 6, 4], s: [2, 2], pad: "same" },
  { x: [1, 5, 5, 2], w: [5, 5, 2, 2], s: [1, 1], pad: [[0, 0], [1, 2], [2, 0], [0, 0]] },
  { x: [2, 6, 5, 2], w: [3, 3, 2, 3], s: [2, 2], pad: 1 },
  { x: [2, 10, 10, 16], w: [3, 3, 16, 8], s: [1, 1], pad: "same" },
];

/**
 * depthwise: multipliers 1-3, strides per axis, asymmetric 'same', explicit and numeric pads;
 * multiplier 1 with channels in fours takes the SIMD walk on wasm.
 */
const DEPTHWISE: ConvCase[] = [
  { x: [2, 7, 6, 3], w: [3, 3, 3, 1], s: [1, 1], pad: "same" },
  { x: [2, 8, 7, 4], w: [3, 3, 4, 2], s: [2, 2], pad: "same" },
  { x: [1, 9, 8, 2], w: [5, 3, 2, 3], s: [2, 1], pad: "valid" },
  { x: [1, 5, 5, 3], w: [3, 3, 3, 1], s: [1, 1], pad: [[0, 0], [2, 0], [1, 1], [0, 0]] },
  { x: [2, 6, 6, 4], w: [3, 3, 4, 1], s: [2, 2], pad: 1 },
  { x: [2, 12, 12, 16], w: [3, 3, 16, 1], s: [1, 1], pad: "same" },
  { x: [2, 9, 10, 8], w: [3, 3, 8, 1], s: [2, 2], pad: "same" },
  { x: [1, 5, 5, 4], w: [3, 3, 4, 1], s: [1, 1], pad: [[0, 0], [2, 0], [1, 1], [0, 0]] },
];

/** maxPool: non-overlapping, overlapping, padded; inputs all negative (stock wasm's bad case). */
const POOL: { x: S4; k: [number, number]; s: [number, number]; pad: StockPad }[] = [
  { x: [2, 6, 6, 3], k: [2, 2], s: [2, 2], pad: "valid" },
  { x: [1, 7, 7, 2], k: [3, 3], s: [2, 2], pad: "same" },
  { x: [2, 5, 6, 4], k: [3, 3], s: [1, 1], pad: "same" },
  { x: [1, 8, 7, 3], k: [3, 2], s: [2, 1], pad: "valid" },
  { x: [1, 6, 6, 2], k: [3, 3], s: [2, 2], pad: 1 },
];

/** `n` values in [-1, 1) from the shared PRNG. */
function randomValues(n: number, seed: number): Float32Array {
  const rand = createRng(seed);
  return Float32Array.from({ length: n }, () => 2 * rand() - 1);
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Output rows and columns of a window over `x` with stock's paddings. */
function outHW(x: S4, k: [number, number], g: ReturnType<typeof stockGeometry>) {
  const { top, bottom, left, right } = g.pad;
  return [
    Math.floor((x[1] + top + bottom - k[0]) / g.stride[0]) + 1,
    Math.floor((x[2] + left + right - k[1]) / g.stride[1]) + 1,
  ];
}

function label(x: S4, w: string, s: [number, number], pad: StockPad) {
  return `x[${x}] ${w} s[${s}] ${typeof pad === "object" ? `p${JSON.stringify(pad)}` : pad}`;
}

function convCases(
  op: string,
  list: ConvCase[],
  ref: typeof conv2dRef,
  f: (x: tf.Tensor4D, w: tf.Tensor4D, s: [number, number], pad: StockPad) => tf.Tensor4D,
  seed: number,
): ParityCase[] {
  return list.map((c, i) => {
    const x = randomValues(size(c.x), seed + 10 * i),
      w = randomValues(size(c.w), seed + 10 * i + 1);
    const g = stockGeometry(c.pad, [c.x[1], c.x[2]], [c.w[0], c.w[1]], c.s);
    const F = op === "tf.conv2d" ? c.w[3] : c.w[2] * c.w[3];
    const yShape: S4 = [c.x[0], ...outHW(c.x, [c.w[0], c.w[1]], g), F] as S4;
    const dy = randomValues(size(yShape), seed + 10 * i + 2);
    return {
      op,
      label: label(c.x, `w[${c.w}]`, c.s, c.pad),
      tolerance: 1e-5,
      oracle: () => {
        const r = ref(x, c.x, w, c.w, dy, g);
        return { y: r.y, dX: r.dx, dW: r.dw };
      },
      run: () => {
        const xt = tf.tensor4d(x, c.x), wt = tf.tensor4d(w, c.w);
        const fn = (a: tf.Tensor, b: tf.Tensor) =>
          f(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad);
        const [dX, dW] = tf.grads(fn)([xt, wt], tf.tensor4d(dy, yShape));
        return { y: fn(xt, wt), dX, dW };
      },
    };
  });
}

function poolCases(): ParityCase[] {
  return POOL.map((c, i) => {
    const x = randomValues(size(c.x), 700 + i).map((v) => v - 2);
    const g = stockGeometry(c.pad, [c.x[1], c.x[2]], c.k, c.s);
    const yShape = [c.x[0], ...outHW(c.x, c.k, g), c.x[3]];
    const dy = randomValues(size(yShape), 750 + i);
    return {
      op: "tf.maxPool",
      label: label(c.x, `k[${c.k}]`, c.s, c.pad),
      tolerance: 1e-5,
      oracle: () => {
        const r = maxPoolRef(x, c.x, c.k, dy, g);
        return { y: r.y, dX: r.dx };
      },
      run: () => {
        const xt = tf.tensor4d(x, c.x);
        const fn = (a: tf.Tensor) =>
          tf.maxPool(a as tf.Tensor4D, c.k, c.s, c.pad as "same" | "valid" | number);
        return { y: fn(xt), dX: tf.grad(fn)(xt, tf.tensor(dy, yShape)) };
      },
    };
  });
}

function segmentCases(): ParityCase[] {
  const x = randomValues(9 * 4, 800), ids = [0, 3, 3, -1, 6, 1, 0, 3, 2];
  const params = randomValues(6 * 5, 801), idx = [5, 0, 5, 2, 5, 1, 0, 3];
  const dy = randomValues(idx.length * 5, 802);
  return [{
    op: "tf.unsortedSegmentSum",
    label: `x[9,4] ids[9] (one < 0, one >= n) n=5`,
    tolerance: 1e-6,
    oracle: () => ({ y: segmentSumRef(x, [9, 4], ids, 5) }),
    run: () => ({
      y: tf.unsortedSegmentSum(tf.tensor2d(x, [9, 4]), tf.tensor1d(ids, "int32"), 5),
    }),
  }, {
    op: "tf.gather",
    label: `params[6,5] indices[${idx.length}] (repeats)`,
    tolerance: 1e-6,
    oracle: () => ({ dParams: segmentSumRef(dy, [idx.length, 5], idx, 6) }),
    run: () => {
      const fn = (p: tf.Tensor) => tf.gather(p, tf.tensor1d(idx, "int32"));
      return {
        dParams: tf.grad(fn)(tf.tensor2d(params, [6, 5]), tf.tensor2d(dy, [idx.length, 5])),
      };
    },
  }];
}

/** tf.tile: batch norm's per-channel broadcast, and a pattern repeating on every axis. */
function tileCases(): ParityCase[] {
  const cases: [number[], number[]][] = [[[1, 1, 1, 6], [2, 5, 4, 1]], [[2, 3, 4], [3, 1, 2]]];
  return cases.map(([shape, reps], i) => {
    const x = randomValues(size(shape), 850 + i);
    return {
      op: "tf.tile",
      label: `x[${shape}] reps[${reps}]`,
      tolerance: 0,
      oracle: () => ({ y: tileRef(x, shape, reps) }),
      run: () => ({ y: tf.tile(tf.tensor(x, shape), reps) }),
    };
  });
}

/**
 * Every stock-op parity case.
 *
 * @example
 * ```ts
 * import { stockCases } from "./stock_cases.ts";
 * console.log(stockCases().length);
 * ```
 */
export function stockCases(): ParityCase[] {
  return [
    ...convCases("tf.conv2d", CONV, conv2dRef, (x, w, s, p) => tf.conv2d(x, w, s, p), 500),
    ...convCases(
      "tf.depthwiseConv2d",
      DEPTHWISE,
      depthwiseRef,
      (x, w, s, p) => tf.depthwiseConv2d(x, w, s, p),
      600,
    ),
    ...poolCases(),
    ...segmentCases(),
    ...tileCases(),
  ];
}
