/**
 * The webgl kernels' index arithmetic, checked in Deno: what lets the shaders read without bounds
 * checks. Their values are in the parity table; what it cannot see runs in Chromium in
 * `tests/webgl/webgl_test.ts`.
 */
import { assert } from "@convgrad/base/testing";
import { band, filterPadding } from "./shaders_webgl.ts";

/** Axis geometries: input size, kernel, stride, pad (negative: the dX crop). */
function* geometries() {
  for (let size = 1; size <= 9; size++) {
    for (let k = 1; k <= 4; k++) {
      for (let s = 1; s <= 3; s++) {
        for (let p = -2; p <= 4; p++) {
          const outs = Math.floor((size + 2 * Math.max(p, 0) - k) / s) + 1;
          if (outs >= 1) yield { size, k, s, p, outs };
        }
      }
    }
  }
}

Deno.test("correlate: each 2-row block's band covers its taps and stays in the padded input", () => {
  for (const { size, k, s, p, outs } of geometries()) {
    const b = band(size, outs, 2, k, s, p);
    const at = `size ${size} k ${k} s ${s} p ${p}`;
    assert(b.start % 2 === 0 && b.start - p === b.skew, `${at}: band not texel-aligned`);
    for (let i = 0; i < outs; i++) {
      const i0 = i - (i % 2); // the fragment's block
      for (let q = 0; q < k; q++) {
        const row = i * s + q - p; // the x row tap q of output i reads
        if (b.direct) {
          assert(row >= 0 && row < size, `${at}: direct read of row ${row}`);
        } else {
          const padded = row + b.start, rel = padded - i0 * s;
          assert(rel === (i - i0) * s + b.skew + q, `${at}: lane formula`);
          assert(rel >= 0 && rel < 2 * b.texels, `${at}: tap outside the band`);
          assert(i0 * s + 2 * b.texels <= b.padded, `${at}: band past the padded input`);
        }
      }
    }
  }
});

Deno.test("dK: every step reads inside the padded x and real windows inside the extent", () => {
  for (const { size, k, s, p, outs } of geometries()) {
    if (p < 0) continue;
    const pads = filterPadding([1, 1, size, 1], [1, 1, outs, 1], [1, 1, k, 1], [s, 1], [p, 0]);
    const { rows } = pads, [Hp] = pads.xShape.slice(2), Hq = pads.dyShape[2];
    const at = `size ${size} k ${k} s ${s} p ${p}`;
    assert(Hq % 4 === 0 && Hq >= outs, `${at}: dY padded to ${Hq}`);
    for (let q0 = 0; q0 < k; q0 += 2) {
      for (let i0 = 0; i0 < Hq; i0 += 4) {
        assert(i0 * s + q0 + 2 * rows.texels <= Hp, `${at}: step ${i0} reads past ${Hp} rows`);
      }
    }
    for (let i = 0; i < outs; i++) {
      for (let q = 0; q < k; q++) {
        const row = i * s + q - p;
        if (row >= 0 && row < size) {
          assert(row < pads.extent[0], `${at}: row ${row} of a window cropped away`);
        }
      }
    }
  }
});
