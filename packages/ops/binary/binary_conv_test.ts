import * as tf from "@tensorflow/tfjs";
import { assertClose, assertEquals, assertThrows } from "@convgrad/base/testing";
import {
  abcActivation,
  abcConv2d,
  activationShifts,
  type BackendName,
  binarizeWeights,
  setBackend,
} from "../mod.ts";
import { type Array4, filtRef } from "../conv/reference.ts";
import { binaryConv2d, binaryConv2dPacked, binaryConvSum, packBases, packSigns } from "./mod.ts";

const BACKENDS: BackendName[] = ["cpu", "wasm"];
type Pair = [number, number];
type Shape4 = [number, number, number, number];

/** Deterministic ±1 values (exactly; never 0). */
function signs(shape: number[], seed: number): Float32Array {
  return tf.tidy(() =>
    tf.randomUniform(shape, -1, 1, "float32", seed).greaterEqual(0).cast("float32").mul(2).sub(1)
      .dataSync() as Float32Array
  ).slice();
}

const array4 = (data: ArrayLike<number>, shape: Shape4): Array4 => ({
  data: Float64Array.from(data),
  shape,
});

/** `x` with a frame of `pad` rows/columns of `value` on each side. */
function framed(x: Array4, [ph, pw]: Pair, value: number): Array4 {
  const [N, C, H, W] = x.shape, Hp = H + 2 * ph, Wp = W + 2 * pw;
  const out = array4(new Float64Array(N * C * Hp * Wp).fill(value), [N, C, Hp, Wp]);
  for (let nc = 0; nc < N * C; nc++) {
    for (let h = 0; h < H; h++) {
      for (let w = 0; w < W; w++) {
        out.data[(nc * Hp + h + ph) * Wp + w + pw] = x.data[(nc * H + h) * W + w];
      }
    }
  }
  return out;
}

interface Case {
  name: string;
  x: Float32Array;
  xShape: Shape4;
  w: Float32Array;
  wShape: Shape4;
  stride: Pair;
  pad: Pair;
  padValue: 0 | 1;
  expected: Float64Array;
}

await setBackend("cpu"); // the cases below are made with TF.js's seeded generator

/**
 * Every channel count of the issue (around the 32-bit word boundaries) with every kernel size
 * 1..5, strides 1 and 2, paddings 0..2 (zeros, and ones in a quarter of the cases), odd filter
 * counts and batches of 1 and 2; the expectation is the float64 loop of `filt`.
 */
const CASES: Case[] = [1, 31, 32, 33, 64, 100, 256].flatMap((C, ci) =>
  [1, 2, 3, 4, 5].map((kh, ki) => {
    const i = ci * 5 + ki;
    const kw = 1 + ((i * 3) % 5);
    const stride: Pair = [1 + (i % 2), 1 + ((i >> 1) % 2)];
    const pad: Pair = [i % 3, (i + 1) % 3];
    const padValue = i % 4 === 3 ? 1 : 0;
    const xShape: Shape4 = [1 + (i % 2), C, kh + 2 + (i % 5), kw + 1 + ((i * 2) % 6)];
    const wShape: Shape4 = [1 + ((i * 7) % 9), C, kh, kw];
    const x = signs(xShape, 100 + i), w = signs(wShape, 200 + i);
    const xa = array4(x, xShape);
    const expected = padValue === 1
      ? filtRef(framed(xa, pad, 1), array4(w, wShape), { stride }).data
      : filtRef(xa, array4(w, wShape), { stride, pad }).data;
    const name = `x [${xShape}] w [${wShape}] stride [${stride}] pad [${pad}] padValue ${padValue}`;
    return { name, x, xShape, w, wShape, stride, pad, padValue, expected };
  })
);

for (const backend of BACKENDS) {
  Deno.test(`binaryConv2d is filt of ±1 tensors, bit for bit, on ${CASES.length} shapes (${backend})`, async () => {
    await setBackend(backend);
    for (const c of CASES) {
      const x = tf.tensor4d(c.x, c.xShape), w = tf.tensor4d(c.w, c.wShape);
      const opts = { stride: c.stride, pad: c.pad, padValue: c.padValue };
      const y = binaryConv2d(x, w, opts);
      const yp = binaryConv2dPacked(x, packSigns(w, 1), opts);
      assertEquals(Array.from(y.dataSync()), Array.from(c.expected), c.name);
      assertEquals(Array.from(yp.dataSync()), Array.from(c.expected), `packed: ${c.name}`);
      tf.dispose([x, w, y, yp]);
    }
  });

  Deno.test(`binaryConv2d reads any value as its sign, sign(0) = +1 (${backend})`, async () => {
    await setBackend(backend);
    const xShape: Shape4 = [2, 40, 6, 7], wShape: Shape4 = [5, 40, 3, 3];
    // integers in [-2, 2]: a fifth are zeros, which must count as +1
    const xv = tf.tidy(() => tf.randomUniform(xShape, -2.5, 2.5, "float32", 5).round());
    const wv = tf.tidy(() => tf.randomUniform(wShape, -2.5, 2.5, "float32", 6).round());
    const sign = (a: ArrayLike<number>) => Array.from(a, (v) => (v < 0 ? -1 : 1));
    const expected = filtRef(
      array4(sign(xv.dataSync()), xShape),
      array4(sign(wv.dataSync()), wShape),
      {
        pad: [1, 2],
      },
    );
    const y = binaryConv2d(xv as tf.Tensor4D, wv as tf.Tensor4D, { pad: [1, 2] });
    assertEquals(Array.from(y.dataSync()), Array.from(expected.data));
    tf.dispose([xv, wv, y]);
  });

  Deno.test(`binaryConv2d counts up to C·kh·kw when every sign differs (${backend})`, async () => {
    await setBackend(backend);
    // 256 channels × 5×5 = 6400 disagreements per window: byte counters must be widened in time
    const x = tf.ones([1, 256, 7, 7]) as tf.Tensor4D,
      w = tf.ones([3, 256, 5, 5]).neg() as tf.Tensor4D;
    const y = binaryConv2d(x, w, { pad: 2 });
    const expected = filtRef(
      array4(x.dataSync(), [1, 256, 7, 7]),
      array4(w.dataSync(), [3, 256, 5, 5]),
      {
        pad: [2, 2],
      },
    );
    assertEquals(Array.from(y.dataSync()), Array.from(expected.data));
    assertEquals(y.dataSync()[3 * 7 + 3], -6400); // the centre sees no padding
    tf.dispose([x, w, y]);
  });

  Deno.test(`binaryConvSum is Σ_n β_n Σ_m α_m filt(H_n, B_m) (${backend})`, async () => {
    await setBackend(backend);
    const [M, F, C, kh, kw] = [3, 6, 45, 3, 2], xShape: Shape4 = [2, C, 7, 6];
    const bases = tf.tensor(signs([M, F, C, kh, kw], 1), [M, F, C, kh, kw]);
    const alpha = [0.75, -0.3, 0.125], beta = [1.5, 0.25];
    const hs = beta.map((_, n) => signs(xShape, 10 + n));
    const weights = packBases({ bases, alpha });
    const acts = hs.map((h) => tf.tensor4d(h, xShape));
    const y = binaryConvSum({ activations: acts, beta, weights }, { stride: [2, 1], pad: 1 });
    const bv = bases.dataSync(), size = F * C * kh * kw;
    const expected = new Float64Array(y.size);
    for (let n = 0; n < beta.length; n++) {
      for (let m = 0; m < M; m++) {
        const b = array4(bv.subarray(m * size, (m + 1) * size), [F, C, kh, kw]);
        const r = filtRef(array4(hs[n], xShape), b, { stride: [2, 1], pad: [1, 1] });
        r.data.forEach((v, i) => (expected[i] += beta[n] * alpha[m] * v));
      }
    }
    assertEquals(y.shape, [2, F, 4, 7]);
    assertClose(y, expected, "binaryConvSum", 1e-6);
    tf.dispose([bases, y, ...acts]);
  });

  Deno.test(`binaryConvSum runs a trained ABC-Net conv: = abcConv2d(abcActivation(R)) (${backend})`, async () => {
    await setBackend(backend);
    const r = tf.randomUniform([2, 24, 9, 9], 0, 1, "float32", 3) as tf.Tensor4D; // [N,C,H,W]
    const w = tf.randomNormal([8, 24, 3, 3], 0, 1, "float32", 4) as tf.Tensor4D; // [F,C,kh,kw]
    const shifts = activationShifts(3), beta = [0.6, 0.3, 0.1];
    const v = tf.tensor1d(shifts), b = tf.tensor1d(beta);
    // the float simulation: A = Σ β_n H_{v_n}(R), Ŵ = Σ α_m B_m, filt(A, Ŵ)
    const floatSim = tf.tidy(() =>
      abcConv2d(abcActivation(r, v, b) as tf.Tensor4D, w, { M: 3, pad: 1 })
    );
    const binarized = binarizeWeights(w, 3);
    const weights = packBases(binarized);
    // H_{v_n}(R) = sign(R + v_n − 0.5): the kernel reads the signs itself
    const activations = shifts.map((s) => r.add(s - 0.5) as tf.Tensor4D);
    const y = binaryConvSum({ activations, beta, weights }, { pad: 1 });
    assertClose(y, floatSim.dataSync(), "binary vs float ABC conv", 1e-5);
    tf.dispose([r, w, v, b, floatSim, binarized.bases, binarized.alpha, y, ...activations]);
  });

  Deno.test(`binaryConv2d of an empty batch or no filters is empty (${backend})`, async () => {
    await setBackend(backend);
    const x = tf.ones([0, 3, 5, 5]) as tf.Tensor4D, w = tf.ones([0, 3, 3, 3]) as tf.Tensor4D;
    const x1 = tf.ones([1, 3, 5, 5]) as tf.Tensor4D, w1 = tf.ones([2, 3, 3, 3]) as tf.Tensor4D;
    const ys = [binaryConv2d(x, w1, { pad: 1 }), binaryConv2d(x1, w, { pad: 1 })];
    assertEquals(ys.map((y) => [y.shape, y.size]), [[[0, 2, 5, 5], 0], [[1, 0, 5, 5], 0]]);
    tf.dispose([x, w, x1, w1, ...ys]);
  });

  Deno.test(`the binary ops free every temporary (${backend})`, async () => {
    await setBackend(backend);
    const x = tf.tensor4d(signs([1, 33, 6, 6], 1), [1, 33, 6, 6]);
    const w = tf.tensor4d(signs([4, 33, 3, 3], 2), [4, 33, 3, 3]);
    const packed = packSigns(w, 1);
    const wb = w.expandDims(0);
    const weights = packBases({ bases: wb, alpha: [0.5] });
    const run = () => {
      tf.dispose([
        binaryConv2d(x, w, { pad: 1 }),
        binaryConv2dPacked(x, packed, { stride: 2 }),
        binaryConvSum({ activations: [x, x], beta: [1, 2], weights }, { pad: 1 }),
      ]);
    };
    run();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) run();
    assertEquals(tf.memory().numTensors, before);
    tf.dispose([x, w, wb]);
  });
}

Deno.test("binary ops reject bad input with the argument named", async () => {
  await setBackend("cpu");
  tf.tidy(() => checkErrors());
});

function checkErrors() {
  const x = tf.ones([1, 3, 5, 5]) as tf.Tensor4D, w = tf.ones([2, 3, 3, 3]) as tf.Tensor4D;
  const w4 = tf.ones([2, 4, 3, 3]) as tf.Tensor4D;
  assertThrows(() => binaryConv2d(x, w4), RangeError, "channel mismatch: x [N,C,H,W] has C=3");
  assertThrows(
    () => binaryConv2d(x, w, { stride: 0 }),
    RangeError,
    "stride must be an integer >= 1",
  );
  assertThrows(() => binaryConv2d(x, w, { pad: [1] as never }), RangeError, "pad must be");
  assertThrows(
    () => binaryConv2d(x, w, { padValue: -1 as never }),
    RangeError,
    "padValue must be 0 or 1, got -1",
  );
  assertThrows(() => binaryConv2d(x, tf.ones([7, 7]) as never), RangeError, "w must have rank 4");
  assertThrows(() => binaryConv2d([1] as never, w), TypeError, "x must be a tf.Tensor");
  const none = tf.ones([1, 0, 5, 5]) as tf.Tensor4D;
  assertThrows(
    () => binaryConv2d(none, tf.ones([2, 0, 3, 3]) as tf.Tensor4D),
    RangeError,
    "no channels",
  );
  assertThrows(
    () => binaryConv2d(x, tf.ones([2, 3, 6, 6]) as tf.Tensor4D),
    RangeError,
    "larger than the padded input",
  );
  assertThrows(
    () => binaryConv2dPacked(x, packSigns(w, 0)),
    RangeError,
    "packed along axis 1, got shape [2,3,3,3] packed along axis 0",
  );
  assertThrows(
    () => binaryConv2dPacked(x, { words: [1] } as never),
    TypeError,
    "w must be PackedSigns",
  );
  const bases = tf.ones([2, 2, 3, 3, 3]);
  assertThrows(
    () => packBases({ bases, alpha: [1] }),
    RangeError,
    "alpha must be 2 finite numbers",
  );
  assertThrows(
    () => packBases({ bases: w, alpha: [1] }),
    RangeError,
    "bases must be float32 [M,F,C,kh,kw]",
  );
  const weights = packBases({ bases, alpha: [1, 2] });
  assertThrows(
    () => binaryConvSum({ activations: [x], beta: [1, 2], weights }),
    RangeError,
    "beta must be 1 finite numbers",
  );
  assertThrows(
    () =>
      binaryConvSum({
        activations: [x, tf.ones([1, 3, 6, 5]) as tf.Tensor4D],
        beta: [1, 2],
        weights,
      }),
    RangeError,
    "activations[1] has shape [1,3,6,5]",
  );
  assertThrows(
    () => binaryConvSum({ activations: [], beta: [], weights }),
    TypeError,
    "activations must be a non-empty array",
  );
  assertThrows(
    () =>
      binaryConvSum({
        activations: [x],
        beta: [1],
        weights: { ...weights, alpha: [1, 2] as never },
      }),
    TypeError,
    "weights must be PackedBases",
  );
  assertEquals(binaryConv2d(x, w).shape, [1, 2, 3, 3]); // and the same inputs, valid, pass
}
