import * as tf from "@tensorflow/tfjs";
import { assertClose } from "@convgrad/base/testing";
import { checkDepthwise, DEPTHWISE_CASES, randomValues, runOn } from "./testing.ts";

Deno.test("DepthwiseConv2dNativeBackpropInput (wasm): dX matches stock cpu and the oracle", async () => {
  // The shared cases check y, dX and dW together; here the ones whose dX paths differ most:
  // multiplier > 1, stride 2 (windows that skip input rows), explicit uneven padding, and the
  // same through the SIMD walk.
  for (const i of [1, 2, 3, 5, 6, 7, 8]) await checkDepthwise(DEPTHWISE_CASES[i], i);
});

Deno.test("DepthwiseConv2dNativeBackpropInput (wasm): a stride larger than the window leaves gaps at zero", async () => {
  // 2x2 windows, stride 3: every third row and column is read by no window, so its dX is 0.
  const x = randomValues(1 * 8 * 8 * 2, 91), w = randomValues(2 * 2 * 2 * 1, 92);
  const f = () => {
    const xt = tf.tensor4d(x, [1, 8, 8, 2]), wt = tf.tensor4d(w, [2, 2, 2, 1]);
    return [
      tf.grad((a: tf.Tensor) =>
        tf.depthwiseConv2d(a as tf.Tensor4D, wt as tf.Tensor4D, 3, "valid").sum()
      )(xt),
    ];
  };
  const [cpu] = await runOn("cpu", f), [wasm] = await runOn("wasm", f);
  assertClose(wasm, cpu, "dX", 1e-6);
  for (let r = 0; r < 8; r++) {
    for (let s = 0; s < 8; s++) {
      const unread = r % 3 === 2 || s % 3 === 2;
      if (unread) {
        assertClose([wasm[(r * 8 + s) * 2], wasm[(r * 8 + s) * 2 + 1]], [0, 0], `dX[${r},${s}]`, 0);
      }
    }
  }
});
