import * as tf from "@tensorflow/tfjs";
import { assertThrows } from "@convgrad/base/testing";
import { patchLimit } from "./conv2d_backprop_filter.ts";
import { conv2dRef, stockGeometry, type StockPad } from "./reference.ts";
import { checkAgainstCpu, lcgValues, runOn } from "./testing.ts";

type S4 = [number, number, number, number];

/**
 * Each path of the kernel: few taps (patches gathered transposed), many taps (dy transposed),
 * the 1x1 stride-1 case that uses x as its patches, strides that skip rows, 'same' padding that
 * is asymmetric, explicit and numeric padding.
 */
const CASES: { x: S4; w: S4; s: [number, number]; pad: StockPad }[] = [
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

function check(c: (typeof CASES)[number], i: number) {
  const x = lcgValues(c.x.reduce((a, b) => a * b), 10 * i + 1);
  const w = lcgValues(c.w.reduce((a, b) => a * b), 10 * i + 2);
  const g = stockGeometry(c.pad, [c.x[1], c.x[2]], [c.w[0], c.w[1]], c.s);
  const Ho = Math.floor((c.x[1] + g.pad.top + g.pad.bottom - c.w[0]) / c.s[0]) + 1;
  const Wo = Math.floor((c.x[2] + g.pad.left + g.pad.right - c.w[1]) / c.s[1]) + 1;
  const yShape: S4 = [c.x[0], Ho, Wo, c.w[3]];
  const dy = lcgValues(yShape.reduce((a, b) => a * b), 10 * i + 3);
  const ref = conv2dRef(x, c.x, w, c.w, dy, g);
  return checkAgainstCpu(`conv2d x[${c.x}] w[${c.w}] s[${c.s}] ${JSON.stringify(c.pad)}`, () => {
    const xt = tf.tensor4d(x, c.x), wt = tf.tensor4d(w, c.w);
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad);
    const [dx, dw] = tf.grads(f)([xt, wt], tf.tensor4d(dy, yShape));
    return { y: f(xt, wt), dx, dw };
  }, { y: ref.y, dx: ref.dx, dw: ref.dw });
}

Deno.test("Conv2DBackpropFilter (wasm): dW of tf.conv2d matches stock cpu and the oracle", async () => {
  for (const [i, c] of CASES.entries()) await check(c, i);
});

Deno.test("Conv2DBackpropFilter (wasm): images in chunks give the same dW", async () => {
  const saved = patchLimit.floats;
  patchLimit.floats = 300; // one or two images at a time on these shapes
  try {
    await check(CASES[0], 0); // few taps
    await check(CASES[4], 4); // many taps, x as patches
    await check(CASES[1], 1);
  } finally {
    patchLimit.floats = saved;
  }
});

Deno.test("Conv2DBackpropFilter (wasm): rejects NCHW and a dy of the wrong shape", async () => {
  await runOn("wasm", () => []);
  const x = tf.zeros([1, 4, 4, 2]), dy = tf.zeros([1, 4, 4, 3]);
  const run = (attrs: Record<string, unknown>, d = dy) =>
    tf.engine().runKernel("Conv2DBackpropFilter", { x, dy: d }, {
      strides: 1,
      pad: "same",
      filterShape: [3, 3, 2, 3],
      ...attrs,
    } as tf.NamedAttrMap);
  assertThrows(() => run({ dataFormat: "NCHW" }), RangeError, "dataFormat must be 'NHWC'");
  assertThrows(() => run({}, tf.zeros([1, 4, 4, 2])), RangeError, "dy must have shape [1,4,4,3]");
  tf.dispose([x, dy]);
});
