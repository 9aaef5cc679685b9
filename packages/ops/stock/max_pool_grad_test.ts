import * as tf from "@tensorflow/tfjs";
import { assert, assertClose, assertThrows } from "@convgrad/base/testing";
import { maxPoolRef, stockGeometry, type StockPad } from "./reference.ts";
import { checkAgainstCpu, randomValues, runOn } from "./testing.ts";
import { STOCK_WASM_KERNELS } from "./register.ts";

type S4 = [number, number, number, number];

/** Non-overlapping, overlapping and padded windows; every input shifted to be all negative. */
const CASES: { x: S4; k: [number, number]; s: [number, number]; pad: StockPad }[] = [
  { x: [2, 6, 6, 3], k: [2, 2], s: [2, 2], pad: "valid" },
  { x: [1, 7, 7, 2], k: [3, 3], s: [2, 2], pad: "same" },
  { x: [2, 5, 6, 4], k: [3, 3], s: [1, 1], pad: "same" },
  { x: [1, 8, 7, 3], k: [3, 2], s: [2, 1], pad: "valid" },
  { x: [1, 6, 6, 2], k: [3, 3], s: [2, 2], pad: 1 },
];

Deno.test("MaxPoolGrad (wasm): all-negative windows route dX like stock cpu and the oracle", async () => {
  for (const [i, c] of CASES.entries()) {
    const x = randomValues(c.x.reduce((a, b) => a * b), 50 + i).map((v) => v - 2);
    const g = stockGeometry(c.pad, [c.x[1], c.x[2]], c.k, c.s);
    const dy0 = maxPoolRef(x, c.x, c.k, new Float64Array(x.length), g);
    const dy = randomValues(dy0.y.length, 60 + i);
    const ref = maxPoolRef(x, c.x, c.k, dy, g);
    const yShape = [c.x[0], ...shapeOf(c, g), c.x[3]];
    await checkAgainstCpu(`maxPool x[${c.x}] k[${c.k}] s[${c.s}] ${JSON.stringify(c.pad)}`, () => {
      const xt = tf.tensor4d(x, c.x);
      const f = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, c.k, c.s, c.pad as "same");
      return { y: f(xt), dx: tf.grad(f)(xt, tf.tensor(dy, yShape)) };
    }, { y: ref.y, dx: ref.dx });
  }
});

function shapeOf(c: (typeof CASES)[number], g: ReturnType<typeof stockGeometry>) {
  const { top, bottom, left, right } = g.pad;
  return [
    Math.floor((c.x[1] + top + bottom - c.k[0]) / c.s[0]) + 1,
    Math.floor((c.x[2] + left + right - c.k[1]) / c.s[1]) + 1,
  ];
}

Deno.test("MaxPoolGrad (wasm): ties go to the window's first maximum", async () => {
  // Half-integers in [-2, 0]: most 3x3 windows hold their maximum more than once.
  const x = randomValues(2 * 6 * 6 * 3, 70).map((v) => Math.round(v * 2) / 2 - 1);
  const g = stockGeometry("valid", [6, 6], [3, 3], [3, 3]);
  const ref = maxPoolRef(x, [2, 6, 6, 3], [3, 3], new Float64Array(2 * 2 * 2 * 3).fill(1), g);
  const [dx] = await runOn("wasm", () => {
    const xt = tf.tensor4d(x, [2, 6, 6, 3]);
    return [tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 3, 3, "valid").sum())(xt)];
  });
  assertClose(dx, ref.dx, "dX", 0);
});

Deno.test("MaxPoolGrad (wasm): ours replaces stock's, once, and rejects a wrong dy", async () => {
  await runOn("wasm", () => []);
  const first = tf.getKernel("MaxPoolGrad", "wasm")?.kernelFunc;
  // A second copy of the registration (as from another bundle) keeps ours in place.
  await import("./register.ts?again");
  assert(tf.getKernel("MaxPoolGrad", "wasm")?.kernelFunc === first, "MaxPoolGrad re-registered");
  for (const k of STOCK_WASM_KERNELS) assert(tf.getKernel(k, "wasm") !== undefined, k);
  const x = tf.zeros([1, 4, 4, 1]);
  assertThrows(
    () =>
      tf.engine().runKernel("MaxPoolGrad", { dy: x, input: x, output: x }, {
        filterSize: 2,
        strides: 2,
        pad: "valid",
      }),
    RangeError,
    "dy must have shape [1,2,2,1]",
  );
  x.dispose();
});
