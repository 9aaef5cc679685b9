import * as tf from "@tensorflow/tfjs";
import {
  assert,
  assertClose,
  assertEquals,
  assertRejects,
  assertThrows,
} from "@convgrad/base/testing";
import { type BackendName, filt, full, gradcheck, setBackend, valid } from "../mod.ts";
import * as R from "./reference.ts";

const BACKENDS: BackendName[] = ["cpu", "wasm"];

interface Case {
  x: number[];
  k: number[];
  stride?: [number, number];
  pad?: [number, number];
}

/** Random shapes (seeded) plus the edge cases: 1x1 kernels, non-square, kernel == image. */
function cases(): Case[] {
  const fixed: Case[] = [
    { x: [2, 3, 6, 6], k: [4, 3, 1, 1] },
    { x: [1, 2, 5, 9], k: [3, 2, 2, 4] },
    { x: [3, 2, 4, 5], k: [2, 2, 4, 5] },
    { x: [2, 1, 7, 7], k: [3, 1, 3, 3], stride: [2, 2] },
    { x: [1, 3, 8, 6], k: [2, 3, 3, 2], stride: [2, 3], pad: [1, 2] },
    { x: [2, 2, 5, 5], k: [2, 2, 3, 3], pad: [3, 3] },
    { x: [1, 1, 3, 3], k: [1, 1, 3, 3], pad: [1, 1], stride: [2, 2] },
  ];
  let s = 7;
  const r = (n: number) => (s = (s * 1103515245 + 12345) % 2147483648, 1 + (s % n));
  for (let i = 0; i < 6; i++) {
    const kh = r(4), kw = r(4), C = r(3);
    fixed.push({
      x: [r(3), C, kh + r(6) - 1, kw + r(6) - 1],
      k: [r(4), C, kh, kw],
      stride: [r(2), r(2)],
      pad: [r(2) - 1, r(2) - 1],
    });
  }
  return fixed;
}

// Seed 0 means "unseeded" to TF.js: offset every seed so each case repeats exactly.
const rand = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, "float32", seed + 1);
const label = (c: Case) => `x[${c.x}] k[${c.k}] s[${c.stride ?? [1, 1]}] p[${c.pad ?? [0, 0]}]`;

for (const backend of BACKENDS) {
  Deno.test(`${backend}: filt, valid and their gradients match the float64 oracle`, async () => {
    await setBackend(backend);
    cases().forEach((c, i) => {
      tf.tidy(() => {
        const x = rand(c.x, i) as tf.Tensor4D, k = rand(c.k, 100 + i) as tf.Tensor4D;
        const opts = { stride: c.stride, pad: c.pad };
        const x64 = R.fromTensor(x), k64 = R.fromTensor(k);
        for (
          const [op, ref, gradRef] of [[filt, R.filtRef, R.filtGradRef], [
            valid,
            R.validRef,
            R.validGradRef,
          ]] as const
        ) {
          const y = op(x, k, opts);
          assertClose(y, ref(x64, k64, opts).data, `${backend} ${op.name} ${label(c)}`);
          const dy = rand(y.shape, 200 + i);
          const [dx, dk] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            op(a as tf.Tensor4D, b as tf.Tensor4D, opts).mul(dy).sum()
          )([x, k]);
          const g = gradRef(x64, k64, R.fromTensor(dy), opts);
          assertClose(dx, g.dx.data, `${backend} ${op.name} dX ${label(c)}`);
          assertClose(dk, g.dk.data, `${backend} ${op.name} dK ${label(c)}`);
        }
      });
    });
  });

  Deno.test(`${backend}: full and its gradients match the float64 oracle`, async () => {
    await setBackend(backend);
    cases().forEach((c, i) => {
      tf.tidy(() => {
        const x = rand(c.x, i) as tf.Tensor4D, k = rand(c.k, 100 + i) as tf.Tensor4D;
        const y = full(x, k);
        const x64 = R.fromTensor(x), k64 = R.fromTensor(k);
        assertEquals(y.shape, [c.x[0], c.k[0], c.x[2] + c.k[2] - 1, c.x[3] + c.k[3] - 1]);
        assertClose(y, R.fullRef(x64, k64).data, `${backend} full ${label(c)}`);
        const dy = rand(y.shape, 300 + i);
        const [dx, dk] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          full(a as tf.Tensor4D, b as tf.Tensor4D).mul(dy).sum()
        )([
          x,
          k,
        ]);
        const g = R.fullGradRef(x64, k64, R.fromTensor(dy));
        assertClose(dx, g.dx.data, `${backend} full dX ${label(c)}`);
        assertClose(dk, g.dk.data, `${backend} full dK ${label(c)}`);
      });
    });
  });

  Deno.test(`${backend}: agrees with stock tf.conv2d and its gradients`, async () => {
    await setBackend(backend);
    tf.tidy(() => {
      const x = rand([2, 3, 9, 8], 1) as tf.Tensor4D, k = rand([4, 3, 3, 2], 2) as tf.Tensor4D;
      const nhwc = (t: tf.Tensor) => t.transpose([0, 2, 3, 1]) as tf.Tensor4D;
      const hwcf = (t: tf.Tensor) => t.transpose([2, 3, 1, 0]) as tf.Tensor4D;
      const pad: [number, number] = [1, 0], stride: [number, number] = [2, 1];
      const ours = filt(x, k, { stride, pad });
      const stock = tf.conv2d(nhwc(x), hwcf(k), stride, [[0, 0], [1, 1], [0, 0], [0, 0]]);
      assertClose(nhwc(ours), stock.dataSync(), `${backend} vs stock forward`);
      // On wasm, stock's dX and dK run on the kernels of packages/ops/stock/.
      const dy = rand(stock.shape, 3) as tf.Tensor4D;
      const stockDx = tf.conv2dTranspose(
        dy,
        hwcf(k),
        nhwc(x).shape,
        stride,
        [[0, 0], [1, 1], [0, 0], [0, 0]] as never,
      );
      const [dx] = tf.grads((a: tf.Tensor) =>
        nhwc(filt(a as tf.Tensor4D, k, { stride, pad })).mul(dy).sum()
      )([
        x,
      ]);
      assertClose(nhwc(dx), stockDx.dataSync(), `${backend} vs stock dX`);
      const stockDk = tf.grads((b: tf.Tensor) =>
        tf.conv2d(nhwc(x), b as tf.Tensor4D, stride, [[0, 0], [1, 1], [0, 0], [0, 0]]).mul(dy)
          .sum()
      )([hwcf(k)])[0];
      const [dk] = tf.grads((b: tf.Tensor) =>
        nhwc(filt(x, b as tf.Tensor4D, { stride, pad })).mul(dy).sum()
      )([k]);
      assertClose(hwcf(dk), stockDk.dataSync(), `${backend} vs stock dK`);
    });
  });

  Deno.test(`${backend}: gradcheck against float64 finite differences`, async () => {
    await setBackend(backend);
    const x = rand([2, 2, 6, 5], 4), k = rand([3, 2, 3, 2], 5);
    const opts = { stride: [2, 1] as [number, number], pad: [1, 1] as [number, number] };
    const ref = ([xv, kv]: Float64Array[]) =>
      R.filtRef({ data: xv, shape: [2, 2, 6, 5] }, { data: kv, shape: [3, 2, 3, 2] }, opts).data;
    const r = gradcheck((a, b) => filt(a as tf.Tensor4D, b as tf.Tensor4D, opts), [x, k], {
      reference: ref,
    });
    assert(r.ok, `gradcheck failed: ${JSON.stringify(r)}`);
    assert(r.maxRelError < 1e-4, `max rel error ${r.maxRelError}`);
    // Also in float32 through the op itself.
    const r32 = gradcheck((a, b) => full(a as tf.Tensor4D, b as tf.Tensor4D), [x, k]);
    assert(r32.ok, `float32 gradcheck failed: ${JSON.stringify(r32)}`);
    tf.dispose([x, k]);
  });

  Deno.test(`${backend}: 100 forward+backward steps leak no tensors`, async () => {
    await setBackend(backend);
    const x = rand([2, 2, 6, 6], 6) as tf.Tensor4D;
    const k = tf.variable(rand([2, 2, 3, 3], 7)) as tf.Variable<tf.Rank.R4>;
    const opt = tf.train.sgd(0.01);
    const step = () =>
      opt.minimize(() => full(valid(filt(x, k, { pad: 1 }), k), k).square().mean() as tf.Scalar);
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) step();
    assertEquals(tf.memory().numTensors, before);
    tf.dispose([x, k]);
    opt.dispose();
  });
}

Deno.test("wasm: 3x3 stride-1 convolutions and gradients by Winograd F(4x4, 3x3) match the oracle", async () => {
  await setBackend("wasm");
  // Shapes the Winograd path takes (lanes in fours, enough channels and tiles), with image sizes
  // that leave part-filled tiles and pads of 0 to 3. Its transforms scale entries by up to 8 and
  // back by 1/24, so float32 rounding is a few times the direct method's: 2e-5 here. The forward
  // pass takes it from 128 output tiles: every op on the first two shapes and `full` on the third
  // (its 16x16 output), the rest of the third shows the direct path next to it.
  const shapes: Case[] = [
    { x: [8, 32, 16, 16], k: [32, 32, 3, 3], pad: [1, 1] },
    { x: [12, 48, 17, 13], k: [20, 48, 3, 3], pad: [2, 3] },
    { x: [8, 32, 14, 14], k: [32, 32, 3, 3] },
    { x: [16, 32, 10, 9], k: [16, 32, 3, 3], pad: [1, 0] },
  ];
  shapes.forEach((c, i) => {
    tf.tidy(() => {
      const x = rand(c.x, 400 + i) as tf.Tensor4D, k = rand(c.k, 500 + i) as tf.Tensor4D;
      const x64 = R.fromTensor(x), k64 = R.fromTensor(k);
      const opts = { pad: c.pad };
      for (
        const [name, op, ref, gradRef] of [
          ["filt", (a: tf.Tensor4D, b: tf.Tensor4D) => filt(a, b, opts), R.filtRef, R.filtGradRef],
          [
            "valid",
            (a: tf.Tensor4D, b: tf.Tensor4D) => valid(a, b, opts),
            R.validRef,
            R.validGradRef,
          ],
          ["full", (a: tf.Tensor4D, b: tf.Tensor4D) => full(a, b), R.fullRef, R.fullGradRef],
        ] as const
      ) {
        const y = op(x, k);
        assertClose(
          y,
          ref(x64, k64, name === "full" ? {} : opts).data,
          `wasm ${name} ${label(c)}`,
          2e-5,
        );
        const dy = rand(y.shape, 600 + i);
        const [dx, dk] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          op(a as tf.Tensor4D, b as tf.Tensor4D).mul(dy).sum()
        )([x, k]);
        const g = gradRef(x64, k64, R.fromTensor(dy), name === "full" ? {} : opts);
        assertClose(dx, g.dx.data, `wasm ${name} dX ${label(c)}`, 2e-5);
        assertClose(dk, g.dk.data, `wasm ${name} dK ${label(c)}`, 2e-5);
      }
    });
  });
  // Its temporaries (108 planes a call) are all freed: no tensors and no heap growth over steps.
  const x = rand([8, 32, 14, 14], 7) as tf.Tensor4D;
  const k = tf.variable(rand([32, 32, 3, 3], 8)) as tf.Variable<tf.Rank.R4>;
  const opt = tf.train.sgd(1e-3);
  const step = () => opt.minimize(() => filt(x, k, { pad: 1 }).square().mean() as tf.Scalar);
  step();
  const heap = () =>
    (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
  const [tensors, bytes] = [tf.memory().numTensors, heap()];
  for (let i = 0; i < 20; i++) step();
  assertEquals([tf.memory().numTensors, heap()], [tensors, bytes]);
  tf.dispose([x, k]);
  opt.dispose();
});

Deno.test("gradcheck detects a wrong gradient", async () => {
  await setBackend("cpu");
  // x², with a custom gradient that is off by 10%.
  const wrong = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor, save = args[1] as tf.GradSaveFunc;
    save([x]);
    return { value: x.square(), gradFunc: (dy: tf.Tensor, [s]: tf.Tensor[]) => dy.mul(s).mul(2.2) };
  }) as (x: tf.Tensor) => tf.Tensor;
  const x = tf.tensor1d([0.5, -1, 2]);
  const r = gradcheck(wrong, [x], { reference: ([v]) => v.map((e) => e * e) });
  assert(!r.ok);
  assert(Math.abs(r.maxRelError - 0.2 / 2.2) < 1e-3, `rel error ${r.maxRelError}`);
  x.dispose();
});

Deno.test("Toeplitz form: filt is A_k x and its input gradient is A_kᵀ dy", () => {
  const A1 = R.convMatrix1d(Float64Array.of(1, -2, 3), 5);
  assertEquals(A1.rows, 3);
  assertEquals(Array.from(A1.data.slice(5, 10)), [0, 1, -2, 3, 0]);
  const x = {
    data: Float64Array.from({ length: 2 * 5 * 4 }, (_, i) => Math.sin(i)),
    shape: [1, 2, 5, 4] as R.Array4["shape"],
  };
  const k = {
    data: Float64Array.from({ length: 3 * 2 * 2 * 3 }, (_, i) => Math.cos(i)),
    shape: [3, 2, 2, 3] as R.Array4["shape"],
  };
  const opts = { stride: [2, 1] as [number, number], pad: [1, 1] as [number, number] };
  const A = R.convMatrix(k, [2, 5, 4], opts);
  const y = R.filtRef(x, k, opts);
  assertClose(R.matVec(A, x.data), y.data, "A x", 1e-12);
  const dy = { data: y.data.map((_, i) => Math.cos(3 * i)), shape: y.shape };
  assertClose(R.matVec(A, dy.data, true), R.filtGradRef(x, k, dy, opts).dx.data, "Aᵀ dy", 1e-12);
  assertThrows(() => R.convMatrix1d(Float64Array.of(1, 2), 1), RangeError, "n must be");
});

Deno.test("bad input gets a clear error naming the argument", async () => {
  await setBackend("cpu");
  const x = tf.zeros([1, 2, 5, 5]) as tf.Tensor4D, k = tf.zeros([3, 2, 3, 3]) as tf.Tensor4D;
  assertThrows(() => filt(tf.zeros([2, 5, 5]) as never, k), RangeError, "x must have rank 4");
  assertThrows(() => filt(x, tf.zeros([2, 3, 3]) as never), RangeError, "k must have rank 4");
  assertThrows(
    () => filt(x, tf.zeros([3, 1, 3, 3]) as tf.Tensor4D),
    RangeError,
    "channel mismatch",
  );
  assertThrows(
    () => valid(x, tf.zeros([3, 2, 6, 3]) as tf.Tensor4D),
    RangeError,
    "larger than the padded input",
  );
  assertThrows(() => filt(x, k, { stride: 0 }), RangeError, "stride must be an integer >= 1");
  assertThrows(() => filt(x, k, { stride: 1.5 }), RangeError, "stride");
  assertThrows(() => filt(x, k, { pad: -1 }), RangeError, "pad must be an integer >= 0");
  assertThrows(() => filt(x, k, { pad: [1, 2, 3] as never }), RangeError, "pad");
  assertThrows(() => filt(x.toInt(), k), TypeError, "x must have dtype float32");
  assertThrows(() => full(x, k.toInt()), TypeError, "k must have dtype float32");
  assertThrows(
    () => full(x, tf.zeros([3, 1, 3, 3]) as tf.Tensor4D),
    RangeError,
    "channel mismatch",
  );
  assertThrows(() => filt([1, 2] as never, k), TypeError, "x must be a tf.Tensor");
  await assertRejects(() => setBackend("gpu" as never), RangeError, "name must be one of");
  await assertRejects(() => setBackend("webgl"), Error, "did not become active");
  tf.dispose([x, k]);
});
