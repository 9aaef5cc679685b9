/**
 * PNG files built by hand for the tests of the decoder and the image folders (a test helper, not
 * part of the package's surface).
 *
 * @module
 */
import { deflateSync } from "node:zlib";

/** One PNG chunk: length, type, data and a zero CRC. */
export function chunk(type: string, data: Uint8Array): Uint8Array {
  // The decoder does not check CRCs, so zeros stand in for them.
  const out = new Uint8Array(12 + data.length), v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  return out;
}

/**
 * A PNG built by hand: `rows` are the packed scanlines (no filter byte); each row is written with
 * filter `filters[y % filters.length]`, applied forwards here as the format defines it.
 */
export function png(
  w: number,
  h: number,
  depth: number,
  colorType: number,
  rows: Uint8Array[],
  { filters = [0], extra = [] as Uint8Array[], bpp = 1 } = {},
): Uint8Array {
  const ihdr = new Uint8Array(13), v = new DataView(ihdr.buffer);
  v.setUint32(0, w);
  v.setUint32(4, h);
  ihdr.set([depth, colorType, 0, 0, 0], 8);
  const raw: number[] = [];
  rows.forEach((row, y) => {
    const f = filters[y % filters.length], up = y > 0 ? rows[y - 1] : new Uint8Array(row.length);
    raw.push(f);
    for (let i = 0; i < row.length; i++) {
      const a = i >= bpp ? row[i - bpp] : 0, b = up[i], c = i >= bpp ? up[i - bpp] : 0;
      const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const pred = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][f];
      raw.push((row[i] - pred) & 0xff);
    }
  });
  const parts = [
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    chunk("IHDR", ihdr),
    ...extra,
    chunk("IDAT", new Uint8Array(deflateSync(Uint8Array.from(raw)))),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((o, p) => (out.set(p, o), o + p.length), 0);
  return out;
}
