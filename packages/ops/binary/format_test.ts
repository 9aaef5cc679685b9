import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertThrows } from "@convgrad/base/testing";
import { decodePackedBases, encodePackedBases, packBases } from "./mod.ts";

function sample() {
  const bases = tf.randomUniform([3, 16, 64, 3, 3], -1, 1, "float32", 9); // read as signs
  const packed = packBases({ bases, alpha: [0.5, -1.25, 3e-3] });
  bases.dispose();
  return { float: bases.size * 4, packed };
}

Deno.test("encodePackedBases → decodePackedBases gives back every bit and α", () => {
  const { packed } = sample();
  const back = decodePackedBases(encodePackedBases(packed));
  assertEquals(back.bases.shape, [3, 16, 64, 3, 3]);
  assertEquals(back.bases.axis, 2);
  assertEquals(Array.from(back.bases.words), Array.from(packed.bases.words));
  assertEquals(Array.from(back.alpha), Array.from(packed.alpha));
});

Deno.test("the saved bases are 32x smaller than float32, plus a header", () => {
  const { float, packed } = sample();
  const bytes = encodePackedBases(packed);
  // 3·16·3·3 pixels × 2 words × 4 bytes of bits, 3 float32 α, and the JSON header
  assertEquals(packed.bases.words.byteLength, float / 32);
  const header = new DataView(bytes.buffer).getUint32(4, true);
  assertEquals(bytes.length, ((8 + header + 3) & ~3) + 3 * 4 + float / 32);
});

Deno.test("decodePackedBases rejects bytes that are not packed bases, saying why", () => {
  const bytes = encodePackedBases(sample().packed);
  const bad = bytes.slice();
  bad[0] = 0x58; // "X"
  assertThrows(() => decodePackedBases(bad), RangeError, 'magic is "XGPB"');
  assertThrows(() => decodePackedBases(bytes.subarray(0, 5)), RangeError, "8-byte preamble");
  assertThrows(
    () => decodePackedBases(bytes.subarray(0, bytes.length - 4)),
    RangeError,
    "expected",
  );
  const longer = new Uint8Array(bytes.length + 4);
  longer.set(bytes);
  assertThrows(() => decodePackedBases(longer), RangeError, "expected");
  const v2 = bytes.slice();
  const at = new TextDecoder().decode(v2).indexOf('"version":1');
  v2[at + 10] = 0x32; // "2"
  assertThrows(() => decodePackedBases(v2), RangeError, "version 2");
  assertThrows(() => decodePackedBases([1, 2] as never), TypeError, "bytes must be a Uint8Array");
});
