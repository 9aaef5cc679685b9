import * as tf from "@tensorflow/tfjs";
import { type BackendName, setBackend } from "@convgrad/ops";
import { assert, assertClose, assertEquals, assertThrows } from "@convgrad/base/testing";
import { ABCConv2D } from "./abc_layer.ts";
import { binaryABCConv2D, decodeBinaryABC, encodeBinaryABC, toBinaryABC } from "./abc_binary.ts";

for (const backend of ["cpu", "wasm"] as BackendName[]) {
  Deno.test(`${backend}: a packed ABCConv2D equals its float simulation and saves as bits`, async () => {
    await setBackend(backend);
    for (const [M, N, C, pad, stride] of [[3, 3, 1, 0, 1], [1, 2, 40, 1, 2], [5, 3, 33, 2, 1]]) {
      const layer = new ABCConv2D({ filters: 16, kernelSize: 3, M, N, pad, stride, seed: 4 });
      const x = tf.randomUniform([2, C, 11, 10], 0, 1, "float32", 5) as tf.Tensor4D;
      const yFloat = layer.apply(x) as tf.Tensor;
      // Train-like state: shifts and scales moved away from their initial values, a non-zero bias.
      const w = layer.getWeights();
      layer.setWeights([
        w[0],
        tf.randomNormal([16], 0, 0.1, "float32", 6),
        w[2].add(tf.randomUniform([N], -0.1, 0.1, "float32", 7)),
        w[3].mul(tf.randomUniform([N], 0.5, 1.5, "float32", 8)),
      ]);
      const expected = (layer.apply(x) as tf.Tensor).dataSync();
      const bytes = encodeBinaryABC(toBinaryABC(layer));
      const y = binaryABCConv2D(x, decodeBinaryABC(bytes));
      assertClose(y, expected, `M=${M} N=${N} C=${C}`, 1e-5);
      // One bit per weight and base, padded to 32 channels: 32x smaller than float32 per base
      // when C is a multiple of 32; the JSON header (shifts, scales, bias) and α add under 1 KB.
      const bits = 4 * M * 16 * 9 * Math.ceil(C / 32);
      assert(
        bytes.length >= bits && bytes.length < bits + 1024,
        `${bytes.length} bytes, ${bits} of bits`,
      );
      tf.dispose([x, yFloat, y]);
      layer.dispose();
    }
  });
}

Deno.test("packing a layer without activation bases, or bad bytes, is a clear error", async () => {
  await setBackend("cpu");
  const layer = new ABCConv2D({ filters: 2, kernelSize: 3, M: 2 });
  (layer.apply(tf.zeros([1, 1, 5, 5])) as tf.Tensor).dispose();
  assertThrows(() => toBinaryABC(layer), RangeError, "binary inference needs N >= 1");
  assertThrows(() => decodeBinaryABC(new Uint8Array(2)), RangeError, "too short");
  assertThrows(() => decodeBinaryABC(Uint8Array.of(2, 0, 0, 0, 1, 2)), RangeError, "not JSON");
  assertEquals(layer.N, 0);
  layer.dispose();
});
