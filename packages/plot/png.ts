/**
 * A minimal PNG encoder (8-bit grey or RGBA, no filtering) over the platform's zlib
 * (`CompressionStream("deflate")`), for pictures made of pixels rather than marks.
 *
 * @module
 */

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length), v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * Encodes 8-bit pixels, row-major, `channels` 1 (grey) or 4 (RGBA), as a PNG file.
 *
 * @example
 * ```ts
 * import { encodePng } from "@convgrad/plot";
 * const png = await encodePng(new Uint8Array([0, 255, 255, 0]), 2, 2, { channels: 1 });
 * ```
 */
export async function encodePng(
  pixels: Uint8Array,
  width: number,
  height: number,
  { channels = 1 }: { channels?: 1 | 4 } = {},
): Promise<Uint8Array> {
  if (!(pixels instanceof Uint8Array)) {
    throw new TypeError(`encodePng: pixels must be a Uint8Array, got ${pixels}`);
  }
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    throw new RangeError(
      `encodePng: width and height must be positive integers, got ${width}x${height}`,
    );
  }
  if (channels !== 1 && channels !== 4) {
    throw new RangeError(`encodePng: channels must be 1 or 4, got ${channels}`);
  }
  if (pixels.length !== width * height * channels) {
    throw new RangeError(
      `encodePng: pixels has ${pixels.length} bytes, expected ${width}x${height}x${channels}`,
    );
  }
  const raw = new Uint8Array(height * (1 + width * channels)); // each row: filter byte 0, pixels
  for (let y = 0; y < height; y++) {
    raw.set(
      pixels.subarray(y * width * channels, (y + 1) * width * channels),
      y * (1 + width * channels) + 1,
    );
  }
  const zipped = new Uint8Array(
    await new Response(new Blob([raw]).stream().pipeThrough(new CompressionStream("deflate")))
      .arrayBuffer(),
  );
  const ihdr = new Uint8Array(13), v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, channels === 1 ? 0 : 6, 0, 0, 0], 8);
  const parts = [
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    chunk("IHDR", ihdr),
    chunk("IDAT", zipped),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((o, p) => (out.set(p, o), o + p.length), 0);
  return out;
}

/** Layout of {@linkcode saveImageGrid}. */
export interface GridOptions {
  rows: number;
  cols: number;
  height: number;
  width: number;
  /** Pixels per image pixel. Default 2. */
  scale?: number;
  /** Blank pixels between images. Default 2. */
  gap?: number;
}

/**
 * Writes grey images (each `height·width` floats in [0, 1], row-major; clipped) as one PNG grid,
 * row by row: e.g. inputs on the first row, reconstructions on the second.
 *
 * @example
 * ```ts
 * import { saveImageGrid } from "@convgrad/plot";
 * await saveImageGrid("/tmp/grid.png", [new Float32Array(4), new Float32Array(4).fill(1)], {
 *   rows: 1, cols: 2, height: 2, width: 2,
 * });
 * ```
 */
export async function saveImageGrid(
  path: string,
  images: ArrayLike<number>[],
  { rows, cols, height, width, scale = 2, gap = 2 }: GridOptions,
): Promise<void> {
  for (const [name, v] of Object.entries({ rows, cols, height, width, scale })) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`saveImageGrid: ${name} must be a positive integer, got ${v}`);
    }
  }
  if (!Number.isInteger(gap) || gap < 0) {
    throw new RangeError(`saveImageGrid: gap must be a non-negative integer, got ${gap}`);
  }
  if (images.length > rows * cols) {
    throw new RangeError(`saveImageGrid: ${images.length} images do not fit ${rows}x${cols}`);
  }
  const W = cols * (width * scale + gap) + gap, H = rows * (height * scale + gap) + gap;
  const px = new Uint8Array(W * H).fill(255);
  images.forEach((img, k) => {
    if (img.length !== height * width) {
      throw new RangeError(
        `saveImageGrid: images[${k}] has ${img.length} values, expected ${height * width}`,
      );
    }
    const x0 = gap + (k % cols) * (width * scale + gap),
      y0 = gap + Math.floor(k / cols) * (height * scale + gap);
    for (let y = 0; y < height * scale; y++) {
      for (let x = 0; x < width * scale; x++) {
        const v = img[Math.floor(y / scale) * width + Math.floor(x / scale)];
        // Ink is dark on white, as digits are drawn.
        px[(y0 + y) * W + x0 + x] = 255 - Math.round(255 * Math.min(1, Math.max(0, v)));
      }
    }
  });
  await Deno.writeFile(path, await encodePng(px, W, H));
}
