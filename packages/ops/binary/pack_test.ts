import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertThrows } from "@convgrad/base/testing";
import { packSigns, unpackSigns } from "./mod.ts";

Deno.test("packSigns: bit c of word 0 is 1 exactly for the negative entries", () => {
  const t = tf.tensor2d([[1, -1, 0, -2]]);
  const p = packSigns(t, 1);
  // entries 1 and 3 are negative: 0b1010
  assertEquals(Array.from(p.words), [10]);
  assertEquals(p.shape, [1, 4]);
  assertEquals(p.axis, 1);
  t.dispose();
});

Deno.test("packSigns: sign(0) = +1, also for -0; NaN is +1; tiny negatives are -1", () => {
  const t = tf.tensor1d([-0, NaN, -1e-40, -Infinity, 5, 0]);
  // bits 2 and 3: 0b1100
  assertEquals(Array.from(packSigns(t, 0).words), [12]);
  t.dispose();
});

Deno.test("packSigns: 33 channels need 2 words and the unused bits stay 0", () => {
  const v = new Float32Array(33).fill(1);
  v[32] = -1;
  v[0] = -1;
  const t = tf.tensor2d(v, [1, 33]);
  assertEquals(Array.from(packSigns(t, 1).words), [1, 1]);
  t.dispose();
});

Deno.test("packSigns: layout is the other axes in order, then the packed words", () => {
  const [A, L, B] = [3, 70, 5]; // 70 signs → 3 words
  const t = tf.randomUniform([A, L, B], -1, 1, "float32", 7);
  const v = t.dataSync();
  for (const axis of [1, -2]) {
    const p = packSigns(t, axis);
    assertEquals(p.axis, 1);
    assertEquals(p.words.length, A * B * 3);
    for (let a = 0; a < A; a++) {
      for (let c = 0; c < L; c++) {
        for (let b = 0; b < B; b++) {
          const bit = (p.words[(a * B + b) * 3 + (c >> 5)] >>> (c & 31)) & 1;
          assertEquals(bit, v[(a * L + c) * B + b] < 0 ? 1 : 0, `a=${a} c=${c} b=${b}`);
        }
      }
    }
  }
  t.dispose();
});

Deno.test("unpackSigns(packSigns(t, axis)) is sign(t) with sign(0) = +1, for every axis", () => {
  const shape = [2, 3, 37, 4];
  const t = tf.tidy(() => tf.randomUniform(shape, -2, 2, "float32", 11).round()); // many zeros
  const v = t.dataSync();
  const expected = Array.from(v, (x) => (x < 0 ? -1 : 1));
  for (let axis = 0; axis < 4; axis++) {
    const u = unpackSigns(packSigns(t, axis));
    assertEquals(u.shape, shape);
    assertEquals(Array.from(u.dataSync()), expected, `axis ${axis}`);
    u.dispose();
  }
  t.dispose();
});

Deno.test("packSigns reads int32 tensors too", () => {
  const t = tf.tensor1d([-3, 0, 7, -1], "int32");
  assertEquals(Array.from(packSigns(t, 0).words), [0b1001]);
  t.dispose();
});

Deno.test("packSigns / unpackSigns reject bad input with the argument named", () => {
  const t = tf.ones([2, 3]);
  assertThrows(() => packSigns([1, 2] as unknown as tf.Tensor, 0), TypeError, "t must be");
  assertThrows(() => packSigns(t, 2), RangeError, "axis must be an integer in [-2, 2), got 2");
  assertThrows(() => packSigns(t, 0.5), RangeError, "axis");
  assertThrows(() => packSigns(tf.scalar(1), 0), TypeError, "rank >= 1");
  const p = packSigns(t, 1);
  assertThrows(
    () => unpackSigns({ ...p, words: new Uint32Array(5) }),
    RangeError,
    "p.words has 5 words, but shape [2,3] packed along axis 1 needs 2",
  );
  assertThrows(() => unpackSigns({ ...p, axis: 2 }), RangeError, "p.axis");
  assertThrows(() => unpackSigns(null as never), TypeError, "PackedSigns");
  t.dispose();
});
