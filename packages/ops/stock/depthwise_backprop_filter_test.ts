import * as tf from "@tensorflow/tfjs";
import { assertThrows } from "@convgrad/base/testing";
import { checkDepthwise, DEPTHWISE_CASES, runOn } from "./testing.ts";

Deno.test("DepthwiseConv2dNativeBackpropFilter (wasm): matches stock cpu and the oracle", async () => {
  for (const [i, c] of DEPTHWISE_CASES.entries()) await checkDepthwise(c, i);
});

Deno.test("depthwise backprops (wasm): reject dilations and a dy of the wrong shape", async () => {
  await runOn("wasm", () => []);
  const x = tf.zeros([1, 5, 5, 2]), dy = tf.zeros([1, 5, 5, 2]), w = tf.zeros([3, 3, 2, 1]);
  const attrs = { strides: 1, pad: "same", dilations: 1 };
  const filter = (a: Record<string, unknown>, d = dy) =>
    tf.engine().runKernel("DepthwiseConv2dNativeBackpropFilter", { x, dy: d }, {
      ...attrs,
      filterShape: [3, 3, 2, 1],
      ...a,
    } as tf.NamedAttrMap);
  const input = (a: Record<string, unknown>, d = dy) =>
    tf.engine().runKernel("DepthwiseConv2dNativeBackpropInput", { dy: d, filter: w }, {
      ...attrs,
      inputShape: [1, 5, 5, 2],
      ...a,
    } as tf.NamedAttrMap);
  for (const run of [filter, input]) {
    assertThrows(() => run({ dilations: [2, 2] }), RangeError, "dilations must be 1, got [2,2]");
    assertThrows(() => run({}, tf.zeros([1, 5, 5, 3])), RangeError, "dy must have shape [1,5,5,2]");
  }
  tf.dispose([x, dy, w]);
});
