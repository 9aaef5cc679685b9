import { assertEquals, assertRejects } from "@convgrad/base/testing";
import { captionGrid, curvesPlot } from "./report.ts";

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Uint8Array): [number, number] {
  const v = new DataView(png.buffer, png.byteOffset);
  return [v.getUint32(16), v.getUint32(20)];
}

Deno.test("captionGrid: one cell per sample, four to a row; bad samples are named", async () => {
  const dir = await Deno.makeTempDir({ prefix: "convgrad-report-" });
  const image = new Float32Array(64 * 64).fill(0.5);
  const sample = { image, generated: "a large two", truth: ["a large two"] };
  await captionGrid(`${dir}/one.png`, [sample, { ...sample, generated: "a small two" }], 64);
  // Vega: 4 cells of 260 px across, a row of 128 + 70 px, padding 8; PNG at 1.5x.
  assertEquals(pngSize(await Deno.readFile(`${dir}/one.png`)), [1584, 321]);
  await captionGrid(`${dir}/two.png`, Array(5).fill(sample), 64);
  assertEquals(pngSize(await Deno.readFile(`${dir}/two.png`)), [1584, 618]);
  await assertRejects(() => captionGrid(`${dir}/x.png`, [], 64), RangeError, "no samples");
  await assertRejects(
    () => captionGrid(`${dir}/x.png`, [{ ...sample, image: new Float32Array(10) }], 64),
    RangeError,
    "samples[0].image has 10 values, expected 4096",
  );
  await curvesPlot(`${dir}/curves`, [{ epoch: 0, loss: 9 }, { epoch: 1, loss: 3 }], [
    { epoch: 1, valLoss: 4, valExactMatch: 0.2, valBleu4: 0.5 },
  ], "test");
  assertEquals((await Deno.readTextFile(`${dir}/curves.svg`)).startsWith("<svg"), true);
  await Deno.remove(dir, { recursive: true });
});
