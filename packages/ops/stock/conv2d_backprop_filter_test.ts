import * as tf from "@tensorflow/tfjs";
import { assertThrows } from "@convgrad/base/testing";
import { patchLimit } from "./wasm.ts";
import { checkConv2d, CONV2D_CASES, runOn } from "./testing.ts";

Deno.test("Conv2DBackpropFilter (wasm): dW of tf.conv2d matches stock cpu and the oracle", async () => {
  for (const [i, c] of CONV2D_CASES.entries()) await checkConv2d(c, i);
});

Deno.test("Conv2DBackpropFilter (wasm): images in chunks give the same dW", async () => {
  const saved = patchLimit.floats;
  patchLimit.floats = 300; // one or two images at a time on these shapes
  try {
    await checkConv2d(CONV2D_CASES[2], 2); // few taps, padded
    await checkConv2d(CONV2D_CASES[5], 5); // many taps, x as patches
    await checkConv2d(CONV2D_CASES[0], 0); // many taps, padded
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
