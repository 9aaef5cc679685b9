import { assert, assertEquals, assertThrows } from "@convgrad/base/testing";
import { curvesChart, encodePng, renderVega, saveImageGrid, savePlot } from "./mod.ts";

/** Decodes an 8-bit grey or RGBA PNG (any row filter): size, channels and pixels. */
async function decodePng(png: Uint8Array) {
  const v = new DataView(png.buffer, png.byteOffset);
  assertEquals(Array.from(png.subarray(0, 8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const width = v.getUint32(16), height = v.getUint32(20), channels = png[25] === 0 ? 1 : 4;
  let at = 8, idat = new Uint8Array(0);
  while (at < png.length) {
    const len = v.getUint32(at), type = new TextDecoder().decode(png.subarray(at + 4, at + 8));
    if (type === "IDAT") idat = png.slice(at + 8, at + 8 + len);
    at += 12 + len;
  }
  const raw = new Uint8Array(
    await new Response(new Blob([idat]).stream().pipeThrough(new DecompressionStream("deflate")))
      .arrayBuffer(),
  );
  const stride = width * channels, pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (1 + stride)],
      row = raw.subarray(y * (1 + stride) + 1, (y + 1) * (1 + stride));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[y * stride + x - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
      const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const pred = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][f];
      pixels[y * stride + x] = (row[x] + pred) & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

Deno.test("encodePng round-trips grey and RGBA pixels", async () => {
  const grey = Uint8Array.from({ length: 5 * 3 }, (_, i) => i * 17);
  assertEquals(await decodePng(await encodePng(grey, 5, 3)), {
    width: 5,
    height: 3,
    channels: 1,
    pixels: grey,
  });
  const rgba = Uint8Array.from({ length: 2 * 2 * 4 }, (_, i) => 255 - i);
  assertEquals((await decodePng(await encodePng(rgba, 2, 2, { channels: 4 }))).pixels, rgba);
  await assertRejectsWith(() => encodePng(grey, 4, 3), "expected 4x3x1");
  await assertRejectsWith(
    () => encodePng(grey, 5, 3, { channels: 3 as 1 }),
    "channels must be 1 or 4",
  );
  await assertRejectsWith(() => encodePng([0] as never, 1, 1), "pixels must be a Uint8Array");
});

Deno.test("saveImageGrid lays out images as dark ink on white", async () => {
  const path = await Deno.makeTempFile({ suffix: ".png" });
  await saveImageGrid(path, [Float32Array.of(0, 1, 1, 0), Float32Array.of(1, 1, 1, 1)], {
    rows: 1,
    cols: 2,
    height: 2,
    width: 2,
    scale: 1,
    gap: 1,
  });
  const { width, height, pixels } = await decodePng(await Deno.readFile(path));
  assertEquals([width, height], [7, 4]);
  assertEquals(Array.from(pixels.subarray(7 + 1, 7 + 3)), [255, 0]); // first image, first row
  assertEquals(Array.from(pixels.subarray(7 + 4, 7 + 6)), [0, 0]);
  await assertRejectsWith(
    () => saveImageGrid(path, [new Float32Array(3)], { rows: 1, cols: 1, height: 2, width: 2 }),
    "images[0] has 3 values",
  );
  await assertRejectsWith(
    () => saveImageGrid(path, [], { rows: 1, cols: 1, height: 2, width: 2, gap: -1 }),
    "gap must be a non-negative integer, got -1",
  );
  await Deno.remove(path);
});

Deno.test("renderVega renders Vega-Lite to SVG with its text and a PNG of the scaled size", async () => {
  const spec = {
    title: "convgrad test chart",
    width: 200,
    height: 100,
    data: { values: [{ x: 1, y: 2 }, { x: 2, y: 3 }] },
    mark: "line",
    encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
  };
  const { svg, png } = await renderVega(spec, { scale: 2 });
  assert(svg.includes("convgrad test chart"));
  const w = Number(svg.match(/width="(\d+)"/)![1]);
  const h = Number(svg.match(/height="(\d+)"/)![1]);
  const { width, height, channels, pixels } = await decodePng(png);
  assertEquals([width, height], [2 * w, 2 * h]);
  // Opaque white background with dark marks and text on it.
  assert(pixels.every((p, i) => i % channels !== 3 || p === 255), "the PNG is not opaque");
  assert(pixels.some((p, i) => i % channels === 0 && p < 100), "the PNG is blank");
  const dir = await Deno.makeTempDir();
  await savePlot(`${dir}/sub/chart`, spec);
  assert((await Deno.stat(`${dir}/sub/chart.svg`)).size > 0);
  assert((await Deno.stat(`${dir}/sub/chart.png`)).size > 0);
  await Deno.remove(dir, { recursive: true });
  await assertRejectsWith(
    () => renderVega(null as never),
    "spec must be a Vega or Vega-Lite object",
  );
  await assertRejectsWith(() => renderVega(spec, { scale: 0 }), "scale must be > 0, got 0");
  await assertRejectsWith(() => savePlot("", spec), "path must be a non-empty string");
});

Deno.test("renderVega renders a Vega spec's text with the bundled font", async () => {
  const schema = "https://vega.github.io/schema/vega/v5.json";
  const text = (value: string) => ({
    $schema: schema,
    width: 120,
    height: 40,
    marks: [{
      type: "text",
      encode: {
        enter: { x: { value: 5 }, y: { value: 25 }, text: { value }, fontSize: { value: 20 } },
      },
    }],
  });
  const { svg, png } = await renderVega(text("glyphs"), { scale: 1 });
  assert(svg.includes("glyphs"));
  // Only the text can put ink on the white background: without the font the PNG stays blank.
  const ink = (p: Uint8Array) => p.filter((v, i) => i % 4 === 0 && v < 128).length;
  assert(ink((await decodePng(png)).pixels) > 50, "the text was not drawn");
  assertEquals(ink((await decodePng((await renderVega(text(""), { scale: 1 })).png)).pixels), 0);
  await assertRejectsWith(
    () => renderVega({ $schema: schema, mark: "line" }),
    'a Vega spec ($schema https://vega.github.io/schema/vega/v5.json) cannot have a "mark" key',
  );
  await assertRejectsWith(() => renderVega({ marks: 3 }), "cannot render the Vega spec");
  await assertRejectsWith(
    () => renderVega({ mark: "nope", data: { values: [] } }),
    "cannot render the Vega-Lite spec",
  );
});

async function assertRejectsWith(f: () => Promise<unknown>, msg: string) {
  const e = await f().then(() => null, (e) => e as Error);
  assert(e?.message.includes(msg), `expected an error with "${msg}", got ${e}`);
}

Deno.test("curvesChart: one panel per entry, a legend only where a panel has several lines", async () => {
  const spec = curvesChart("t", [
    { title: "a", xTitle: "x", yTitle: "y", points: [{ x: 1, y: 2 }, { x: 2, y: 1 }] },
    {
      title: "b",
      xTitle: "epoch",
      yTitle: "acc",
      perEpoch: true,
      points: [{ x: 1, y: 0.5, series: "train" }, { x: 1, y: 0.4, series: "val" }],
    },
  ]);
  const panels = spec.hconcat as {
    encoding: Record<string, unknown>;
    data: { values: unknown[] };
  }[];
  assertEquals(panels.length, 2);
  assertEquals("color" in panels[0].encoding, false);
  assertEquals("color" in panels[1].encoding, true);
  assertEquals(panels[1].data.values.length, 2);
  const { svg } = await renderVega(spec);
  assert(svg.includes(">val<") && svg.includes(">train<"), "legend entries missing from the SVG");
  assertThrows(
    () => curvesChart("t", [{ title: "a", xTitle: "x", yTitle: "y", points: [{ x: 1, y: NaN }] }]),
    RangeError,
    'panels[0] ("a") has a non-finite point',
  );
});
