import * as tf from "@tensorflow/tfjs";
import { assert, assertClose, assertEquals } from "@convgrad/base/testing";
import type { WasmBackend } from "../backend_types.ts";
import { setBackend } from "../backend.ts";
import { relaxedSimd } from "../wasm_heap.ts";
import { backpropFilterDirect } from "./dk_direct.ts";
import * as DK_DIRECT from "./dk_direct_wasm.ts";
import { withTemps } from "./heap_tensors.ts";
import * as R from "./reference.ts";

interface Case {
  x: [number, number, number, number];
  k: [number, number, number, number];
  stride?: [number, number];
  pad?: [number, number];
  /** dY as behind a 2x2 max-pool: one nonzero in each 2x2 window, the rest exactly 0. */
  pooled?: boolean;
}

/**
 * The MNIST layer's shape (small batch), pooled and dense; kernels taller than 4 and wider than 8
 * rows or columns (blocks past the first, lanes past the kernel); strides, padding, odd F; and
 * C = 2 (the kernel loops over channels, though only C = 1 is routed to it).
 */
const CASES: Case[] = [
  { x: [3, 1, 28, 28], k: [32, 1, 7, 7], pooled: true },
  { x: [2, 1, 28, 28], k: [8, 1, 7, 7] },
  { x: [2, 1, 17, 19], k: [3, 1, 5, 11], stride: [2, 1], pad: [1, 2] },
  { x: [1, 1, 9, 9], k: [5, 1, 9, 9], pad: [2, 0], pooled: true },
  { x: [2, 2, 12, 10], k: [3, 2, 3, 4], stride: [1, 3], pad: [3, 1] },
  { x: [1, 1, 4, 5], k: [1, 1, 1, 1] },
];

function pooledMask(dy: tf.Tensor4D, seed: number): tf.Tensor4D {
  const [N, F, Ho, Wo] = dy.shape, d = dy.dataSync().slice();
  let s = seed;
  for (let p = 0; p < N * F; p++) {
    for (let i = 0; i < Ho; i += 2) {
      for (let j = 0; j < Wo; j += 2) {
        s = (s * 1103515245 + 12345) % 2147483648;
        const keep = s % 4;
        for (let e = 0; e < 4; e++) {
          const ii = i + (e >> 1), jj = j + (e & 1);
          if (e !== keep && ii < Ho && jj < Wo) d[(p * Ho + ii) * Wo + jj] = 0;
        }
      }
    }
  }
  return tf.tensor4d(d, dy.shape);
}

const label = (c: Case) =>
  `x[${c.x}] k[${c.k}] s[${c.stride ?? [1, 1]}] p[${c.pad ?? [0, 0]}]${c.pooled ? " pooled" : ""}`;

for (
  const [build, base64] of [["relaxed SIMD", DK_DIRECT.WASM_BASE64], [
    "plain",
    DK_DIRECT.WASM_BASE64_PLAIN,
  ]]
) {
  Deno.test(`wasm: dK from X and the nonzeros of dY (${build} build) matches the oracle`, async () => {
    await setBackend("wasm");
    const b = tf.backend() as unknown as WasmBackend;
    CASES.forEach((c, i) => {
      const a = { stride: c.stride ?? [1, 1], pad: c.pad ?? [0, 0] } as const;
      const x = tf.randomNormal(c.x, 0, 1, "float32", 10 + i) as tf.Tensor4D;
      const g = (h: number, k: number, s: number, p: number) => Math.floor((h + 2 * p - k) / s) + 1;
      const yShape: [number, number, number, number] = [
        c.x[0],
        c.k[0],
        g(c.x[2], c.k[2], a.stride[0], a.pad[0]),
        g(c.x[3], c.k[3], a.stride[1], a.pad[1]),
      ];
      const dense = tf.randomNormal(yShape, 0, 1, "float32", 20 + i) as tf.Tensor4D;
      const dy = c.pooled ? pooledMask(dense, i + 1) : dense;
      const dk = withTemps(b, (temp) => backpropFilterDirect(b, x, dy, a, c.k, temp, base64));
      const got = tf.engine().makeTensorFromTensorInfo(dk);
      assertEquals(got.shape, c.k);
      const k64 = R.zeros4(c.k);
      const want = R.filtGradRef(R.fromTensor(x), k64, R.fromTensor(dy), {
        stride: a.stride,
        pad: a.pad,
      });
      assertClose(got, want.dk.data, `${build} dK ${label(c)}`);
      tf.dispose([x, dense, dy, got]);
    });
  });
}

Deno.test("wasm: this runtime takes the relaxed-SIMD build; its temporaries are freed", async () => {
  await setBackend("wasm");
  assert(relaxedSimd, "Deno 2's V8 has relaxed SIMD");
  const b = tf.backend() as unknown as WasmBackend;
  const x = tf.randomNormal([4, 1, 28, 28]), dy = tf.randomNormal([4, 8, 22, 22]);
  const run = () => {
    const dk = withTemps(
      b,
      (temp) => backpropFilterDirect(b, x, dy, { stride: [1, 1], pad: [0, 0] }, [8, 1, 7, 7], temp),
    );
    b.disposeData(dk.dataId);
  };
  run();
  const ids = () => (b as unknown as { numDataIds(): number }).numDataIds();
  const before = ids();
  for (let i = 0; i < 10; i++) run();
  assertEquals(ids(), before);
  tf.dispose([x, dy]);
});
