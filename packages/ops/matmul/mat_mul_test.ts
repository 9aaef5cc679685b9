import * as tf from "@tensorflow/tfjs";
import { assertClose, assertEquals, assertThrows } from "@convgrad/base/testing";
import type { WasmBackend } from "../backend_types.ts";
import { type BackendName, setBackend } from "../backend.ts";
import { matMul } from "./mod.ts";
import { matMulWasm } from "./kernels_wasm.ts";
import * as GEMM from "./gemm_wasm.ts";
import { matMulGradRef, matMulRef, type Matrix64 } from "./reference.ts";

const m64 = (t: tf.Tensor): Matrix64 => ({
  data: Float64Array.from(t.dataSync()),
  rows: t.shape[0]!,
  cols: t.shape[1]!,
});

/**
 * [M,K,N]: the GEMM's tile exactly (6x8), rows and columns past it (the tile moved back), one
 * long inner size, the MNIST CNN's dense shapes at a smaller batch, and matrices below the tile
 * (stock BatchMatMul on wasm).
 */
const SHAPES: [number, number, number][] = [
  [6, 3, 8],
  [9, 5, 13],
  [6, 300, 11],
  [10, 968, 100],
  [10, 100, 10],
  [5, 4, 8],
  [6, 2, 7],
];

const FLAGS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

for (const backend of ["cpu", "wasm"] as BackendName[]) {
  Deno.test(`${backend}: matMul and its gradient match the float64 oracle`, async () => {
    await setBackend(backend);
    SHAPES.forEach(([M, K, N], i) => {
      FLAGS.forEach(([tA, tB], j) => {
        tf.tidy(() => {
          const seed = 10 * i + j + 1;
          const a = tf.randomNormal(tA ? [K, M] : [M, K], 0, 1, "float32", seed) as tf.Tensor2D;
          const b = tf.randomNormal(
            tB ? [N, K] : [K, N],
            0,
            1,
            "float32",
            seed + 50,
          ) as tf.Tensor2D;
          const dc = tf.randomNormal([M, N], 0, 1, "float32", seed + 100) as tf.Tensor2D;
          const what = `[${M},${K}]·[${K},${N}] transposeA ${tA} transposeB ${tB}`;
          const opts = { transposeA: tA, transposeB: tB };
          const c = matMul(a, b, opts);
          assertEquals(c.shape, [M, N]);
          assertClose(c, matMulRef(m64(a), m64(b), tA, tB).data, `${backend} c ${what}`);
          const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
            matMul(x as tf.Tensor2D, y as tf.Tensor2D, opts).mul(dc).sum()
          )([a, b]);
          const g = matMulGradRef(m64(a), m64(b), m64(dc), tA, tB);
          assertClose(da, g.da.data, `${backend} dA ${what}`);
          assertClose(db, g.db.data, `${backend} dB ${what}`);
        });
      });
    });
  });
}

Deno.test("wasm: the GEMM's plain build (no relaxed SIMD) matches the oracle too", async () => {
  await setBackend("wasm");
  const b = tf.backend() as unknown as WasmBackend;
  for (const [tA, tB] of FLAGS) {
    const a = tf.randomNormal(tA ? [300, 9] : [9, 300], 0, 1, "float32", 3) as tf.Tensor2D;
    const bm = tf.randomNormal(tB ? [13, 300] : [300, 13], 0, 1, "float32", 4) as tf.Tensor2D;
    const c = tf.engine().makeTensorFromTensorInfo(
      matMulWasm(b, a, bm, tA, tB, GEMM.WASM_BASE64_PLAIN),
    );
    assertClose(
      c,
      matMulRef(m64(a), m64(bm), tA, tB).data,
      `plain transposeA ${tA} transposeB ${tB}`,
    );
    tf.dispose([a, bm, c]);
  }
});

Deno.test("wasm: matMul's steps leak no tensors", async () => {
  await setBackend("wasm");
  const x = tf.randomNormal([10, 40]), w = tf.variable(tf.randomNormal([40, 12]));
  const opt = tf.train.sgd(1e-3);
  const step = () =>
    opt.minimize(() => matMul(x as tf.Tensor2D, w as tf.Tensor2D).square().mean() as tf.Scalar);
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 20; i++) step();
  assertEquals(tf.memory().numTensors, before);
  tf.dispose([x, w]);
  opt.dispose();
});

Deno.test("matMul rejects operands that are not float32 matrices of matching sizes", () => {
  const a = tf.ones([2, 3]) as tf.Tensor2D;
  assertThrows(
    () => matMul(a, tf.ones([2, 4]) as tf.Tensor2D),
    RangeError,
    "a [2,3] has 3 columns, b [2,4] has 2 rows",
  );
  assertThrows(
    () => matMul(a, tf.ones([3]) as unknown as tf.Tensor2D),
    RangeError,
    "b must have rank 2",
  );
  assertThrows(() => matMul([1] as unknown as tf.Tensor2D, a), TypeError, "a must be a tf.Tensor");
  assertThrows(
    () => matMul(a, tf.ones([3, 2], "int32") as tf.Tensor2D),
    TypeError,
    "dtype float32",
  );
});
