import { assert, assertEquals, assertThrows } from "@convgrad/base/testing";
import {
  batches,
  FASHION_MNIST_DIR,
  loadFashionMnist,
  loadMnist,
  mnistDir,
  readIdx,
  splitTrainValidation,
  subset,
} from "./mod.ts";

/** An idx file built by hand: magic, dims, data. */
function idx(dims: number[], data: number[], type = 0x08): Uint8Array {
  const b = new Uint8Array(4 + 4 * dims.length + data.length), v = new DataView(b.buffer);
  v.setUint32(0, (type << 8) | dims.length);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d));
  b.set(data, 4 + 4 * dims.length);
  return b;
}

Deno.test("readIdx parses good files and names the file in every error", () => {
  const r = readIdx(idx([2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), "imgs", 3);
  assertEquals(r.dims, [2, 2, 3]);
  assertEquals(Array.from(r.data), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assertThrows(() => readIdx(idx([2], [1, 2], 0x0d), "f.idx"), RangeError, "f.idx: bad idx magic");
  assertThrows(
    () => readIdx(idx([3], [1, 2]), "short.idx"),
    RangeError,
    "short.idx: file is 10 bytes",
  );
  assertThrows(() => readIdx(idx([1], [1, 2]), "long.idx"), RangeError, "trailing bytes");
  assertThrows(() => readIdx(idx([2], [1, 2]), "lbl", 3), RangeError, "lbl: expected 3 dimensions");
  assertThrows(() => readIdx(Uint8Array.of(0, 0), "tiny"), RangeError, "tiny: truncated");
});

/** Loaded once for the tests that read the real files (each load hashes and converts 55 MB). */
let mnist: ReturnType<typeof loadMnist> | undefined;
const sharedMnist = () => mnist ??= loadMnist();

/** How many examples have each label 0..9. */
function histogram(labels: Uint8Array): number[] {
  const h = new Array(10).fill(0);
  for (const l of labels) h[l]++;
  return h;
}

Deno.test("MNIST: counts, first labels, pixel range, label histograms", async () => {
  const { train, test } = await sharedMnist();
  assertEquals([train.n, test.n, train.height, train.width], [60000, 10000, 28, 28]);
  assertEquals(Array.from(train.labels.slice(0, 5)), [5, 0, 4, 1, 9]); // the well-known first digits
  assertEquals(Array.from(test.labels.slice(0, 3)), [7, 2, 1]);
  let min = Infinity, max = -Infinity;
  for (const v of train.images) (min = Math.min(min, v)), (max = Math.max(max, v));
  assertEquals([min, max], [0, 1]);
  // The published class counts of the two sets.
  assertEquals(histogram(train.labels), [
    5923,
    6742,
    5958,
    6131,
    5842,
    5421,
    5918,
    6265,
    5851,
    5949,
  ]);
  assertEquals(histogram(test.labels), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
});

Deno.test("MNIST: a corrupted or truncated file is an error naming it", async () => {
  const dir = await Deno.makeTempDir();
  for await (const e of Deno.readDir(mnistDir())) {
    await Deno.copyFile(`${mnistDir()}/${e.name}`, `${dir}/${e.name}`);
  }
  const f = `${dir}/t10k-labels-idx1-ubyte`, bytes = await Deno.readFile(f);
  bytes[100] ^= 1;
  await Deno.writeFile(f, bytes);
  const err = await loadMnist({ dir }).then(() => null, (e) => e as Error);
  assert(err?.message.includes(`${f} is corrupt or truncated`), String(err));
  await Deno.writeFile(f, bytes.subarray(0, 500));
  const err2 = await loadMnist({ dir }).then(() => null, (e) => e as Error);
  assert(err2?.message.includes("(500 bytes"), String(err2));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("split is seeded and disjoint; batches cover every example once per epoch", async () => {
  const { train, test } = await sharedMnist();
  const full = splitTrainValidation(train, { seed: 0 });
  assertEquals([full.train.n, full.validation.n], [55000, 5000]);
  const both = histogram(full.train.labels).map((c, l) => c + histogram(full.validation.labels)[l]);
  assertEquals(both, histogram(train.labels));
  const a = splitTrainValidation(test, { validation: 1000, seed: 3 });
  const b = splitTrainValidation(test, { validation: 1000, seed: 3 });
  assertEquals([a.train.n, a.validation.n], [9000, 1000]);
  assertEquals(a.validation.labels, b.validation.labels);
  const c = splitTrainValidation(test, { validation: 1000, seed: 4 });
  assert(c.validation.labels.some((l, i) => l !== a.validation.labels[i]), "seed has no effect");
  // Mark each example by its pixel sum and label: every one must appear exactly once.
  const key = (img: Float32Array, l: number) => `${img.reduce((s, v) => s + v, 0).toFixed(3)}:${l}`;
  const seen = new Map<string, number>();
  let total = 0;
  for (const bt of batches(a.train, 128, { shuffle: true, seed: 1, epoch: 2 })) {
    for (let i = 0; i < bt.size; i++) {
      const k = key(bt.images.subarray(i * 784, (i + 1) * 784), bt.labels[i]);
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    total += bt.size;
  }
  const expected = new Map<string, number>();
  for (let i = 0; i < a.train.n; i++) {
    const k = key(a.train.images.subarray(i * 784, (i + 1) * 784), a.train.labels[i]);
    expected.set(k, (expected.get(k) ?? 0) + 1);
  }
  assertEquals(total, 9000);
  assertEquals(seen, expected);
  const first = (epoch: number) =>
    batches(a.train, 10, { shuffle: true, seed: 1, epoch }).next().value!.labels;
  assertEquals(first(5), first(5));
  assertEquals([...batches(a.train, 4000, { limit: 5000 })].map((x) => x.size), [4000, 1000]);
  assertThrows(
    () => splitTrainValidation(test, { validation: 10000 }),
    RangeError,
    "validation must be",
  );
  assertThrows(() => batches(test, 0).next(), RangeError, "batchSize must be a positive integer");
  assertThrows(
    () => batches(test, 10, { shuffle: true, epoch: 0.5 }).next(),
    RangeError,
    "epoch must be a non-negative integer, got 0.5",
  );
  assertThrows(
    () => subset(test, [0, 10000]),
    RangeError,
    "idx[1] must be an integer in [0, 10000)",
  );
});

const hasFashion = await Deno.stat(FASHION_MNIST_DIR).then(() => true, () => false);

Deno.test("Fashion-MNIST: absent is a clear error", async () => {
  const err = await loadFashionMnist({ dir: "/nonexistent" }).then(() => null, (e) => e as Error);
  assert(err?.message.includes("apt-get install dataset-fashion-mnist"), String(err));
});

if (!hasFashion) {
  console.log(
    `Fashion-MNIST test ignored: ${FASHION_MNIST_DIR} is absent (Debian dataset-fashion-mnist)`,
  );
}
Deno.test({
  name: "Fashion-MNIST: 60k/10k images from Debian's package",
  ignore: !hasFashion,
  fn: async () => {
    const { train, test } = await loadFashionMnist();
    assertEquals([train.n, test.n, train.height, train.width], [60000, 10000, 28, 28]);
    // Fashion-MNIST is balanced, and its first training images are a boot, two tops, a dress, a top.
    assertEquals(histogram(train.labels), new Array(10).fill(6000));
    assertEquals(histogram(test.labels), new Array(10).fill(1000));
    assertEquals(Array.from(train.labels.slice(0, 5)), [9, 0, 0, 3, 0]);
    assertEquals(train.images.length, 60000 * 28 * 28);
  },
});
