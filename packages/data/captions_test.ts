import { assertEquals, assertThrows } from "@convgrad/base/testing";
import { captionWords, decodeCaptions, encodeCaption, makeVocab } from "./mod.ts";

const vocab = makeVocab(["<NULL>", "<START>", "<END>", "<UNK>", "a", "cat", "dog"]);

Deno.test("decodeCaptions follows cs231n: <NULL> skipped, stops at <END>, keeps the markers", () => {
  assertEquals(decodeCaptions([1, 4, 5, 2, 6, 6], vocab), "<START> a cat <END>");
  assertEquals(decodeCaptions(Int32Array.of(1, 0, 4, 0, 6), vocab), "<START> a dog");
  assertEquals(decodeCaptions([[1, 5, 2], [4, 2, 2], [0, 0]], vocab), [
    "<START> cat <END>",
    "a <END>",
    "",
  ]);
  assertEquals(decodeCaptions([], vocab), "");
  assertThrows(() => decodeCaptions([1, 7], vocab), RangeError, "captions[1] is 7");
  assertThrows(() => decodeCaptions([[1], [1, 2.5]], vocab), RangeError, "captions[1][1] is 2.5");
  assertThrows(() => decodeCaptions(3 as unknown as number[], vocab), TypeError, "captions must");
});

Deno.test("captionWords and encodeCaption", () => {
  assertEquals(captionWords([1, 4, 0, 5, 2, 6], vocab), ["a", "cat"]);
  assertEquals(Array.from(encodeCaption(["a", "dog", "bird"], vocab, 7)), [1, 4, 6, 3, 2, 0, 0]);
  assertThrows(() => encodeCaption(["a", "cat"], vocab, 3), RangeError, ">= 4");
  const noUnk = makeVocab(["<NULL>", "<START>", "<END>", "cat"]);
  assertThrows(() => encodeCaption(["constructor"], noUnk, 4), RangeError, `"<UNK>" is not`);
});

Deno.test("makeVocab rejects repeated and empty words", () => {
  assertEquals(makeVocab(["x", "y"]).wordToIdx, { x: 0, y: 1 });
  assertThrows(() => makeVocab(["x", "y", "x"]), RangeError, `"x" appears twice (ids 0 and 2)`);
  assertThrows(() => makeVocab(["x", ""]), TypeError, "words[1]");
});
