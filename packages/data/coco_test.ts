import { assert, assertEquals, assertRejects } from "@convgrad/base/testing";
import h5wasm from "h5wasm/node";
import { decodeCaptions, loadCocoCaptioning } from "./mod.ts";

const WORDS = ["<NULL>", "<START>", "<END>", "<UNK>", "a", "cat", "on", "mat"];

type Arrays = Record<string, { data: Int32Array | Float32Array; shape: number[] }>;

function writeH5(path: string, arrays: Arrays): void {
  const f = new h5wasm.File(path, "w");
  for (const [name, { data, shape }] of Object.entries(arrays)) {
    f.create_dataset({ name, data, shape, dtype: data instanceof Int32Array ? "<i4" : "<f4" });
  }
  f.close();
}

/** A tiny coco_captioning folder: 3 train captions of 2 images, 2 val captions of 1 image. */
async function tinyFolder(
  edit: { captions?: Arrays; vocab?: unknown } = {},
): Promise<string> {
  await h5wasm.ready;
  const dir = await Deno.makeTempDir({ prefix: "convgrad-coco-" });
  writeH5(
    `${dir}/coco2014_captions.h5`,
    edit.captions ?? {
      train_captions: {
        data: Int32Array.of(1, 4, 5, 2, 0, 1, 5, 6, 7, 2, 1, 7, 2, 0, 0),
        shape: [3, 5],
      },
      train_image_idxs: { data: Int32Array.of(0, 1, 1), shape: [3] },
      val_captions: { data: Int32Array.of(1, 3, 2, 0, 0, 1, 4, 7, 2, 0), shape: [2, 5] },
      val_image_idxs: { data: Int32Array.of(0, 0), shape: [2] },
    },
  );
  for (const [name, d] of [["", 6], ["_pca", 3]] as const) {
    writeH5(`${dir}/train2014_vgg16_fc7${name}.h5`, {
      features: { data: Float32Array.from({ length: 2 * d }, (_, i) => i + 0.5), shape: [2, d] },
    });
    writeH5(`${dir}/val2014_vgg16_fc7${name}.h5`, {
      features: { data: Float32Array.from({ length: d }, (_, i) => -i), shape: [1, d] },
    });
  }
  const vocab = edit.vocab ?? {
    idx_to_word: WORDS,
    word_to_idx: Object.fromEntries(WORDS.map((w, i) => [w, i])),
  };
  await Deno.writeTextFile(`${dir}/coco2014_vocab.json`, JSON.stringify(vocab));
  await Deno.writeTextFile(`${dir}/train2014_urls.txt`, "http://x/0.jpg\nhttp://x/1.jpg\n");
  return dir;
}

Deno.test("loadCocoCaptioning reads cs231n's layout written by h5wasm", async () => {
  const dir = await tinyFolder();
  const coco = await loadCocoCaptioning(dir);
  assertEquals(coco.vocab.idxToWord, WORDS);
  const { train, val } = coco;
  assertEquals([train.n, train.captionLength, train.numImages, train.featureDim], [3, 5, 2, 3]);
  assertEquals(Array.from(train.imageIdxs), [0, 1, 1]);
  assertEquals(Array.from(train.features), [0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
  const rows = (c: Int32Array) =>
    [0, 1, 2].slice(0, c.length / 5).map((i) => c.subarray(i * 5, i * 5 + 5));
  assertEquals(decodeCaptions(rows(train.captions), coco.vocab), [
    "<START> a cat <END>",
    "<START> cat on mat <END>",
    "<START> mat <END>",
  ]);
  assertEquals(decodeCaptions(rows(val.captions), coco.vocab), [
    "<START> <UNK> <END>",
    "<START> a mat <END>",
  ]);
  assertEquals(train.urls, ["http://x/0.jpg", "http://x/1.jpg"]);
  assertEquals(val.urls, undefined);
  const fc7 = await loadCocoCaptioning(dir, { pcaFeatures: false });
  assertEquals([fc7.train.featureDim, fc7.val.featureDim, fc7.val.numImages], [6, 6, 1]);
  // maxTrain: that many captions, each one of the file's with its own image index.
  const some = await loadCocoCaptioning(dir, { maxTrain: 8, seed: 1 });
  assertEquals(some.train.n, 8);
  for (let i = 0; i < 8; i++) {
    const row = Array.from(some.train.captions.subarray(i * 5, i * 5 + 5));
    const j = [0, 1, 2].find((k) =>
      Array.from(train.captions.subarray(k * 5, k * 5 + 5)).join() === row.join()
    );
    assert(j !== undefined, `caption ${row} is not in the file`);
    assertEquals(some.train.imageIdxs[i], train.imageIdxs[j]);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadCocoCaptioning: missing files, bad ids and inconsistent files are named", async () => {
  await assertRejects(
    () => loadCocoCaptioning("/nonexistent"),
    Error,
    "/nonexistent/coco2014_vocab.json not found",
  );
  const good = await tinyFolder();
  await Deno.remove(`${good}/val2014_vgg16_fc7_pca.h5`);
  await assertRejects(() => loadCocoCaptioning(good), Error, "val2014_vgg16_fc7_pca.h5 not found");
  await assertRejects(
    () => loadCocoCaptioning(good, { maxTrain: 0 }),
    RangeError,
    "maxTrain must be",
  );
  const caps = (trainCaps: number[], idx: number[]): Arrays => ({
    train_captions: { data: Int32Array.from(trainCaps), shape: [trainCaps.length / 2, 2] },
    train_image_idxs: { data: Int32Array.from(idx), shape: [idx.length] },
    val_captions: { data: Int32Array.of(1, 2), shape: [1, 2] },
    val_image_idxs: { data: Int32Array.of(0), shape: [1] },
  });
  const badToken = await tinyFolder({ captions: caps([1, 8], [0]) });
  await assertRejects(
    () => loadCocoCaptioning(badToken),
    RangeError,
    "train_captions[1] is 8, expected [0, 8)",
  );
  const badImage = await tinyFolder({ captions: caps([1, 2], [2]) });
  await assertRejects(
    () => loadCocoCaptioning(badImage),
    RangeError,
    "train_image_idxs[0] is 2, expected [0, 2)",
  );
  const counts = await tinyFolder({ captions: caps([1, 2, 1, 2], [0]) });
  await assertRejects(
    () => loadCocoCaptioning(counts),
    RangeError,
    "2 train_captions but 1 train_image_idxs",
  );
  const noDataset = await tinyFolder({
    captions: { val_captions: caps([1, 2], [0]).val_captions },
  });
  await assertRejects(
    () => loadCocoCaptioning(noDataset),
    RangeError,
    `has no dataset "train_captions"`,
  );
  const vocab = await tinyFolder({ vocab: { idx_to_word: WORDS, word_to_idx: { cat: 4 } } });
  await assertRejects(
    () => loadCocoCaptioning(vocab),
    RangeError,
    `word_to_idx["cat"] is 4 but idx_to_word has it at 5`,
  );
  for (const d of [good, badToken, badImage, counts, noDataset, vocab]) {
    await Deno.remove(d, { recursive: true });
  }
});
