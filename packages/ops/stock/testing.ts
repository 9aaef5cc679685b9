/**
 * What the stock kernels' tests share: deterministic inputs, and one computation run on stock
 * `cpu` and on `wasm` (with our kernels) with its outputs read back and no tensor left behind.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { setBackend } from "../backend.ts";
import { createRng } from "@convgrad/base";
import { assert, assertClose } from "@convgrad/base/testing";
import "./register.ts";
import { conv2dRef, depthwiseRef, stockGeometry, type StockPad } from "./reference.ts";

/**
 * `n` values in [-1, 1) from the shared PRNG seeded with `seed`: the same on every backend and
 * runtime.
 *
 * @example
 * ```ts
 * import { randomValues } from "./testing.ts";
 * randomValues(3, 1).length; // 3
 * ```
 */
export function randomValues(n: number, seed: number): Float32Array {
  const rand = createRng(seed);
  return Float32Array.from({ length: n }, () => 2 * rand() - 1);
}

/**
 * Runs `f` on `backend` and reads its outputs back; throws if it leaves a tensor, or any data in
 * the backend (a kernel's temporary), behind.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { runOn } from "./testing.ts";
 * const [y] = await runOn("wasm", () => [tf.ones([2]).add(1)]);
 * console.log(y); // Float32Array [2, 2]
 * ```
 */
export async function runOn(
  backend: "cpu" | "wasm",
  f: () => tf.Tensor[],
): Promise<Float32Array[]> {
  await setBackend(backend);
  // Tensors the engine knows, and data the backend holds (a kernel's own temporaries included).
  const count = () => [tf.memory().numTensors, tf.backend().numDataIds()];
  const before = count();
  const out = tf.tidy(f);
  const arrays = out.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(out);
  const after = count();
  assert(after[0] === before[0], `${backend}: ${after[0] - before[0]} tensors leaked`);
  assert(after[1] === before[1], `${backend}: ${after[1] - before[1]} backend data leaked`);
  return arrays;
}

/**
 * Runs `f` on stock `cpu` and on `wasm` and checks each named output against the float64
 * `oracle` on both, and wasm against cpu, to `tol` relative to the largest magnitude.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { checkAgainstCpu } from "./testing.ts";
 * await checkAgainstCpu("add", () => ({ y: tf.ones([2]).add(1) }), { y: [2, 2] });
 * ```
 */
export async function checkAgainstCpu(
  what: string,
  f: () => Record<string, tf.Tensor>,
  oracle: Record<string, ArrayLike<number>>,
  tol = 1e-5,
): Promise<void> {
  const names = Object.keys(oracle);
  const run = (backend: "cpu" | "wasm") =>
    runOn(backend, () => {
      const out = f();
      return names.map((n) => out[n]);
    });
  const cpu = await run("cpu"), wasm = await run("wasm");
  names.forEach((n, i) => {
    assertClose(cpu[i], oracle[n], `${what} ${n}: cpu vs oracle`, tol);
    assertClose(wasm[i], oracle[n], `${what} ${n}: wasm vs oracle`, tol);
    assertClose(wasm[i], cpu[i], `${what} ${n}: wasm vs cpu`, tol);
  });
}

type S4 = [number, number, number, number];

/**
 * `tf.depthwiseConv2d` and both its gradients (this file's dW kernel and the dX one beside it):
 * depth multipliers 1 to 3, strides that skip rows and differ per axis, asymmetric 'same',
 * explicit padding larger than the window's reach on one side, windows taller than wide.
 */
export const DEPTHWISE_CASES: { x: S4; w: S4; s: [number, number]; pad: StockPad }[] = [
  { x: [2, 7, 6, 3], w: [3, 3, 3, 1], s: [1, 1], pad: "same" },
  { x: [2, 8, 7, 4], w: [3, 3, 4, 2], s: [2, 2], pad: "same" },
  { x: [1, 9, 8, 2], w: [5, 3, 2, 3], s: [2, 1], pad: "valid" },
  { x: [1, 5, 5, 3], w: [3, 3, 3, 1], s: [1, 1], pad: [[0, 0], [2, 0], [1, 1], [0, 0]] },
  { x: [2, 6, 6, 8], w: [3, 3, 8, 1], s: [1, 1], pad: "valid" },
  { x: [2, 6, 6, 4], w: [3, 3, 4, 1], s: [2, 2], pad: 1 },
  // Multiplier 1 with channels in fours: the SIMD walk (depthwise.wat).
  { x: [2, 7, 6, 8], w: [3, 3, 8, 1], s: [1, 1], pad: "same" },
  { x: [2, 8, 7, 4], w: [3, 3, 4, 1], s: [2, 2], pad: "same" },
  { x: [1, 5, 5, 4], w: [3, 3, 4, 1], s: [1, 1], pad: [[0, 0], [2, 0], [1, 1], [0, 0]] },
];

/**
 * Checks y, dX and dW of one {@linkcode DEPTHWISE_CASES} entry on cpu and wasm against the oracle.
 *
 * @example
 * ```ts
 * import { checkDepthwise, DEPTHWISE_CASES } from "./testing.ts";
 * await checkDepthwise(DEPTHWISE_CASES[0], 0);
 * ```
 */
export function checkDepthwise(c: (typeof DEPTHWISE_CASES)[number], i: number): Promise<void> {
  const x = randomValues(c.x.reduce((a, b) => a * b), 10 * i + 5);
  const w = randomValues(c.w.reduce((a, b) => a * b), 10 * i + 6);
  const g = stockGeometry(c.pad, [c.x[1], c.x[2]], [c.w[0], c.w[1]], c.s);
  const Ho = Math.floor((c.x[1] + g.pad.top + g.pad.bottom - c.w[0]) / c.s[0]) + 1;
  const Wo = Math.floor((c.x[2] + g.pad.left + g.pad.right - c.w[1]) / c.s[1]) + 1;
  const yShape: S4 = [c.x[0], Ho, Wo, c.w[2] * c.w[3]];
  const dy = randomValues(yShape.reduce((a, b) => a * b), 10 * i + 7);
  const ref = depthwiseRef(x, c.x, w, c.w, dy, g);
  const what = `depthwiseConv2d x[${c.x}] w[${c.w}] s[${c.s}] ${JSON.stringify(c.pad)}`;
  return checkAgainstCpu(what, () => {
    const xt = tf.tensor4d(x, c.x), wt = tf.tensor4d(w, c.w);
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad);
    const [dx, dw] = tf.grads(f)([xt, wt], tf.tensor4d(dy, yShape));
    return { y: f(xt, wt), dx, dw };
  }, { y: ref.y, dx: ref.dx, dw: ref.dw });
}

/**
 * tf.conv2d cases for both backprop kernels' paths: few taps (patches gathered transposed), many taps (dy transposed),
 * the 1x1 stride-1 case that uses x as its patches, strides that skip rows, 'same' padding that
 * is asymmetric, explicit and numeric padding.
 */
export const CONV2D_CASES: { x: S4; w: S4; s: [number, number]; pad: StockPad }[] = [
  { x: [2, 7, 6, 3], w: [3, 3, 3, 4], s: [1, 1], pad: "same" },
  { x: [2, 8, 7, 2], w: [3, 2, 2, 16], s: [2, 2], pad: "same" },
  { x: [2, 7, 6, 2], w: [3, 3, 2, 20], s: [1, 1], pad: "same" },
  { x: [1, 9, 8, 3], w: [3, 3, 3, 2], s: [2, 3], pad: "valid" },
  { x: [3, 6, 6, 1], w: [1, 1, 1, 2], s: [1, 1], pad: "valid" },
  { x: [2, 6, 5, 8], w: [1, 1, 8, 3], s: [1, 1], pad: "valid" },
  { x: [2, 9, 9, 6], w: [1, 1, 6, 4], s: [2, 2], pad: "same" },
  { x: [1, 5, 5, 2], w: [5, 5, 2, 2], s: [1, 1], pad: [[0, 0], [1, 2], [2, 0], [0, 0]] },
  // Numeric padding with square windows and strides only: stock sizes the output from the
  // window height and row stride alone.
  { x: [2, 6, 5, 2], w: [3, 3, 2, 3], s: [2, 2], pad: 1 },
];

/**
 * Checks y, dX and dW of one {@linkcode CONV2D_CASES} entry on cpu and wasm against the oracle.
 *
 * @example
 * ```ts
 * import { checkConv2d, CONV2D_CASES } from "./testing.ts";
 * await checkConv2d(CONV2D_CASES[0], 0);
 * ```
 */
export function checkConv2d(c: (typeof CONV2D_CASES)[number], i: number): Promise<void> {
  const x = randomValues(c.x.reduce((a, b) => a * b), 10 * i + 1);
  const w = randomValues(c.w.reduce((a, b) => a * b), 10 * i + 2);
  const g = stockGeometry(c.pad, [c.x[1], c.x[2]], [c.w[0], c.w[1]], c.s);
  const Ho = Math.floor((c.x[1] + g.pad.top + g.pad.bottom - c.w[0]) / c.s[0]) + 1;
  const Wo = Math.floor((c.x[2] + g.pad.left + g.pad.right - c.w[1]) / c.s[1]) + 1;
  const yShape: S4 = [c.x[0], Ho, Wo, c.w[3]];
  const dy = randomValues(yShape.reduce((a, b) => a * b), 10 * i + 3);
  const ref = conv2dRef(x, c.x, w, c.w, dy, g);
  return checkAgainstCpu(`conv2d x[${c.x}] w[${c.w}] s[${c.s}] ${JSON.stringify(c.pad)}`, () => {
    const xt = tf.tensor4d(x, c.x), wt = tf.tensor4d(w, c.w);
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad);
    const [dx, dw] = tf.grads(f)([xt, wt], tf.tensor4d(dy, yShape));
    return { y: f(xt, wt), dx, dw };
  }, { y: ref.y, dx: ref.dx, dw: ref.dw });
}
