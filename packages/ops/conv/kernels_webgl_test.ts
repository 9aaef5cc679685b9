/**
 * The webgl kernels run only in a browser: the first test drives headless Chromium (WebGL 2 on
 * SwiftShader) through `tests/parity/browser.ts` for what the parity suite (`tests/parity/`,
 * values against the float64 oracle) cannot see. The others check, in Deno, the index arithmetic
 * that lets the shaders read without bounds checks.
 */
import { assert } from "@convgrad/base/testing";
import { withPage } from "../../../tests/parity/browser.ts";
import type { CheckResult } from "../../../tests/parity/webgl_checks.ts";
import { band, filterPadding } from "./shaders_webgl.ts";

Deno.test("webgl kernels in Chromium: packed layout, unreached values, leaks, WebGL 1", async (t) => {
  const results = await withPage(
    new URL("../../../tests/parity/page.ts", import.meta.url),
    (page) => page.call<CheckResult[]>("webglChecks"),
  );
  assert(results.length === 4, `expected 4 checks, got ${results.length}`);
  for (const r of results) {
    await t.step(r.name, () => assert(r.ok, `${r.name}: ${r.detail}`));
  }
});

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
