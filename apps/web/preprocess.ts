/**
 * Turns a drawing into the kind of image the network was trained on. MNIST's digits were
 * size-normalised to fit a 20x20 box (keeping their aspect ratio, anti-aliased) and then placed
 * in a 28x28 field so that their centre of mass sits at its centre; a drawing fed raw (off-centre,
 * too big or thin) is misread far more often.
 *
 * @module
 */

/** MNIST's field and the box the digit is scaled into. */
const FIELD = 28, BOX = 20;

/** Ink below this counts as background when finding the stroke's bounding box. */
const INK_THRESHOLD = 0.05;

/**
 * The area-average resampling of `n` source cells onto `m` target cells (target cell t covers
 * source [t·n/m, (t+1)·n/m)): for each target cell, its source cells and their weights (the
 * overlap, divided by the target cell's width so that the weights sum to 1).
 */
function areaWeights(n: number, m: number): { from: number; weights: number[] }[] {
  const scale = n / m;
  return Array.from({ length: m }, (_, t) => {
    const a = t * scale, b = (t + 1) * scale, from = Math.floor(a), weights: number[] = [];
    for (let s = from; s < Math.min(n, Math.ceil(b)); s++) {
      weights.push((Math.min(b, s + 1) - Math.max(a, s)) / scale);
    }
    return { from, weights };
  });
}

/**
 * An MNIST-style 28x28 image of the ink in `ink` (`width`×`height` values in [0, 1], row-major,
 * 1 = ink): the strokes' bounding box scaled (area-averaged) so that its longer side is 20, then
 * shifted by whole pixels so that the centre of mass is at the field's centre. `null` when
 * there is no ink.
 *
 * @example
 * ```ts
 * import { centerLikeMnist } from "./preprocess.ts";
 * const ink = new Float32Array(100 * 100);
 * for (let y = 10; y < 90; y++) for (let x = 45; x < 55; x++) ink[y * 100 + x] = 1; // a "1"
 * const img = centerLikeMnist(ink, 100, 100); // Float32Array(784), a 3x20 bar in the middle
 * ```
 */
export function centerLikeMnist(
  ink: Float32Array,
  width: number,
  height: number,
): Float32Array | null {
  for (const [name, v] of [["width", width], ["height", height]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`centerLikeMnist: ${name} must be a positive integer, got ${v}`);
    }
  }
  if (!(ink instanceof Float32Array) || ink.length !== width * height) {
    throw new RangeError(
      `centerLikeMnist: ink must be a Float32Array of width·height = ${width * height} values, ` +
        `got ${ink instanceof Float32Array ? ink.length : ink}`,
    );
  }
  let top = height, bottom = -1, left = width, right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] > INK_THRESHOLD) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  if (bottom < 0) return null;
  const bw = right - left + 1, bh = bottom - top + 1, s = BOX / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * s)), th = Math.max(1, Math.round(bh * s));

  // Separable area averaging: columns bw → tw on each row, then rows bh → th.
  const cols = areaWeights(bw, tw), rows = areaWeights(bh, th);
  const narrow = new Float32Array(bh * tw); // [bh, tw]
  for (let y = 0; y < bh; y++) {
    const row = (top + y) * width + left;
    cols.forEach(({ from, weights }, t) => {
      let v = 0;
      weights.forEach((w, i) => v += w * ink[row + from + i]);
      narrow[y * tw + t] = v;
    });
  }
  const box = new Float32Array(th * tw); // [th, tw]
  rows.forEach(({ from, weights }, t) => {
    for (let x = 0; x < tw; x++) {
      let v = 0;
      weights.forEach((w, i) => v += w * narrow[(from + i) * tw + x]);
      box[t * tw + x] = v;
    }
  });

  let mass = 0, mx = 0, my = 0;
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const v = box[y * tw + x];
      mass += v;
      mx += v * x;
      my += v * y;
    }
  }
  // Pixel centres: the field's centre is at index (FIELD − 1) / 2.
  const dx = Math.round((FIELD - 1) / 2 - mx / mass), dy = Math.round((FIELD - 1) / 2 - my / mass);
  const out = new Float32Array(FIELD * FIELD); // [28, 28]
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const X = x + dx, Y = y + dy;
      if (X >= 0 && X < FIELD && Y >= 0 && Y < FIELD) {
        out[Y * FIELD + X] = Math.min(1, box[y * tw + x]);
      }
    }
  }
  return out;
}
