/**
 * The saved form of packed weight bases: one self-describing byte string, ~32x smaller than the
 * float32 weights it replaces.
 *
 * Layout (all integers little-endian):
 *
 * | bytes | content |
 * | --- | --- |
 * | 0–3 | ASCII `CGPB` |
 * | 4–7 | u32: byte length `h` of the header |
 * | 8 … 8+h | UTF-8 JSON `{"format":"convgrad-packed-bases","version":1,"shape":[M,F,C,kh,kw],"axis":2}` |
 * | … | zero bytes up to a multiple of 4 |
 * | 4·M bytes | α as float32 |
 * | the rest | the sign bits as u32 words, layout of {@linkcode PackedSigns} |
 *
 * @module
 */
import { checkPackedBases, type PackedBases } from "./bases.ts";
import { wordsFor } from "./pack.ts";

const MAGIC = "CGPB";
const FORMAT = "convgrad-packed-bases";
const VERSION = 1;

interface Header {
  format: string;
  version: number;
  shape: number[];
  axis: number;
}

const align4 = (n: number) => (n + 3) & ~3;

/**
 * Serialises packed bases (from `packBases`) to bytes; {@linkcode decodePackedBases} reads them
 * back bit for bit.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { encodePackedBases, packBases, setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const p = packBases({ bases: tf.ones([1, 64, 64, 3, 3]), alpha: [0.1] });
 * encodePackedBases(p).length; // ~4.7 KB, against 147 KB as float32
 * ```
 */
export function encodePackedBases(p: PackedBases): Uint8Array {
  const shape = checkPackedBases("encodePackedBases", p);
  const header: Header = { format: FORMAT, version: VERSION, shape, axis: 2 };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const alphaAt = align4(8 + json.length), wordsAt = alphaAt + 4 * p.alpha.length;
  const bytes = new Uint8Array(wordsAt + 4 * p.bases.words.length);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(4, json.length, true);
  bytes.set(json, 8);
  p.alpha.forEach((a, m) => view.setFloat32(alphaAt + 4 * m, a, true));
  p.bases.words.forEach((w, i) => view.setUint32(wordsAt + 4 * i, w, true));
  return bytes;
}

/**
 * Reads bytes written by {@linkcode encodePackedBases}; throws a `RangeError` naming what is wrong
 * when they are not such bytes (wrong magic, version, truncated, trailing data).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { decodePackedBases, encodePackedBases, packBases, setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const p = packBases({ bases: tf.ones([1, 2, 3, 1, 1]), alpha: [2] });
 * decodePackedBases(encodePackedBases(p)).alpha; // Float32Array [2]
 * ```
 */
export function decodePackedBases(bytes: Uint8Array): PackedBases {
  const op = "decodePackedBases";
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`${op}: bytes must be a Uint8Array, got ${typeof bytes}`);
  }
  const fail = (why: string): never => {
    throw new RangeError(`${op}: not packed bases (${bytes.length} bytes): ${why}`);
  };
  if (bytes.length < 8) fail("shorter than the 8-byte preamble");
  const magic = new TextDecoder().decode(bytes.subarray(0, 4));
  if (magic !== MAGIC) fail(`magic is ${JSON.stringify(magic)}, expected "${MAGIC}"`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h = view.getUint32(4, true);
  if (8 + h > bytes.length) fail(`header of ${h} bytes runs past the end`);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + h)));
  } catch (e) {
    return fail(`header is not JSON: ${(e as Error).message}`);
  }
  if (header.format !== FORMAT || header.version !== VERSION) {
    fail(`header says ${header.format} version ${header.version}, expected ${FORMAT} ${VERSION}`);
  }
  const shape = header.shape;
  if (
    !Array.isArray(shape) || shape.length !== 5 || header.axis !== 2 ||
    !shape.every((d) => Number.isInteger(d) && d >= 0)
  ) {
    fail(`shape ${JSON.stringify(shape)} / axis ${header.axis}, expected [M,F,C,kh,kw] / 2`);
  }
  const [M, F, C, kh, kw] = shape;
  const count = M * F * kh * kw * wordsFor(C);
  const alphaAt = align4(8 + h), wordsAt = alphaAt + 4 * M;
  if (bytes.length !== wordsAt + 4 * count) {
    fail(`expected ${wordsAt + 4 * count} bytes for shape [${shape}]`);
  }
  const alpha = new Float32Array(M);
  for (let m = 0; m < M; m++) alpha[m] = view.getFloat32(alphaAt + 4 * m, true);
  const words = new Uint32Array(count);
  for (let i = 0; i < count; i++) words[i] = view.getUint32(wordsAt + 4 * i, true);
  const p = { bases: { shape, axis: 2, words }, alpha };
  checkPackedBases(op, p);
  return p;
}
