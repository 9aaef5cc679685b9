import { assert, assertEquals, assertThrows } from "@convgrad/base/testing";
import { centerLikeMnist } from "./preprocess.ts";

/** A width×height canvas with `f(x, y)` drawn into the rectangle at (x0, y0) of size w×h. */
function canvas(
  width: number,
  height: number,
  [x0, y0, w, h]: number[],
  f: (x: number, y: number) => number = () => 1,
): Float32Array {
  const ink = new Float32Array(width * height);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) ink[(y0 + y) * width + x0 + x] = f(x, y);
  return ink;
}

const sum = (a: Float32Array) => a.reduce((s, v) => s + v, 0);

/** Centre of mass (column, row) of a 28x28 image. */
function centre(img: Float32Array): [number, number] {
  let m = 0, cx = 0, cy = 0;
  img.forEach((v, i) => {
    m += v;
    cx += v * (i % 28);
    cy += v * Math.floor(i / 28);
  });
  return [cx / m, cy / m];
}

Deno.test("centerLikeMnist: a tall bar becomes a 3x20 bar with its centre at the field's", () => {
  const img = centerLikeMnist(canvas(100, 100, [70, 5, 10, 80]), 100, 100)!;
  const on: number[] = [];
  img.forEach((v, i) => v > 0 && on.push(i));
  assertEquals(on.length, 60);
  assert(img.every((v) => v === 0 || v === 1), "a full bar resamples to exact ones");
  const rows = new Set(on.map((i) => Math.floor(i / 28))), cols = new Set(on.map((i) => i % 28));
  assertEquals([rows.size, cols.size], [20, 3]);
  const [cx, cy] = centre(img);
  assert(Math.abs(cx - 13.5) <= 0.5 && Math.abs(cy - 13.5) <= 0.5, `centre (${cx}, ${cy})`);
});

Deno.test("centerLikeMnist: 2x2 blocks of a 40x40 drawing average to single pixels", () => {
  const block = (x: number, y: number) =>
    0.1 + ((Math.floor(x / 2) * 7 + Math.floor(y / 2) * 3) % 10) / 11;
  const img = centerLikeMnist(canvas(64, 48, [11, 3, 40, 40], block), 64, 48)!;
  // The 20x20 result sits somewhere in the field; find it by its first non-zero pixel.
  const first = img.findIndex((v) => v > 0), top = Math.floor(first / 28), left = first % 28;
  for (let y = 0; y < 20; y++) {
    for (let x = 0; x < 20; x++) {
      const got = img[(top + y) * 28 + left + x], want = Math.fround(block(2 * x, 2 * y));
      assert(Math.abs(got - want) < 1e-6, `pixel (${x}, ${y}): ${got} vs ${want}`);
    }
  }
  assertEquals(img.filter((v) => v > 0).length, 400);
});

Deno.test("centerLikeMnist: area averaging keeps the ink's mass times the scale", () => {
  // 37x53 box: scale 20/53 rounds the width to 14, so the two axes scale by 14/37 and 20/53.
  const f = (x: number, y: number) => 0.2 + ((x * 7 + y * 3) % 11) / 13.75;
  const ink = canvas(90, 70, [30, 9, 37, 53], f);
  const img = centerLikeMnist(ink, 90, 70)!;
  const expected = sum(ink) * (14 / 37) * (20 / 53);
  assert(Math.abs(sum(img) - expected) < 1e-3, `mass ${sum(img)} vs ${expected}`);
});

Deno.test("centerLikeMnist: the same strokes anywhere on the pad give the same image", () => {
  const f = (x: number, y: number) => (x + y) % 3 === 0 ? 1 : 0.3;
  const a = centerLikeMnist(canvas(120, 120, [0, 0, 31, 45], f), 120, 120)!;
  const b = centerLikeMnist(canvas(120, 120, [77, 60, 31, 45], f), 120, 120)!;
  assertEquals(Array.from(a), Array.from(b));
});

Deno.test("centerLikeMnist: no ink gives null; bad input is refused", () => {
  assertEquals(centerLikeMnist(new Float32Array(16).fill(0.01), 4, 4), null);
  assertThrows(() => centerLikeMnist(new Float32Array(15), 4, 4), RangeError, "16 values, got 15");
  assertThrows(() => centerLikeMnist(new Float32Array(0), 0, 4), RangeError, "width");
  assertThrows(() => centerLikeMnist([1, 2] as never, 2, 1), RangeError, "Float32Array");
});
