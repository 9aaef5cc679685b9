import * as tf from "@tensorflow/tfjs";
import { assert, assertClose, assertEquals, assertThrows } from "@convgrad/base/testing";
import { type BackendName, filt, setBackend } from "../mod.ts";
import * as R from "../conv/reference.ts";
import {
  ABC_GRADIENTS,
  abcConv2d,
  type AbcConv2dOptions,
  abcWeights,
  binarizeWeights,
  compareGradientRules,
} from "./mod.ts";
import { abcWeightGradRef, abcWeightsRef } from "./reference.ts";

const BACKENDS: BackendName[] = ["cpu", "wasm"];

interface Case {
  x: [number, number, number, number];
  w: [number, number, number, number];
  M: number;
  stride?: [number, number];
  pad?: [number, number];
}

const CASES: Case[] = [
  { x: [2, 3, 6, 6], w: [4, 3, 3, 3], M: 1 },
  { x: [2, 2, 7, 5], w: [3, 2, 3, 2], M: 3, stride: [2, 1], pad: [1, 1] },
  { x: [1, 1, 8, 8], w: [5, 1, 5, 5], M: 5, pad: [2, 2] },
  { x: [3, 2, 5, 5], w: [1, 2, 2, 2], M: 8 }, // 8 entries, 8 bases: some coincide
];

// Seeds start at 1: tf.randomNormal reads seed 0 as "unseeded".
const rand = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, "float32", seed);
const label = (c: Case) => `x[${c.x}] w[${c.w}] M=${c.M} s[${c.stride ?? 1}] p[${c.pad ?? 0}]`;

for (const backend of BACKENDS) {
  Deno.test(`${backend}: abcConv2d forward is Σ α_m filt(x, B_m) and matches the oracle`, async () => {
    await setBackend(backend);
    CASES.forEach((c, i) => {
      tf.tidy(() => {
        const x = rand(c.x, i + 1) as tf.Tensor4D, w = rand(c.w, 50 + i) as tf.Tensor4D;
        const conv = { stride: c.stride, pad: c.pad };
        const y = abcConv2d(x, w, { M: c.M, ...conv });
        const ref = R.filtRef(R.fromTensor(x), {
          data: abcWeightsRef(w.dataSync(), c.M),
          shape: c.w,
        }, conv);
        assertClose(y, ref.data, `${backend} forward ${label(c)}`);
        // The definition, one filt per base.
        const { bases, alpha } = binarizeWeights(w, c.M);
        const a = alpha.dataSync();
        const sum = tf.unstack(bases).map((b, m) => filt(x, b as tf.Tensor4D, conv).mul(a[m]))
          .reduce((s, t) => s.add(t));
        assertClose(y, sum.dataSync(), `${backend} Σ_m α_m filt(x, B_m) ${label(c)}`);
      });
    });
  });

  Deno.test(`${backend}: abcConv2d gradients follow each rule's formula`, async () => {
    await setBackend(backend);
    CASES.forEach((c, i) => {
      tf.tidy(() => {
        const x = rand(c.x, i + 1) as tf.Tensor4D, w = rand(c.w, 50 + i) as tf.Tensor4D;
        const conv = { stride: c.stride, pad: c.pad };
        const x64 = R.fromTensor(x), w64 = w.dataSync();
        const wHat = { data: abcWeightsRef(w64, c.M), shape: c.w };
        const dy = rand(R.filtRef(x64, wHat, conv).shape, 100 + i);
        const g = R.filtGradRef(x64, wHat, R.fromTensor(dy), conv);
        for (const rule of ABC_GRADIENTS) {
          const [dx, dw] = tf.grads((x: tf.Tensor, w: tf.Tensor) =>
            abcConv2d(x as tf.Tensor4D, w as tf.Tensor4D, { M: c.M, gradient: rule, ...conv })
              .mul(dy).sum()
          )([x, w]);
          assertClose(dx, g.dx.data, `${backend} ${rule} dx ${label(c)}`);
          assertClose(
            dw,
            abcWeightGradRef(w64, g.dk.data, c.M, rule),
            `${backend} ${rule} dw ${label(c)}`,
          );
        }
      });
    });
  });
}

Deno.test("gradcheck: only alpha_exact equals finite differences; the others are far off", async () => {
  await setBackend("cpu");
  const configs = [
    { xShape: [2, 2, 6, 6], wShape: [3, 2, 3, 3], M: 1 },
    { xShape: [2, 2, 6, 6], wShape: [3, 2, 3, 3], M: 3, stride: 2, pad: 1 },
    { xShape: [2, 2, 6, 6], wShape: [3, 2, 3, 3], M: 5 },
    { xShape: [2, 1, 5, 5], wShape: [1, 1, 2, 2], M: 6 }, // 4 entries, 6 bases: rank-deficient
  ] as const;
  for (const cfg of configs) {
    const rows = compareGradientRules({
      ...cfg,
      xShape: [...cfg.xShape],
      wShape: [...cfg.wShape],
      seed: 3,
    });
    const what = JSON.stringify(cfg);
    assertEquals(rows.map((r) => r.rule), [...ABC_GRADIENTS], what);
    for (const r of rows) {
      // Every rule shares filt's input gradient through Ŵ, which is exact.
      assert(r.inputRelError < 1e-3, `${what} ${r.rule}: dx error ${r.inputRelError}`);
      if (r.rule === "alpha_exact") {
        assert(r.matchesFiniteDifferences, `${what}: alpha_exact error ${r.weightRelError}`);
        assert(Math.abs(r.cosine - 1) < 1e-6 && Math.abs(r.normRatio - 1) < 1e-5, what);
      } else {
        // The surrogates are not the derivative: the worst sampled entry is off by over 30%, and
        // so is the whole gradient. (With few entries span(B) is nearly everything and they come
        // closest: the last config.)
        assert(!r.matchesFiniteDifferences && r.weightRelError > 0.3, `${what} ${r.rule}`);
        assert(r.relDistance > 0.3, `${what} ${r.rule}: ${JSON.stringify(r)}`);
      }
    }
  }
});

Deno.test("abcConv2d: the default rule is ste, and paper_literal is ste scaled by Σα²/Σα", async () => {
  await setBackend("cpu");
  tf.tidy(() => {
    const x = rand([2, 2, 6, 6], 1) as tf.Tensor4D, w = rand([3, 2, 3, 3], 2) as tf.Tensor4D;
    const grad = (o: Partial<AbcConv2dOptions>) =>
      tf.grad((w) => abcConv2d(x, w as tf.Tensor4D, { M: 3, ...o }).square().sum())(w);
    const ste = grad({ gradient: "ste" });
    assertClose(grad({}), ste.dataSync(), "default");
    const a = Array.from(binarizeWeights(w, 3).alpha.dataSync());
    const ratio = a.reduce((s, v) => s + v * v, 0) / a.reduce((s, v) => s + v, 0);
    assertClose(grad({ gradient: "paper_literal" }), ste.mul(ratio).dataSync(), "ratio", 1e-5);
  });
});

Deno.test("abcConv2d / abcWeights: no tensors leak across training steps or inference", async () => {
  for (const backend of BACKENDS) {
    await setBackend(backend);
    const x = rand([2, 2, 6, 6], 1) as tf.Tensor4D;
    for (const gradient of ABC_GRADIENTS) {
      const w = tf.variable(rand([3, 2, 3, 3], 2)) as tf.Variable<tf.Rank.R4>;
      const opt = tf.train.sgd(0.01);
      const step = () =>
        opt.minimize(() =>
          abcConv2d(x, w, { M: 3, gradient, pad: 1 }).square().mean() as tf.Scalar
        );
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) step();
      tf.dispose(abcConv2d(x, w, { M: 3 })); // no tape: nothing saved
      tf.dispose(abcWeights(w, { M: 2 }));
      assertEquals(tf.memory().numTensors, before, `${backend} ${gradient}`);
      tf.dispose(w);
      opt.dispose();
    }
    x.dispose();
  }
});

Deno.test("abcConv2d / abcWeights: reject bad input, naming the argument", async () => {
  await setBackend("cpu");
  tf.tidy(() => {
    const x = rand([1, 2, 5, 5], 1) as tf.Tensor4D, w = rand([3, 2, 3, 3], 2) as tf.Tensor4D;
    const bad = (o: unknown) => () => abcConv2d(x, w, o as AbcConv2dOptions);
    assertThrows(bad(undefined), TypeError, "abcConv2d: options must be an object with M");
    assertThrows(bad({}), RangeError, "abcConv2d: M (number of weight bases) must be");
    assertThrows(bad({ M: 0 }), RangeError, "got 0");
    assertThrows(bad({ M: 2, gradient: "exact" }), RangeError, "one of ste, paper_literal");
    assertThrows(bad({ M: 2, stride: 0 }), RangeError, "abcConv2d: stride");
    assertThrows(
      () => abcConv2d(x, rand([3, 1, 3, 3], 3) as tf.Tensor4D, { M: 2 }),
      RangeError,
      "channel mismatch",
    );
    assertThrows(
      () => abcConv2d(x.reshape([2, 5, 5]) as unknown as tf.Tensor4D, w, { M: 2 }),
      RangeError,
      "abcConv2d: x must have rank 4",
    );
    assertThrows(
      () => abcWeights(tf.tensor1d([1, 2], "int32"), { M: 2 }),
      TypeError,
      "abcWeights: w must have dtype float32",
    );
    assertThrows(
      () => abcWeights(tf.tensor1d([1, Infinity]), { M: 2 }),
      RangeError,
      "abcWeights: w must be finite",
    );
  });
});
