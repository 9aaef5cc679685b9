import { createRng } from "@convgrad/base";
import { assertEquals, assertRejects } from "@convgrad/base/testing";
import { decodePng, TUXPAINT_STAMPS } from "./mod.ts";
import { chunk, png } from "./png_fixture.ts";

Deno.test("decodePng undoes every filter type on RGBA rows", async () => {
  const w = 5, h = 10, rows: Uint8Array[] = [];
  for (let y = 0; y < h; y++) {
    rows.push(
      Uint8Array.from({ length: w * 4 }, (_, i) => (y * 37 + i * 53 + ((i * y) % 7) * 29) & 0xff),
    );
  }
  const img = await decodePng(png(w, h, 8, 6, rows, { filters: [0, 1, 2, 3, 4], bpp: 4 }));
  assertEquals([img.width, img.height], [w, h]);
  assertEquals(Array.from(img.pixels), rows.flatMap((r) => Array.from(r)));
  // Values 0..3 make Paeth's ties (equal distances) common: the order of its tie-breaks matters.
  const rand = createRng(3), small: Uint8Array[] = [];
  for (let y = 0; y < 12; y++) {
    small.push(Uint8Array.from({ length: 32 }, () => Math.floor(rand() * 4)));
  }
  const paeth = await decodePng(png(8, 12, 8, 6, small, { filters: [4], bpp: 4 }));
  assertEquals(Array.from(paeth.pixels), small.flatMap((r) => Array.from(r)));
});

Deno.test("decodePng expands grey, grey+alpha, RGB, 16-bit and packed bit depths", async () => {
  // 3x2 grey at 2 bits: samples 0..3 scale to 0, 85, 170, 255; rows pad to whole bytes.
  const g2 = await decodePng(
    png(3, 2, 2, 0, [Uint8Array.of(0b00011011), Uint8Array.of(0b11100100)], { filters: [1, 2] }),
  );
  const grey = (v: number) => [v, v, v, 255];
  assertEquals(Array.from(g2.pixels), [0, 85, 170, 255, 170, 85].flatMap(grey));
  const g1 = await decodePng(png(9, 1, 1, 0, [Uint8Array.of(0b10100000, 0b10000000)]));
  assertEquals(Array.from(g1.pixels), [1, 0, 1, 0, 0, 0, 0, 0, 1].flatMap((b) => grey(255 * b)));
  const ga = await decodePng(png(2, 1, 8, 4, [Uint8Array.of(10, 20, 30, 40)], { bpp: 2 }));
  assertEquals(Array.from(ga.pixels), [10, 10, 10, 20, 30, 30, 30, 40]);
  const rgb16 = await decodePng(
    png(1, 2, 16, 2, [Uint8Array.of(1, 2, 3, 4, 5, 6), Uint8Array.of(200, 0, 100, 9, 50, 255)], {
      filters: [4],
      bpp: 6,
    }),
  );
  assertEquals(Array.from(rgb16.pixels), [1, 3, 5, 255, 200, 100, 50, 255]);
});

Deno.test("decodePng reads palettes and tRNS transparency (palette alpha and colour keys)", async () => {
  const plte = chunk("PLTE", Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255));
  const trns = chunk("tRNS", Uint8Array.of(128)); // entry 0 half transparent, the rest opaque
  const p4 = await decodePng(png(3, 1, 4, 3, [Uint8Array.of(0x01, 0x20)], { extra: [plte, trns] }));
  assertEquals(Array.from(p4.pixels), [255, 0, 0, 128, 0, 255, 0, 255, 0, 0, 255, 255]);
  const key = chunk("tRNS", Uint8Array.of(0, 7, 0, 8, 0, 9)); // RGB (7, 8, 9) is transparent
  const rgb = await decodePng(
    png(2, 1, 8, 2, [Uint8Array.of(7, 8, 9, 7, 8, 10)], { extra: [key], bpp: 3 }),
  );
  assertEquals(Array.from(rgb.pixels), [7, 8, 9, 0, 7, 8, 10, 255]);
});

Deno.test("decodePng rejects what is not a PNG it can read, saying why", async () => {
  await assertRejects(() => decodePng(Uint8Array.of(1, 2, 3)), RangeError, "PNG signature");
  const ok = png(1, 1, 8, 0, [Uint8Array.of(0)]);
  const interlaced = ok.slice();
  interlaced[8 + 8 + 12] = 1; // IHDR's interlace byte
  await assertRejects(() => decodePng(interlaced), RangeError, "interlaced");
  const badDepth = ok.slice();
  badDepth[8 + 8 + 8] = 3;
  await assertRejects(() => decodePng(badDepth), RangeError, "bit depth 3");
  await assertRejects(() => decodePng(ok.subarray(0, 45)), RangeError, "runs past the end");
  await assertRejects(
    () => decodePng(png(1, 1, 8, 3, [Uint8Array.of(0)])),
    RangeError,
    "palette image without PLTE",
  );
});

const stamps = await Deno.stat(TUXPAINT_STAMPS).then(() => true, () => false);
Deno.test({
  name: "decodePng matches netpbm's pngtopnm on real stamps (RGBA, and palette + tRNS)",
  ignore: !stamps,
  async fn() {
    // Sums over visible pixels of R, G, B and over all of A, taken with pngtopnm (-alpha).
    for (
      const [file, w, h, sums] of [
        ["animals/birds/owl.png", 187, 199, [3105564, 3166392, 2597596, 4628843]],
        ["town/roadsigns/stop.png", 152, 152, [4099257, 1385206, 1557374, 4866164]],
      ] as const
    ) {
      const img = await decodePng(await Deno.readFile(`${TUXPAINT_STAMPS}/${file}`));
      assertEquals([img.width, img.height], [w, h]);
      const s = [0, 0, 0, 0];
      for (let i = 0; i < w * h; i++) {
        for (let k = 0; k < 3; k++) if (img.pixels[4 * i + 3] > 0) s[k] += img.pixels[4 * i + k];
        s[3] += img.pixels[4 * i + 3];
      }
      assertEquals(s, [...sums], file);
    }
  },
});
if (!stamps) {
  console.warn(
    `real-stamp PNG test ignored: ${TUXPAINT_STAMPS} is absent ` +
      "(apt-get install tuxpaint-stamps-default)",
  );
}
