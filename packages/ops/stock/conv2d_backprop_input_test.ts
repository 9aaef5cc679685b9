import * as tf from "@tensorflow/tfjs";
import { assertClose, assertThrows } from "@convgrad/base/testing";
import { patchLimit } from "./wasm.ts";
import { checkConv2d, CONV2D_CASES, randomValues, runOn } from "./testing.ts";

Deno.test("Conv2DBackpropInput (wasm, ours): dX of tf.conv2d matches stock cpu and the oracle", async () => {
  // The shared cases check y, dX and dW together: 1x1 stride 1 (dX is the GEMM itself), 1x1
  // strided (scattered), padded 'same', explicit and numeric padding.
  for (const [i, c] of CONV2D_CASES.entries()) await checkConv2d(c, i);
  const saved = patchLimit.floats;
  patchLimit.floats = 300; // one or two images per GEMM
  try {
    await checkConv2d(CONV2D_CASES[0], 0);
    await checkConv2d(CONV2D_CASES[6], 6);
  } finally {
    patchLimit.floats = saved;
  }
});

Deno.test("Conv2DBackpropInput (wasm, ours): tf.conv2dTranspose, which runs it forward", async () => {
  const dy = randomValues(2 * 4 * 4 * 6, 95), w = randomValues(3 * 3 * 5 * 6, 96);
  const f = () => [
    tf.conv2dTranspose(
      tf.tensor4d(dy, [2, 4, 4, 6]),
      tf.tensor4d(w, [3, 3, 5, 6]),
      [2, 8, 8, 5],
      2,
      "same",
    ),
  ];
  const [cpu] = await runOn("cpu", f), [wasm] = await runOn("wasm", f);
  assertClose(wasm, cpu, "conv2dTranspose", 1e-5);
});

Deno.test("Conv2DBackpropInput (wasm, ours): rejects NCHW and a dy of the wrong shape", async () => {
  await runOn("wasm", () => []);
  const dy = tf.zeros([1, 4, 4, 3]), filter = tf.zeros([3, 3, 2, 3]);
  const run = (attrs: Record<string, unknown>, d = dy) =>
    tf.engine().runKernel("Conv2DBackpropInput", { dy: d, filter }, {
      strides: 1,
      pad: "same",
      inputShape: [1, 4, 4, 2],
      ...attrs,
    } as tf.NamedAttrMap);
  assertThrows(() => run({ dataFormat: "NCHW" }), RangeError, "dataFormat must be 'NHWC'");
  assertThrows(() => run({}, tf.zeros([1, 4, 4, 2])), RangeError, "dy must have shape [1,4,4,3]");
  tf.dispose([dy, filter]);
});
