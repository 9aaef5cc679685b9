import { assert, assertEquals, assertThrows } from "@convgrad/base/testing";
import {
  captionWords,
  DIGIT_WORDS,
  type LabeledImages,
  mnistScenes,
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

Deno.test("sceneCaption: column by column, top first; relations by rows", () => {
  const seven: SceneDigit = { source: 1, label: 7, size: "small", row: 0, col: 0, x: 5, y: 9 };
  const two: SceneDigit = { source: 0, label: 2, size: "large", row: 1, col: 1, x: 34, y: 30 };
  assertEquals(sceneCaption([two, seven]), "a small seven above a large two".split(" "));
  // Top right and bottom left: the left column comes first, its digit is lower.
  assertEquals(
    sceneCaption([{ ...two, row: 0 }, { ...seven, row: 1 }]).join(" "),
    "a small seven below a large two",
  );
  assertEquals(
    sceneCaption([{ ...two, row: 0 }, seven]).join(" "),
    "a small seven left of a large two",
  );
  // One column: top first, "above"; all four cells.
  const one: SceneDigit = { ...seven, label: 1, row: 1 };
  assertEquals(sceneCaption([one, seven]).join(" "), "a small seven above a small one");
  assertEquals(
    sceneCaption([two, { ...two, row: 0, label: 3 }, one, seven]).join(" "),
    "a small seven above a small one below a large three above a large two",
  );
  assertThrows(() => sceneCaption([seven, { ...two, row: 0, col: 0 }]), RangeError, "two digits");
  assertThrows(() => sceneCaption([{ ...seven, col: 2 }]), RangeError, "got 0 and 2");
  assertThrows(() => sceneCaption([]), RangeError, "non-empty array");
  assertThrows(() => sceneCaption([{ ...seven, label: 10 }]), RangeError, "got 10");
});

Deno.test("mnistScenes: every scene keeps the layout, its caption says what is drawn", () => {
  const digits = fakeDigits();
  const s = mnistScenes(digits, { count: 600, seed: 3 });
  assertEquals([s.n, s.height, s.width, s.captionLength], [600, 64, 64, 15]);
  assertEquals(s.images.length, 600 * 64 * 64);
  const perCount = [0, 0, 0, 0], words = new Set<string>(), cellUse = [0, 0, 0, 0];
  for (let i = 0; i < s.n; i++) {
    const scene = s.scenes[i];
    perCount[scene.length]++;
    // The caption read back word by word: `a <size> <digit>`, then the relation to the next.
    const w = captionWords(s.captions.subarray(i * 15, (i + 1) * 15), s.vocab);
    w.forEach((x) => words.add(x));
    let at = 0;
    scene.forEach((d, k) => {
      // Inside its own cell (32x32), cells in caption order: left column first, top first.
      assert(d.x >= 32 * d.col && d.x + side(d) <= 32 * d.col + 32, `scene ${i}: x ${d.x}`);
      assert(d.y >= 32 * d.row && d.y + side(d) <= 32 * d.row + 32, `scene ${i}: y ${d.y}`);
      cellUse[2 * d.row + d.col]++;
      assertEquals(d.label, digits.labels[d.source]);
      if (k > 0) {
        const p = scene[k - 1];
        assert(p.col < d.col || (p.col === d.col && p.row < d.row), `scene ${i}: order`);
        const rel = d.row > p.row ? ["above"] : d.row < p.row ? ["below"] : ["left", "of"];
        assertEquals(w.slice(at, at + rel.length), rel);
        at += rel.length;
      }
      assertEquals(w.slice(at, at + 3), ["a", d.size, DIGIT_WORDS[d.label]]);
      at += 3;
    });
    assertEquals(at, w.length);
    assertEquals(s.captions[i * 15], 1); // <START>
  }
  // 1, 2 and 3 digits about equally often, every cell as often; every word of the vocabulary.
  for (const c of perCount.slice(1)) assert(Math.abs(c - 200) < 45, `counts ${perCount}`);
  for (const c of cellUse) assert(Math.abs(c - 300) < 60, `cells ${cellUse}`);
  assertEquals([...words].sort(), SCENE_VOCAB.idxToWord.slice(4).sort());
});

Deno.test("mnistScenes: pixels are the digits drawn at their frames (small ones halved)", () => {
  const digits = fakeDigits();
  const s = mnistScenes(digits, { count: 50, seed: 1, size: 70 });
  for (let i = 0; i < s.n; i++) {
    // The oracle: each frame's pixels, copied or averaged over 2x2, everything else 0.
    const want = new Float32Array(70 * 70);
    for (const d of s.scenes[i]) {
      const img = digits.images.subarray(d.source * 784, (d.source + 1) * 784);
      for (let r = 0; r < side(d); r++) {
        for (let c = 0; c < side(d); c++) {
          const v = d.size === "large" ? img[r * 28 + c] : (img[2 * r * 28 + 2 * c] +
            img[2 * r * 28 + 2 * c + 1] + img[(2 * r + 1) * 28 + 2 * c] +
            img[(2 * r + 1) * 28 + 2 * c + 1]) / 4;
          want[(d.y + r) * 70 + d.x + c] = v;
        }
      }
    }
    assertEquals(s.images.subarray(i * 4900, (i + 1) * 4900), want, `scene ${i}`);
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
  assertThrows(() => mnistScenes(digits, { count: 1, size: 54 }), RangeError, ">= 56, got 54");
  assertThrows(() => mnistScenes(digits, { count: 1, size: 65 }), RangeError, "even, got 65");
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
  assertThrows(() => mnistScenes(digits, { count: 1, maxDigits: 5 }), RangeError, "got 1 and 5");
});
