import * as tf from "@tensorflow/tfjs";
import { assert, assertClose, assertEquals } from "@convgrad/base/testing";
import type { WasmBackend } from "../backend_types.ts";
import { setBackend } from "../backend.ts";
import { correlateDirect, directFits } from "./filt_direct.ts";
import * as FILT_DIRECT from "./filt_direct_wasm.ts";
import { withTemps } from "./heap_tensors.ts";
import type { ConvAttrs } from "./options.ts";
import * as R from "./reference.ts";

interface Case {
  x: [number, number, number, number];
  k: [number, number, number, number];
  stride?: [number, number];
  pad?: [number, number];
}

/**
 * The MNIST layer (small batch: 32 filters = 4 tiles of 6 and 2 of 4); output rows of 8 columns
 * (one tile) and of 8k + 1..7 (the last tile moved back); 10 filters (6 + 4), 9 (tiles of 4, the
 * last moved back over the others), 5, 6 and 7; a row stride,
 * padding, kernels wider than 8; and C = 2 (the kernel sums over channels, though only C = 1 is
 * routed to it).
 */
const CASES: Case[] = [
  { x: [3, 1, 28, 28], k: [32, 1, 7, 7] },
  { x: [2, 1, 10, 10], k: [4, 1, 3, 3] },
  { x: [1, 1, 12, 11], k: [10, 1, 3, 3] },
  { x: [1, 1, 12, 11], k: [9, 1, 2, 3] },
  { x: [2, 1, 13, 21], k: [6, 1, 4, 2], stride: [3, 1], pad: [2, 1] },
  { x: [1, 1, 9, 16], k: [5, 1, 9, 9], pad: [0, 1] },
  { x: [2, 2, 12, 14], k: [7, 2, 3, 5], pad: [1, 2] },
];

const label = (c: Case) => `x[${c.x}] k[${c.k}] s[${c.stride ?? [1, 1]}] p[${c.pad ?? [0, 0]}]`;

for (
  const [build, base64] of [
    ["relaxed SIMD", FILT_DIRECT.WASM_BASE64],
    ["plain", FILT_DIRECT.WASM_BASE64_PLAIN],
  ]
) {
  Deno.test(`wasm: the direct forward correlation (${build} build) matches the oracle`, async () => {
    await setBackend("wasm");
    const b = tf.backend() as unknown as WasmBackend;
    CASES.forEach((c, i) => {
      const a = { stride: c.stride ?? [1, 1], pad: c.pad ?? [0, 0] } as const;
      assert(directFits(c.x, c.k, a), `the direct path takes ${label(c)}`);
      const x = tf.randomNormal(c.x, 0, 1, "float32", 30 + i) as tf.Tensor4D;
      const k = tf.randomNormal(c.k, 0, 1, "float32", 40 + i) as tf.Tensor4D;
      const filter = k.transpose([2, 3, 1, 0]); // [kh,kw,C,F]
      const y = withTemps(b, (temp) => correlateDirect(b, x, filter, a, c.k, temp, base64));
      const got = tf.engine().makeTensorFromTensorInfo(y);
      const want = R.filtRef(R.fromTensor(x), R.fromTensor(k), { stride: a.stride, pad: a.pad });
      assertEquals(got.shape, want.shape);
      assertClose(got, want.data, `${build} y ${label(c)}`);
      tf.dispose([x, k, filter, got]);
    });
  });
}

Deno.test("wasm: the direct forward path leaves column strides and small outputs to the GEMM", () => {
  const a = (sw: number): ConvAttrs => ({ stride: [1, sw], pad: [0, 0] });
  assert(!directFits([1, 1, 28, 28], [32, 1, 7, 7], a(2)), "column stride 2");
  assert(!directFits([1, 1, 9, 9], [32, 1, 3, 3], a(1)), "7 output columns");
  assert(!directFits([1, 1, 28, 28], [3, 1, 7, 7], a(1)), "3 filters");
});
