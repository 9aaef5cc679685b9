import {
  assert,
  assertClose,
  assertEquals,
  assertRejects,
  assertThrows,
} from "@convgrad/base/testing";
import {
  loadImageFolders,
  type PhotoSet,
  renderPhotos,
  stratifiedSplit,
  TUXPAINT_STAMPS,
} from "./mod.ts";
import { png } from "./png_fixture.ts";

/** An RGBA PNG of `w x h` pixels given as [r, g, b, a] each. */
function rgbaPng(w: number, h: number, px: number[][]): Uint8Array {
  const rows = Array.from(
    { length: h },
    (_, y) => Uint8Array.from(px.slice(y * w, (y + 1) * w).flat()),
  );
  return png(w, h, 8, 6, rows, { bpp: 4 });
}

/** A folder tree: a/{one,two,sub/three,cartoon/skip}.png, b/{…} and a text file. */
async function fixtureRoot(): Promise<string> {
  const root = await Deno.makeTempDir();
  const red = [255, 0, 0, 255], clear = [0, 0, 0, 0], half = [0, 0, 255, 128];
  const files: Record<string, Uint8Array> = {
    "a/one.png": rgbaPng(2, 1, [red, clear]),
    "a/two.png": rgbaPng(1, 1, [half]),
    "a/sub/three.png": rgbaPng(1, 1, [red]),
    "a/cartoon/skip.png": rgbaPng(1, 1, [red]),
    "b/x.png": rgbaPng(1, 1, [half]),
    "b/y.png": rgbaPng(1, 1, [red]),
  };
  for (const [path, bytes] of Object.entries(files)) {
    await Deno.mkdir(`${root}/${path.slice(0, path.lastIndexOf("/"))}`, { recursive: true });
    await Deno.writeFile(`${root}/${path}`, bytes);
  }
  await Deno.writeTextFile(`${root}/a/notes.txt`, "not an image");
  return root;
}

Deno.test("loadImageFolders reads class folders recursively, composites and pads to squares", async () => {
  const root = await fixtureRoot();
  const set = await loadImageFolders({ root, classes: ["a", "b"], minPerClass: 2 });
  assertEquals(set.files.map((f) => f.slice(root.length + 1)), [
    "a/one.png",
    "a/sub/three.png",
    "a/two.png",
    "b/x.png",
    "b/y.png",
  ]);
  assertEquals(Array.from(set.labels), [0, 0, 0, 1, 1]);
  // one.png is 2x1: padded to 2x2 (the image on the top row), the clear pixel white.
  assertEquals(set.photos[0].side, 2);
  assertEquals(Array.from(set.photos[0].pixels), [255, 0, 0, ...Array(9).fill(255)]);
  // Half-transparent blue over white: 128/255 · (0, 0, 255) + 127/255 · 255.
  assertEquals(Array.from(set.photos[2].pixels), [127, 127, 255]);
  const grey = await loadImageFolders({
    root,
    classes: ["b", "a"],
    background: [10, 20, 30],
    minPerClass: 2,
  });
  assertEquals(Array.from(grey.photos[0].pixels), [5, 10, 143]);
  assertEquals(Array.from(grey.labels), [0, 0, 1, 1, 1]);
  await Deno.remove(root, { recursive: true });
});

Deno.test("loadImageFolders says what is missing: data, class folders, images", async () => {
  const root = await fixtureRoot();
  await assertRejects(
    () => loadImageFolders({ root: `${root}/none`, classes: ["a", "b"] }),
    Error,
    `data folder ${root}/none does not exist`,
  );
  await assertRejects(
    () => loadImageFolders({ root, classes: ["a", "c"], minPerClass: 2 }),
    RangeError,
    `class folder ${root}/c does not exist (folders in ${root}: a, b)`,
  );
  await assertRejects(
    () => loadImageFolders({ root, classes: ["a", "b"], minPerClass: 3 }),
    RangeError,
    "class b has 2 PNG images",
  );
  await assertRejects(
    () => loadImageFolders({ root, classes: ["a"] }),
    RangeError,
    'classes must list at least 2 folder names, got ["a"]',
  );
  await assertRejects(
    () => loadImageFolders({ root, classes: ["a", "b"], background: [0, 0, 256] }),
    RangeError,
    "background must be 3 integers in 0..255",
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("stratifiedSplit keeps each class's share, seeded, disjoint and complete", () => {
  const labels = Uint8Array.from({ length: 50 }, (_, i) => (i < 20 ? 0 : 1));
  const { train, validation } = stratifiedSplit(labels, { validation: 0.4, seed: 3 });
  assertEquals(validation.filter((i) => labels[i] === 0).length, 8);
  assertEquals(validation.filter((i) => labels[i] === 1).length, 12);
  assertEquals([...train, ...validation].sort((a, b) => a - b), Array.from(labels, (_, i) => i));
  assertEquals(stratifiedSplit(labels, { seed: 3 }), { train, validation });
  assert(
    JSON.stringify(stratifiedSplit(labels, { seed: 4 }).validation) !== JSON.stringify(validation),
  );
  const tiny = stratifiedSplit(Uint8Array.of(0, 0, 1, 1), { validation: 0.1 });
  assertEquals([tiny.train.length, tiny.validation.length], [2, 2]); // at least one each side
  assertThrows(() => stratifiedSplit(Uint8Array.of(0, 0, 1)), RangeError, "class 1 has 1 example");
  assertThrows(() => stratifiedSplit(labels, { validation: 1 }), RangeError, "fraction in (0, 1)");
});

/** One 8x8 photo whose red channel is the column index x (a ramp), green 7 − x, blue y. */
function rampSet(): PhotoSet {
  const side = 8, pixels = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) pixels.set([x, 7 - x, y], (y * side + x) * 3);
  }
  return {
    classNames: ["a", "b"],
    files: ["r", "s"],
    labels: Uint8Array.of(0, 1),
    photos: [{ side, pixels }, { side, pixels }],
  };
}

Deno.test("renderPhotos: identity at the photo's size, averages a linear ramp when shrinking", () => {
  const set = rampSet();
  const same = renderPhotos(set, [1], 8);
  assertEquals([same.n, same.height, same.width, same.channels], [1, 8, 8, 3]);
  assertClose(same.images, Array.from(set.photos[1].pixels, (v) => v / 255), "identity", 1e-7);
  // Shrinking 8 → 4: output pixel i covers source x in [2i, 2i+2); away from the edges the tent
  // filter's weights are symmetric about its centre 2i + 0.5 (pixel centres at x + 0.5), so a
  // linear ramp comes out as its value there.
  const half = renderPhotos(set, [0], 4);
  for (const i of [1, 2]) {
    for (const j of [1, 2]) {
      const o = (j * 4 + i) * 3;
      assertClose(
        half.images.subarray(o, o + 3),
        [(2 * i + 0.5) / 255, (6.5 - 2 * i) / 255, (2 * j + 0.5) / 255],
        `pixel ${i},${j}`,
        1e-6,
      );
    }
  }
});

Deno.test("renderPhotos augments by seeded crops and flips, the same for the same seed and epoch", () => {
  const set = rampSet(), idx = [0, 1, 0, 1, 0, 1, 0, 1];
  const plain = renderPhotos(set, [0], 8).images;
  const mirror = new Float32Array(plain.length);
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      mirror.set(plain.subarray((y * 8 + x) * 3, (y * 8 + x) * 3 + 3), (y * 8 + 7 - x) * 3);
    }
  }
  // Crops of the whole photo: each output is the photo or its mirror, and both occur.
  const full = renderPhotos(set, idx, 8, {
    augment: { seed: 1, epoch: 0, scale: [1, 1], ratio: [1, 1] },
  });
  const kinds = idx.map((_, i) => {
    const img = Array.from(full.images.subarray(i * 192, (i + 1) * 192));
    return img.every((v, k) => Math.abs(v - plain[k]) < 1e-6)
      ? "plain"
      : img.every((v, k) => Math.abs(v - mirror[k]) < 1e-6)
      ? "mirror"
      : "other";
  });
  assert(
    !kinds.includes("other") && kinds.includes("plain") && kinds.includes("mirror"),
    `${kinds}`,
  );
  const a = renderPhotos(set, idx, 6, { augment: { seed: 2, epoch: 3 } });
  assertEquals(renderPhotos(set, idx, 6, { augment: { seed: 2, epoch: 3 } }), a);
  assert(
    JSON.stringify(renderPhotos(set, idx, 6, { augment: { seed: 2, epoch: 4 } })) !==
      JSON.stringify(a),
  );
  assertThrows(
    () => renderPhotos(set, [2], 8),
    RangeError,
    "idx[0] must be an integer in [0, 2), got 2",
  );
  assertThrows(
    () => renderPhotos(set, [0], 0),
    RangeError,
    "size must be a positive integer, got 0",
  );
  assertThrows(
    () => renderPhotos(set, [0], 4, { augment: { seed: 0, epoch: 0, scale: [0.5, 2] } }),
    RangeError,
    "augment.scale",
  );
});

const stamps = await Deno.stat(`${TUXPAINT_STAMPS}/animals/birds`).then(() => true, () => false);
Deno.test({
  name: "the default task reads Debian's stamps: 35 birds, 64 mammals (no cartoons or toys)",
  ignore: !stamps,
  async fn() {
    const set = await loadImageFolders({ classes: ["animals/birds", "animals/mammals"] });
    assertEquals([0, 1].map((c) => set.labels.filter((l) => l === c).length), [35, 64]);
    assert(set.files.every((f) => !/\/(cartoon|toys)\//.test(f)), "no cartoons");
  },
});
if (!stamps) {
  console.warn(
    `tuxpaint stamp test ignored: ${TUXPAINT_STAMPS} is absent ` +
      "(apt-get install tuxpaint-stamps-default)",
  );
}
