import { assert, assertEquals, assertThrows } from "@convgrad/base/testing";
import {
  captionWords,
  DIGIT_WORDS,
  type LabeledImages,
  mnistScenes,
  SCENE_RULES,
  SCENE_VOCAB,
  sceneCaption,
  type SceneDigit,
} from "./mod.ts";

/** Ten 28x28 "digits" (label i) whose ink is a distinct pattern inside MNIST's 20x20 box. */
function fakeDigits(): LabeledImages {
  const images = new Float32Array(10 * 784);
  for (let i = 0; i < 10; i++) {
    for (let r = 4; r < 24; r++) {
      for (let c = 4; c < 24; c++) {
        images[i * 784 + r * 28 + c] = ((i * 31 + r * 7 + c * 3) % 17) / 16;
      }
    }
  }
  return {
    images,
    labels: Uint8Array.from({ length: 10 }, (_, i) => i),
    n: 10,
    height: 28,
    width: 28,
  };
}

const side = (d: SceneDigit) => d.size === "large" ? 28 : 14;
const centre = (d: SceneDigit) => [d.x + side(d) / 2, d.y + side(d) / 2];

Deno.test("sceneCaption: the documented example and the unnamed gaps", () => {
  const seven: SceneDigit = { source: 1, label: 7, size: "small", x: 0, y: 0 }; // centre (7, 7)
  const two: SceneDigit = { source: 0, label: 2, size: "large", x: 20, y: 28 }; // centre (34, 42)
  assertEquals(sceneCaption([two, seven]), "a small seven above a large two".split(" "));
  // The same two, the seven now 35 px lower than the two: it is below.
  assertEquals(
    sceneCaption([{ ...two, y: 0 }, { ...seven, y: 42 }]).join(" "),
    "a small seven below a large two",
  );
  // Centres 3 px apart in height: level, "left of"; 4 px: unnamed.
  const a: SceneDigit = { source: 0, label: 1, size: "large", x: 0, y: 10 }; // centre (14, 24)
  const b: SceneDigit = { source: 0, label: 0, size: "small", x: 30, y: 20 }; // centre (37, 27)
  assertEquals(sceneCaption([b, a]).join(" "), "a large one left of a small zero");
  assertThrows(() => sceneCaption([a, { ...b, y: 21 }]), RangeError, "4px down");
  // Across: 8 px between centres is enough, 7 px is not.
  const c: SceneDigit = { source: 0, label: 3, size: "small", x: 15, y: 40 }; // centre (22, 47)
  assertEquals(sceneCaption([a, c]).join(" "), "a large one above a small three");
  assertThrows(() => sceneCaption([a, { ...c, x: 14 }]), RangeError, "7px apart across");
  assertThrows(() => sceneCaption([]), RangeError, "non-empty array");
  assertThrows(() => sceneCaption([{ ...a, label: 10 }]), RangeError, "got 10");
});

Deno.test("mnistScenes: every scene keeps the rules, its caption says what is drawn", () => {
  const digits = fakeDigits();
  const s = mnistScenes(digits, { count: 600, seed: 3 });
  assertEquals([s.n, s.height, s.width, s.captionLength], [600, 56, 56, 15]);
  assertEquals(s.images.length, 600 * 56 * 56);
  const perCount = [0, 0, 0, 0], words = new Set<string>();
  for (let i = 0; i < s.n; i++) {
    const scene = s.scenes[i];
    perCount[scene.length]++;
    // The caption read back word by word: `a <size> <digit>` then a relation, left to right.
    const w = captionWords(s.captions.subarray(i * 15, (i + 1) * 15), s.vocab);
    w.forEach((x) => words.add(x));
    let at = 0;
    scene.forEach((d, k) => {
      assert(d.x >= 0 && d.y >= 0 && d.x + side(d) <= 56 && d.y + side(d) <= 56, "off canvas");
      assertEquals(d.label, digits.labels[d.source]);
      if (k > 0) {
        const p = scene[k - 1], dx = centre(d)[0] - centre(p)[0], dy = centre(d)[1] - centre(p)[1];
        assert(dx >= SCENE_RULES.minGap, `scene ${i}: ${dx}px across`);
        const rel = dy >= 10 ? ["above"] : dy <= -10 ? ["below"] : ["left", "of"];
        assert(Math.abs(dy) >= 10 || Math.abs(dy) <= 3, `scene ${i}: ${dy}px down`);
        assertEquals(w.slice(at, at + rel.length), rel);
        at += rel.length;
        // Ink boxes (frame less a seventh per side) apart.
        for (const q of scene.slice(0, k)) {
          const m = (e: SceneDigit) => side(e) / 7;
          const sep = d.x + m(d) > q.x + side(q) - m(q) || q.x + m(q) > d.x + side(d) - m(d) ||
            d.y + m(d) > q.y + side(q) - m(q) || q.y + m(q) > d.y + side(d) - m(d);
          assert(sep, `scene ${i}: ink of digits overlaps`);
        }
      }
      assertEquals(w.slice(at, at + 3), ["a", d.size, DIGIT_WORDS[d.label]]);
      at += 3;
    });
    assertEquals(at, w.length);
    assertEquals(s.captions[i * 15], 1); // <START>
  }
  // 1, 2 and 3 digits about equally often; every word of the vocabulary used.
  for (const c of perCount.slice(1)) assert(Math.abs(c - 200) < 45, `counts ${perCount}`);
  assertEquals([...words].sort(), SCENE_VOCAB.idxToWord.slice(4).sort());
});

Deno.test("mnistScenes: pixels are the digits drawn at their frames (small ones halved)", () => {
  const digits = fakeDigits();
  const s = mnistScenes(digits, { count: 50, seed: 1, size: 64 });
  for (let i = 0; i < s.n; i++) {
    // The oracle: per canvas pixel, the brightest digit sample covering it.
    const want = new Float32Array(64 * 64);
    for (const d of s.scenes[i]) {
      const img = digits.images.subarray(d.source * 784, (d.source + 1) * 784);
      for (let r = 0; r < side(d); r++) {
        for (let c = 0; c < side(d); c++) {
          const v = d.size === "large" ? img[r * 28 + c] : (img[2 * r * 28 + 2 * c] +
            img[2 * r * 28 + 2 * c + 1] + img[(2 * r + 1) * 28 + 2 * c] +
            img[(2 * r + 1) * 28 + 2 * c + 1]) / 4;
          const at = (d.y + r) * 64 + d.x + c;
          want[at] = Math.max(want[at], v);
        }
      }
    }
    assertEquals(s.images.subarray(i * 4096, (i + 1) * 4096), want, `scene ${i}`);
  }
});

Deno.test("mnistScenes: the seed decides everything; options are checked", () => {
  const digits = fakeDigits();
  const a = mnistScenes(digits, { count: 20, seed: 7 }),
    b = mnistScenes(digits, { count: 20, seed: 7 });
  const c = mnistScenes(digits, { count: 20, seed: 8 });
  assertEquals(a.images, b.images);
  assertEquals(a.captions, b.captions);
  assert(a.captions.some((t, i) => t !== c.captions[i]), "seeds 7 and 8 gave the same captions");
  const one = mnistScenes(digits, { count: 30, minDigits: 1, maxDigits: 1 });
  assertEquals(one.captionLength, 5);
  assert(one.scenes.every((sc) => sc.length === 1));
  assertThrows(
    () => mnistScenes(digits, { count: 0 }),
    RangeError,
    "count must be an integer >= 1, got 0",
  );
  assertThrows(() => mnistScenes(digits, { count: 1, size: 20 }), RangeError, "size must be");
  assertThrows(() => mnistScenes(digits, { count: 1, seed: 1.5 }), RangeError, "seed must be");
  assertThrows(
    () => mnistScenes(digits, { count: 1, minDigits: 2, maxDigits: 1 }),
    RangeError,
    "got 2 and 1",
  );
  assertThrows(
    () => mnistScenes({ ...digits, height: 14, width: 14 }, { count: 1 }),
    RangeError,
    "of 14x14",
  );
  assertThrows(
    () => mnistScenes(digits, { count: 1, minDigits: 9, maxDigits: 9, size: 28 }),
    RangeError,
    "cannot place 9 digits on a 28x28 canvas",
  );
});
