/**
 * A small PNG decoder over the platform's zlib (`DecompressionStream("deflate")`): every colour
 * type and bit depth of the format, palettes and `tRNS` transparency, non-interlaced images (the
 * photo stamps the image-folder datasets read are all of that kind).
 *
 * @module
 */

/** A decoded image: 8-bit RGBA, row-major `[height, width, 4]`. */
export interface RgbaImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Samples per pixel of each PNG colour type. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Bit depths the format allows for each colour type. */
const DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

async function inflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Undoes the per-row filters in place; returns the filtered-free rows without filter bytes. */
function unfilter(raw: Uint8Array, height: number, stride: number, bpp: number): Uint8Array {
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const type = raw[y * (stride + 1)], src = y * (stride + 1) + 1, row = y * stride;
    const prev = row - stride; // the row above (zeros above the first)
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? out[row + i - bpp] : 0;
      const b = y > 0 ? out[prev + i] : 0;
      const c = y > 0 && i >= bpp ? out[prev + i - bpp] : 0;
      const x = raw[src + i];
      let v: number;
      switch (type) {
        case 0:
          v = x;
          break;
        case 1:
          v = x + a;
          break;
        case 2:
          v = x + b;
          break;
        case 3:
          v = x + ((a + b) >> 1);
          break;
        case 4:
          v = x + paeth(a, b, c);
          break;
        default:
          throw new RangeError(`decodePng: row ${y} has filter type ${type}, expected 0..4`);
      }
      out[row + i] = v & 0xff;
    }
  }
  return out;
}

/**
 * Decodes a PNG file into 8-bit RGBA (16-bit samples keep their high byte; grey, palette and
 * `tRNS` colour keys are expanded).
 *
 * @example
 * ```ts
 * import { decodePng } from "@convgrad/data";
 * const png = await Deno.readFile("/usr/share/tuxpaint/stamps/animals/birds/owl.png");
 * const { width, height, pixels } = await decodePng(png); // pixels: [height, width, 4]
 * ```
 */
export async function decodePng(bytes: Uint8Array): Promise<RgbaImage> {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`decodePng: bytes must be a Uint8Array, got ${bytes}`);
  }
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new RangeError("decodePng: bytes do not start with the PNG signature");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0, height = 0, depth = 0, colorType = -1, palette: Uint8Array | undefined;
  let trns: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  for (let at = 8; at + 8 <= bytes.length;) {
    const len = view.getUint32(at), type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (at + 12 + len > bytes.length) {
      throw new RangeError(`decodePng: chunk ${type} at byte ${at} runs past the end of the file`);
    }
    const data = bytes.subarray(at + 8, at + 8 + len);
    at += 12 + len;
    if (type === "IHDR") {
      if (len !== 13) throw new RangeError(`decodePng: IHDR has ${len} bytes, expected 13`);
      width = view.getUint32(data.byteOffset - bytes.byteOffset);
      height = view.getUint32(data.byteOffset - bytes.byteOffset + 4);
      [depth, colorType] = [data[8], data[9]];
      if (!(colorType in DEPTHS) || !DEPTHS[colorType].includes(depth)) {
        throw new RangeError(
          `decodePng: colour type ${colorType} with bit depth ${depth} is not valid PNG`,
        );
      }
      if (data[12] !== 0) throw new RangeError("decodePng: interlaced PNGs are not supported");
    } else if (type === "PLTE") palette = data;
    else if (type === "tRNS") trns = data;
    else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
  }
  if (width < 1 || height < 1) throw new RangeError("decodePng: no IHDR chunk with a size");
  if (idat.length === 0) throw new RangeError("decodePng: no IDAT chunk");
  if (colorType === 3 && !palette) throw new RangeError("decodePng: palette image without PLTE");
  const joined = new Uint8Array(idat.reduce((n, d) => n + d.length, 0));
  idat.reduce((o, d) => (joined.set(d, o), o + d.length), 0);
  const channels = CHANNELS[colorType];
  const stride = Math.ceil(width * channels * depth / 8);
  const raw = await inflate(joined);
  if (raw.length < height * (stride + 1)) {
    throw new RangeError(
      `decodePng: image data inflates to ${raw.length} bytes, expected ${height * (stride + 1)}`,
    );
  }
  const rows = unfilter(raw, height, stride, Math.max(1, channels * depth / 8));
  if (colorType === 6 && depth === 8) return { width, height, pixels: rows }; // already RGBA
  // sample(y, x, k): the k-th sample of a pixel at the image's bit depth.
  const sample = (y: number, x: number, k: number): number => {
    const i = x * channels + k, row = y * stride;
    if (depth === 8) return rows[row + i];
    if (depth === 16) return (rows[row + 2 * i] << 8) | rows[row + 2 * i + 1];
    const bit = i * depth, byte = rows[row + (bit >> 3)];
    return (byte >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
  };
  // to8: a sample scaled to 8 bits (palette indices are not samples and stay as they are).
  const max = (1 << depth) - 1;
  const to8 = (v: number) => depth === 16 ? v >> 8 : depth === 8 ? v : Math.round(v * 255 / max);
  const key = trns && colorType !== 3
    ? Array.from({ length: trns.length >> 1 }, (_, k) => (trns![2 * k] << 8) | trns![2 * k + 1])
    : undefined; // the colour key, at the image's bit depth
  const pixels = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      if (colorType === 3) {
        const p = sample(y, x, 0);
        if (3 * p + 2 >= palette!.length) {
          throw new RangeError(
            `decodePng: palette index ${p} past a ${palette!.length / 3}-entry PLTE`,
          );
        }
        pixels.set(palette!.subarray(3 * p, 3 * p + 3), o);
        pixels[o + 3] = trns && p < trns.length ? trns[p] : 255;
        continue;
      }
      const s = Array.from({ length: channels }, (_, k) => sample(y, x, k));
      const grey = channels <= 2;
      const rgb = grey ? [s[0], s[0], s[0]] : s.slice(0, 3);
      pixels[o] = to8(rgb[0]);
      pixels[o + 1] = to8(rgb[1]);
      pixels[o + 2] = to8(rgb[2]);
      const alpha = channels === 2 || channels === 4 ? to8(s[channels - 1]) : 255;
      const keyed = key && (grey ? s[0] === key[0] : rgb.every((v, k) => v === key[k]));
      pixels[o + 3] = keyed ? 0 : alpha;
    }
  }
  return { width, height, pixels };
}
