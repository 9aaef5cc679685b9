/**
 * The idx format of MNIST and Fashion-MNIST: a big-endian header (magic `0x0000TTDD`, type TT =
 * 0x08 unsigned bytes, DD dimensions, then DD 32-bit sizes) followed by the data.
 *
 * @module
 */

/** A parsed idx file. */
export interface Idx {
  dims: number[];
  data: Uint8Array;
}

/**
 * Parses idx bytes, checking the magic number, the number of dimensions and that the file is
 * exactly as long as its header says. Errors name `name` (the file).
 *
 * @param bytes the whole file.
 * @param name the file's name or path, for error messages.
 * @param expectedDims the number of dimensions the file must have (3 for images, 1 for labels).
 *
 * @example
 * ```ts
 * import { readIdx } from "@convgrad/data";
 * const bytes = Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 2, 7, 9);
 * readIdx(bytes, "labels").dims; // [2]
 * ```
 */
export function readIdx(bytes: Uint8Array, name: string, expectedDims?: number): Idx {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`readIdx: bytes of ${name} must be a Uint8Array`);
  }
  if (bytes.length < 4) throw new RangeError(`${name}: truncated idx file (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const nd = magic & 0xff;
  if ((magic & 0xffffff00) !== 0x00000800 || nd < 1) {
    throw new RangeError(
      `${name}: bad idx magic number 0x${magic.toString(16).padStart(8, "0")} ` +
        "(expected 0x0000080D: unsigned bytes, D dimensions)",
    );
  }
  if (expectedDims !== undefined && nd !== expectedDims) {
    throw new RangeError(`${name}: expected ${expectedDims} dimensions, the header says ${nd}`);
  }
  const header = 4 + 4 * nd;
  if (bytes.length < header) throw new RangeError(`${name}: truncated idx header`);
  const dims = Array.from({ length: nd }, (_, i) => view.getUint32(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== header + size) {
    throw new RangeError(
      `${name}: file is ${bytes.length} bytes, the header [${dims}] needs ${header + size}` +
        (bytes.length < header + size ? " (truncated)" : " (trailing bytes)"),
    );
  }
  return { dims, data: bytes.subarray(header) };
}
