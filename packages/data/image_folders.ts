/**
 * Image-folder datasets of photos: one folder per class (searched recursively) of PNG cut-outs,
 * composited on a plain background, a seeded stratified train/validation split, and rendering to
 * the network's input size with the training augmentation of the PyTorch transfer-learning
 * tutorial (random resized crop, horizontal flip). The default source is Debian's
 * `tuxpaint-stamps-default` (GPL-2, read from the installed package at run time).
 *
 * @module
 */
import { createRng } from "@convgrad/base";
import type { LabeledImages } from "./images.ts";
import { permutation } from "./images.ts";
import { decodePng } from "./png.ts";

/** Where Debian's `tuxpaint-stamps-default` installs its stamps. */
export const TUXPAINT_STAMPS = "/usr/share/tuxpaint/stamps";

/**
 * Photos with labels, kept at their own resolution: each one composited on the background and
 * padded to a square (so that crops and resizes never distort it), 8-bit RGB `[side, side, 3]`.
 */
export interface PhotoSet {
  /** Class names (the folders as given), indexed by label. */
  classNames: string[];
  /** Path of each photo's file. */
  files: string[];
  labels: Uint8Array;
  photos: { side: number; pixels: Uint8Array }[];
}

/** Options of {@linkcode loadImageFolders}. */
export interface ImageFolderOptions {
  /** Folder holding the class folders. Default {@linkcode TUXPAINT_STAMPS}. */
  root?: string;
  /** Class folders relative to `root`, one label each in this order. */
  classes: string[];
  /** Subfolders skipped wherever they occur. Default `["cartoon", "toys"]` (drawings, not photos). */
  exclude?: string[];
  /** Background the transparent parts are composited on, RGB 0..255. Default white. */
  background?: [number, number, number];
  /** Fewest images a class may have. Default 5 (two for training, one for validation at least). */
  minPerClass?: number;
}

async function pngFiles(dir: string, exclude: Set<string>): Promise<string[]> {
  const out: string[] = [];
  const entries = [];
  for await (const e of Deno.readDir(dir)) entries.push(e);
  entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0); // same order everywhere
  for (const e of entries) {
    if (e.isDirectory && !exclude.has(e.name)) {
      out.push(...await pngFiles(`${dir}/${e.name}`, exclude));
    } else if (e.isFile && e.name.toLowerCase().endsWith(".png")) out.push(`${dir}/${e.name}`);
  }
  return out;
}

/** `rgba [h,w,4]` over `background`, centred on a square of side max(w, h): `[side, side, 3]`. */
function compositeSquare(
  { width: w, height: h, pixels: rgba }: { width: number; height: number; pixels: Uint8Array },
  bg: [number, number, number],
): { side: number; pixels: Uint8Array } {
  const side = Math.max(w, h), x0 = (side - w) >> 1, y0 = (side - h) >> 1;
  const out = new Uint8Array(side * side * 3);
  for (let i = 0; i < side * side; i++) out.set(bg, 3 * i);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * 4, d = ((y + y0) * side + x + x0) * 3, a = rgba[s + 3] / 255;
      for (let k = 0; k < 3; k++) out[d + k] = Math.round(a * rgba[s + k] + (1 - a) * bg[k]);
    }
  }
  return { side, pixels: out };
}

/**
 * Reads every PNG under each class folder (recursively, sorted by path), composites it on a plain
 * background and pads it to a square.
 *
 * @example
 * ```ts
 * import { loadImageFolders } from "@convgrad/data";
 * const set = await loadImageFolders({ classes: ["animals/birds", "animals/mammals"] });
 * console.log(set.classNames, set.labels.length); // [ "animals/birds", "animals/mammals" ] 99
 * ```
 */
export async function loadImageFolders(opts: ImageFolderOptions): Promise<PhotoSet> {
  const { root = TUXPAINT_STAMPS, classes, exclude = ["cartoon", "toys"] } = opts;
  const { background = [255, 255, 255], minPerClass = 5 } = opts;
  if (!Array.isArray(classes) || classes.length < 2 || classes.some((c) => typeof c !== "string")) {
    throw new RangeError(
      `loadImageFolders: classes must list at least 2 folder names, got ${JSON.stringify(classes)}`,
    );
  }
  if (new Set(classes).size !== classes.length) {
    throw new RangeError(`loadImageFolders: classes has duplicates: ${JSON.stringify(classes)}`);
  }
  if (
    background.length !== 3 || !background.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)
  ) {
    throw new RangeError(
      `loadImageFolders: background must be 3 integers in 0..255, got ${
        JSON.stringify(background)
      }`,
    );
  }
  if (!Number.isInteger(minPerClass) || minPerClass < 2) {
    throw new RangeError(
      `loadImageFolders: minPerClass must be an integer >= 2, got ${minPerClass}`,
    );
  }
  try {
    await Deno.stat(root);
  } catch {
    throw new Error(
      `loadImageFolders: data folder ${root} does not exist` +
        (root === TUXPAINT_STAMPS
          ? "; install Debian's tuxpaint-stamps-default (apt-get install tuxpaint-stamps-default)"
          : ""),
    );
  }
  const files: string[] = [], labels: number[] = [];
  for (const [label, c] of classes.entries()) {
    let found: string[];
    try {
      found = await pngFiles(`${root}/${c}`, new Set(exclude));
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      const there: string[] = [];
      for await (const d of Deno.readDir(root)) if (d.isDirectory) there.push(d.name);
      throw new RangeError(
        `loadImageFolders: class folder ${root}/${c} does not exist (folders in ${root}: ` +
          `${there.sort().join(", ")})`,
      );
    }
    if (found.length < minPerClass) {
      throw new RangeError(
        `loadImageFolders: class ${c} has ${found.length} PNG images in ${root}/${c}, ` +
          `need at least ${minPerClass}`,
      );
    }
    files.push(...found);
    labels.push(...found.map(() => label));
  }
  const photos = [];
  for (const f of files) {
    let img;
    try {
      img = await decodePng(await Deno.readFile(f));
    } catch (e) {
      throw new Error(`loadImageFolders: cannot decode ${f}: ${(e as Error).message}`);
    }
    photos.push(compositeSquare(img, background));
  }
  return { classNames: [...classes], files, labels: Uint8Array.from(labels), photos };
}

/**
 * Splits indices `0..labels.length−1` at random (seeded) into training and validation so that
 * every class keeps the same share in both: `round(validation · count)` of each class (at least
 * one, and at least one left for training) go to validation.
 *
 * @example
 * ```ts
 * import { stratifiedSplit } from "@convgrad/data";
 * const { train, validation } = stratifiedSplit(Uint8Array.of(0, 0, 0, 1, 1, 1), { seed: 1 });
 * console.log(train.length, validation.length); // 4 2
 * ```
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  { validation = 0.4, seed = 0 }: { validation?: number; seed?: number } = {},
): { train: number[]; validation: number[] } {
  if (!(validation > 0 && validation < 1)) {
    throw new RangeError(
      `stratifiedSplit: validation must be a fraction in (0, 1), got ${validation}`,
    );
  }
  const byClass = new Map<number, number[]>();
  const order = permutation(labels.length, seed);
  for (const i of order) {
    const c = labels[i];
    if (!byClass.has(c)) byClass.set(c, []);
    byClass.get(c)!.push(i);
  }
  const train: number[] = [], val: number[] = [];
  for (const [c, idx] of [...byClass].sort((a, b) => a[0] - b[0])) {
    if (idx.length < 2) {
      throw new RangeError(
        `stratifiedSplit: class ${c} has ${idx.length} example, need at least 2 to split`,
      );
    }
    const k = Math.min(idx.length - 1, Math.max(1, Math.round(validation * idx.length)));
    val.push(...idx.slice(0, k));
    train.push(...idx.slice(k));
  }
  return { train: train.sort((a, b) => a - b), validation: val.sort((a, b) => a - b) };
}

/** Training augmentation of {@linkcode renderPhotos}: the tutorial's RandomResizedCrop + flip. */
export interface Augmentation {
  /** Seeds the crops and flips with `epoch`: the same on every run. */
  seed: number;
  epoch: number;
  /** Range of the crop's area as a fraction of the photo. Default [0.5, 1]. */
  scale?: [number, number];
  /** Range of the crop's aspect ratio (width / height). Default [3/4, 4/3]. */
  ratio?: [number, number];
  /** Mirror left–right with probability 1/2. Default true. */
  flip?: boolean;
}

/**
 * Filter taps that resample `n` output pixels from source pixels `[start, start + len)` of an
 * axis of `size` pixels: a triangle (tent) filter widened by the shrink factor, so that shrinking
 * averages every source pixel (no aliasing) and enlarging interpolates linearly. Edge pixels
 * repeat past the border.
 */
function taps(size: number, start: number, len: number, n: number) {
  const scale = len / n, support = Math.max(1, scale);
  const index: number[][] = [], weight: number[][] = [];
  for (let i = 0; i < n; i++) {
    const centre = start + (i + 0.5) * scale; // in source pixel units
    const lo = Math.floor(centre - support), hi = Math.ceil(centre + support);
    const idx: number[] = [], w: number[] = [];
    for (let j = lo; j <= hi; j++) {
      const t = 1 - Math.abs(j + 0.5 - centre) / support;
      if (t <= 0) continue;
      idx.push(Math.min(size - 1, Math.max(0, j)));
      w.push(t);
    }
    const sum = w.reduce((a, b) => a + b, 0);
    index.push(idx);
    weight.push(w.map((v) => v / sum));
  }
  return { index, weight };
}

/**
 * Region `[x, x+w) × [y, y+h)` of a square 8-bit RGB photo resampled to `size × size`, in [0, 1],
 * written to `out` (`[size, size, 3]`), mirrored when `flip`.
 */
function resample(
  photo: { side: number; pixels: Uint8Array },
  rect: { x: number; y: number; w: number; h: number },
  size: number,
  flip: boolean,
  out: Float32Array,
): void {
  const { side, pixels } = photo;
  const tx = taps(side, rect.x, rect.w, size), ty = taps(side, rect.y, rect.h, size);
  const rows = new Float32Array(side * size * 3); // [side rows, size, 3]
  for (let r = 0; r < side; r++) {
    for (let i = 0; i < size; i++) {
      let a = 0, b = 0, c = 0;
      const idx = tx.index[i], w = tx.weight[i];
      for (let k = 0; k < idx.length; k++) {
        const s = (r * side + idx[k]) * 3;
        a += w[k] * pixels[s];
        b += w[k] * pixels[s + 1];
        c += w[k] * pixels[s + 2];
      }
      const d = (r * size + (flip ? size - 1 - i : i)) * 3;
      rows[d] = a;
      rows[d + 1] = b;
      rows[d + 2] = c;
    }
  }
  for (let j = 0; j < size; j++) {
    const idx = ty.index[j], w = ty.weight[j];
    for (let i = 0; i < size * 3; i++) {
      let v = 0;
      for (let k = 0; k < idx.length; k++) v += w[k] * rows[idx[k] * size * 3 + i];
      out[j * size * 3 + i] = v / 255;
    }
  }
}

/**
 * Renders photos `idx` of `set` at `size × size` as colour {@linkcode LabeledImages} (NHWC, values
 * in [0, 1]): whole, or with `augment` a random crop (area and aspect ratio drawn from its ranges,
 * as the tutorial's `RandomResizedCrop`) and a random left–right flip per photo.
 *
 * @example
 * ```ts
 * import { loadImageFolders, renderPhotos, stratifiedSplit } from "@convgrad/data";
 * const set = await loadImageFolders({ classes: ["animals/birds", "animals/mammals"] });
 * const split = stratifiedSplit(set.labels, { seed: 0 });
 * const val = renderPhotos(set, split.validation, 96);
 * const train = renderPhotos(set, split.train, 96, { augment: { seed: 0, epoch: 0 } });
 * ```
 */
export function renderPhotos(
  set: PhotoSet,
  idx: ArrayLike<number>,
  size: number,
  { augment }: { augment?: Augmentation } = {},
): LabeledImages {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`renderPhotos: size must be a positive integer, got ${size}`);
  }
  for (let i = 0; i < idx.length; i++) {
    if (!Number.isInteger(idx[i]) || idx[i] < 0 || idx[i] >= set.photos.length) {
      throw new RangeError(
        `renderPhotos: idx[${i}] must be an integer in [0, ${set.photos.length}), got ${idx[i]}`,
      );
    }
  }
  const { scale = [0.5, 1], ratio = [3 / 4, 4 / 3], flip = true } = augment ?? {};
  if (augment) {
    const { seed, epoch } = augment;
    if (!Number.isInteger(seed) || !Number.isInteger(epoch) || epoch < 0) {
      throw new RangeError(
        `renderPhotos: augment.seed and augment.epoch must be integers (epoch >= 0), got ` +
          `${seed} and ${epoch}`,
      );
    }
    if (!(scale[0] > 0 && scale[0] <= scale[1] && scale[1] <= 1)) {
      throw new RangeError(
        `renderPhotos: augment.scale must satisfy 0 < lo <= hi <= 1, got [${scale}]`,
      );
    }
    if (!(ratio[0] > 0 && ratio[0] <= ratio[1])) {
      throw new RangeError(`renderPhotos: augment.ratio must satisfy 0 < lo <= hi, got [${ratio}]`);
    }
  }
  const rand = augment ? createRng(augment.seed * 100003 + augment.epoch) : undefined;
  const n = idx.length, images = new Float32Array(n * size * size * 3);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const photo = set.photos[idx[i]], side = photo.side;
    let rect = { x: 0, y: 0, w: side, h: side }, mirror = false;
    if (rand) {
      // Area and log-aspect drawn uniformly; a crop that does not fit is clipped to the photo.
      const area = side * side * (scale[0] + rand() * (scale[1] - scale[0]));
      const aspect = Math.exp(Math.log(ratio[0]) + rand() * Math.log(ratio[1] / ratio[0]));
      const w = Math.min(side, Math.sqrt(area * aspect)),
        h = Math.min(side, Math.sqrt(area / aspect));
      rect = { x: rand() * (side - w), y: rand() * (side - h), w, h };
      mirror = flip && rand() < 0.5;
    }
    resample(
      photo,
      rect,
      size,
      mirror,
      images.subarray(i * size * size * 3, (i + 1) * size * size * 3),
    );
    labels[i] = set.labels[idx[i]];
  }
  return { images, labels, n, height: size, width: size, channels: 3 };
}
