import { assertEquals, assertThrows } from "./asserts.ts";
import { fromBase64 } from "./base64.ts";

Deno.test("fromBase64 decodes every byte value, padded or not", () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  let bin = "";
  for (const b of all) bin += String.fromCharCode(b);
  assertEquals(Array.from(fromBase64(btoa(bin))), Array.from(all));
  assertEquals(Array.from(fromBase64("AGFzbQ==")), [0, 97, 115, 109]);
  assertEquals(Array.from(fromBase64("")), []);
});

Deno.test("fromBase64 refuses what is not base64", () => {
  assertThrows(() => fromBase64("!!!"), Error, "");
  assertThrows(() => fromBase64(3 as unknown as string), TypeError, "text must be a base64 string");
});
