/**
 * 3x3 convolutions at stride 1 by Winograd F(4x4, 3x3) on the wasm backend's heap — the forward
 * pass, dX and dK: `winograd.wat` for the tile transforms, 36 XNNPACK GEMMs for the products. A
 * quarter of the multiplications of the direct method, which is what lets forward+backward cost
 * under 3x the forward there.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { heapFloats, type WasmBackend } from "../backend_types.ts";
import { heapModule, heapOffset } from "../wasm_heap.ts";
import { channelsFirst, copyView, gemm, stridesOf, type Temp } from "./heap_tensors.ts";
import type { ConvAttrs } from "./options.ts";
import { WASM_BASE64 as WINOGRAD_BASE64 } from "./winograd_wasm.ts";

/** The exports of winograd.wat (see there): pointers are byte offsets into the backend's heap. */
interface Winograd {
  toWinograd(line: Line, k: number, m: number, src: number, ...geometry: number[]): void;
  fromWinograd(line: Line, k: number, m: number, planes: number, ...geometry: number[]): void;
}

/** winograd.wat's 1-D transforms, by table index, and their [inputs, outputs]. */
const enum Line {
  Bt = 0,
  A = 1,
  At = 2,
  Gt = 3,
  G = 4,
}
const LINE_SIZES: Record<Line, [number, number]> = {
  [Line.Bt]: [6, 6],
  [Line.A]: [4, 6],
  [Line.At]: [6, 4],
  [Line.Gt]: [6, 3],
  [Line.G]: [3, 6],
};

/** A tensor on the heap as winograd.wat walks it: `items` images of `size`, lanes innermost. */
interface Image {
  tensor: tf.TensorInfo;
  items: number;
  lanes: number;
  /** Float strides of an item, a row and a column (a lane's is 1). */
  strides: [number, number, number];
  size: [number, number];
}

/** A dense `[items, H, W, lanes]` tensor as an {@link Image}. */
function dense(tensor: tf.TensorInfo): Image {
  const [items, H, W, lanes] = tensor.shape;
  return { tensor, items, lanes, strides: [H * W * lanes, W * lanes, lanes], size: [H, W] };
}

/**
 * The 36 transform-domain planes: entry e of item i, tile (a, b), lane l at float
 * `i·item + (a·TB + b)·tile + l` of plane e.
 */
interface Planes {
  tensors: tf.TensorInfo[];
  item: number;
  tile: number;
}

/** v128 scratch winograd.wat needs (three 6x6 tiles), in floats. */
const SCRATCH = 3 * 36 * 4;

/**
 * Where Winograd F(4x4, 3x3) pays: it does 36 products where the direct method does 144, so the
 * forward pass, dX and dK can cost less than XNNPACK's direct convolution, which runs near the
 * core's SIMD peak.
 * It needs 3x3 kernels at stride 1 and SIMD lanes that come in fours (the channels, and for dK the
 * batch). Its 36 GEMMs each pack their right-hand side anew, so they need rows to spread that
 * over: measured, dX gains from 128 output tiles (N·⌈H/4⌉·⌈W/4⌉) and 16 channels each way, and
 * dK from 32 input channels (dK's GEMM rows); below those the direct kernels are as fast or faster.
 */
function winogradFits(k: readonly number[], a: ConvAttrs, lanes: number[]): boolean {
  return k[2] === 3 && k[3] === 3 && a.stride[0] === 1 && a.stride[1] === 1 &&
    lanes.every((n) => n % 4 === 0);
}

/**
 * Where {@link winogradCorrelate} pays, for the forward pass and dX alike: by the tiles of the
 * image it writes, `[N, ·, H, W]` (the output, or dX's input shape). On `[32,64,14,14]*[64,64,3,3]`
 * (288 tiles) the forward took 4.8 ms against 8.0–8.4 ms for the relayout and XNNPACK's direct
 * convolution (`deno task bench`).
 */
export function winogradCorrelateFits(
  k: readonly number[],
  a: ConvAttrs,
  [N, , H, W]: readonly number[],
): boolean {
  const [F, C] = k, tiles = N * Math.ceil(H / 4) * Math.ceil(W / 4);
  return winogradFits(k, a, [F, C]) && F >= 16 && C >= 16 && tiles >= 128;
}

export function winogradFilterFits(k: readonly number[], a: ConvAttrs, N: number): boolean {
  const [F, C] = k;
  return winogradFits(k, a, [N, F]) && F >= 16 && C >= 32;
}

/** 36 planes of `shape`, one per transform entry. */
function planes(
  b: WasmBackend,
  shape: number[],
  temp: Temp,
): tf.TensorInfo[] {
  return Array.from({ length: 36 }, () => temp(b.makeOutput(shape, "float32")));
}

/**
 * Runs winograd.wat on tensors: `to` takes `tiles` [TA,TB] tiles of `img` (tile (a, b) starts at
 * row 4a − origin[0], column 4b − origin[1]) into `planes`; `from` takes them back into `img`,
 * each result tile m x m. The table of plane offsets is written last, after every allocation:
 * allocating may grow, and so detach, the heap.
 */
function transform(
  b: WasmBackend,
  dir: "to" | "from",
  line: Line,
  img: Image,
  p: Planes,
  tiles: [number, number],
  origin: [number, number],
  temp: Temp,
): void {
  const work = temp(b.makeOutput([SCRATCH + 36], "float32"));
  const scratch = heapOffset(b, work), table = scratch + 4 * SCRATCH;
  const heap = new Int32Array(b.wasm.asm.memory.buffer);
  p.tensors.forEach((t, e) => heap[table / 4 + e] = heapOffset(b, t));
  const w = heapModule<Winograd>(b, WINOGRAD_BASE64), [k, m] = LINE_SIZES[line];
  const at = heapOffset(b, img.tensor), { items, lanes, strides, size } = img;
  if (dir === "to") {
    w.toWinograd(
      line,
      k,
      m,
      at,
      items,
      lanes,
      ...strides,
      ...size,
      ...origin,
      ...tiles,
      table,
      p.item,
      p.tile,
      scratch,
    );
  } else {
    w.fromWinograd(
      line,
      k,
      m,
      table,
      items,
      lanes,
      p.item,
      p.tile,
      ...tiles,
      at,
      ...strides,
      ...size,
      scratch,
    );
  }
}

/** For each of the 36 transform entries, `lhs[e] · rhs[e]`. */
function gemms(
  b: WasmBackend,
  lhs: tf.TensorInfo[],
  rhs: tf.TensorInfo[],
  temp: Temp,
): tf.TensorInfo[] {
  return lhs.map((x, e) => temp(gemm(b, x, rhs[e])));
}

/**
 * y [N,F,Ho,Wo] = filt(x, k) by Winograd F(4x4, 3x3), from `xh` [N,H,W,C] padded by `pad` and the
 * kernel as `kc` [3,3,C,F] (flipped already where the op flips it): 4x4 output tiles from 6x6
 * tiles of x, 36 GEMMs [tiles, C]·[C, F]. The forward pass, and dX with dY for x.
 */
export function winogradCorrelate(
  b: WasmBackend,
  xh: tf.TensorInfo,
  kc: tf.TensorInfo,
  [ph, pw]: [number, number],
  [N, Ho, Wo]: number[],
  temp: Temp,
): tf.TensorInfo {
  const [, , C, F] = kc.shape;
  const TA = Math.ceil(Ho / 4), TB = Math.ceil(Wo / 4), T = N * TA * TB;
  const V = { tensors: planes(b, [1, 1, T, C], temp), item: TA * TB * C, tile: C }; // [T,C]
  const U = { tensors: planes(b, [1, 1, C, F], temp), item: F, tile: 0 }; // [C,F]
  transform(b, "to", Line.Bt, dense(xh), V, [TA, TB], [ph, pw], temp);
  const kImg: Image = {
    tensor: kc,
    items: C,
    lanes: F,
    strides: [F, 3 * C * F, C * F],
    size: [3, 3],
  };
  transform(b, "to", Line.G, kImg, U, [1, 1], [0, 0], temp);
  const M = { tensors: gemms(b, V.tensors, U.tensors, temp), item: TA * TB * F, tile: F }; // [T,F]
  const yh = temp(b.makeOutput([N, Ho, Wo, F], "float32"));
  transform(b, "from", Line.At, dense(yh), M, [TA, TB], [0, 0], temp);
  return channelsFirst(b, yh);
}

/**
 * dX [N,C,H,W] by Winograd F(4x4, 3x3): the correlation of dY (padded by 2 − pad) with the
 * flipped, channel-swapped kernel.
 */
export function winogradBackpropInput(
  b: WasmBackend,
  dyh: tf.TensorInfo,
  k: tf.TensorInfo,
  a: ConvAttrs,
  [N, C, H, W]: number[],
  temp: Temp,
): tf.TensorInfo {
  const F = k.shape[0], [ph, pw] = a.pad;
  const [sf, sc, sp, sq] = stridesOf(k.shape);
  const kf = temp(copyView(b, k, {
    shape: [3, 3, F, C],
    strides: [-sp, -sq, sf, sc],
    offset: 2 * sp + 2 * sq,
  })); // kf[i,j,f,c] = k[f,c,2−i,2−j]
  return winogradCorrelate(b, dyh, kf, [2 - ph, 2 - pw], [N, H, W], temp);
}

/**
 * dK [F,C,3,3] by the transposed Winograd F(4x4, 3x3): each 4x4 chunk of dY correlated with the
 * 6x6 tile of X under it gives a 3x3 contribution, 36 products a chunk instead of 144.
 */
export function winogradBackpropFilter(
  b: WasmBackend,
  xt: tf.TensorInfo,
  dyt: tf.TensorInfo,
  a: ConvAttrs,
  temp: Temp,
): tf.TensorInfo {
  const [C, , , N] = xt.shape, [Ho, Wo, , F] = dyt.shape, [ph, pw] = a.pad;
  const TA = Math.ceil(Ho / 4), TB = Math.ceil(Wo / 4), T = TA * TB * N;
  // GEMM rows a multiple of 1 KiB apart alias in the cache (2x slower at T = 256, 512, 1024):
  // four more columns of V, zero rows of U, avoid that.
  const Tp = T % 256 === 0 ? T + 4 : T;
  const V = { tensors: planes(b, [1, 1, C, Tp], temp), item: Tp, tile: N }; // [C,Tp], t = (a,b,n)
  const U = { tensors: planes(b, [1, 1, Tp, F], temp), item: F, tile: N * F }; // [Tp,F]
  if (Tp > T) {
    for (const t of V.tensors) {
      const v = heapFloats(b, t);
      for (let c = 0; c < C; c++) v.fill(0, c * Tp + T, (c + 1) * Tp);
    }
    for (const t of U.tensors) heapFloats(b, t).fill(0, T * F);
  }
  transform(b, "to", Line.Bt, dense(xt), V, [TA, TB], [ph, pw], temp);
  // dY as [Ho,Wo,N,F]: items n, lanes f
  const dyImg: Image = {
    tensor: dyt,
    items: N,
    lanes: F,
    strides: [F, Wo * N * F, N * F],
    size: [Ho, Wo],
  };
  transform(b, "to", Line.A, dyImg, U, [TA, TB], [0, 0], temp);
  const M = { tensors: gemms(b, V.tensors, U.tensors, temp), item: F, tile: 0 }; // [C,F]
  const dkt = temp(b.makeOutput([C, 3, 3, F], "float32"));
  transform(b, "from", Line.Gt, dense(dkt), M, [1, 1], [0, 0], temp);
  return copyView(b, dkt, { shape: [F, C, 3, 3], strides: [1, 9 * F, 3 * F, F], offset: 0 });
}
