/**
 * `Tile` for the wasm backend, replacing stock's: batch normalization's gradient tiles a
 * per-channel vector over every pixel (`[1,1,1,C]` by `[N,H,W,1]`), and stock wasm's element-by-
 * element copy took a third of a MobileNetV2 training step (1.1 s of 3.4 s at 128x128, batch 8;
 * 219 ms for one `[8,112,112,32]` tile, ours a memory copy).
 *
 * `out[o] = x[o mod shape]` axis by axis. Filled recursively: the block of the output that holds
 * one copy of x's slab along an axis is contiguous, so the other `reps − 1` copies are made by
 * doubling `copyWithin` calls, and an innermost row is one `set`.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { input } from "../register.ts";
import { type KernelArgs, wasmOf } from "./wasm.ts";

type Heap = Float32Array | Int32Array | Uint8Array;

function tile(args: KernelArgs): tf.TensorInfo {
  const b = wasmOf(args), x = input(args.inputs, "x");
  const { reps } = args.attrs as unknown as { reps: number[] };
  if (reps.length !== x.shape.length || !reps.every((r) => Number.isInteger(r) && r >= 0)) {
    throw new RangeError(
      `Tile (wasm): reps must be ${x.shape.length} integers >= 0, got [${reps}]`,
    );
  }
  const shape = x.shape.map((s, i) => s * reps[i]);
  const out = b.makeOutput(shape, x.dtype as "float32");
  if (shape.some((s) => s === 0)) return out;
  const src = b.typedArrayFromHeap(x) as Heap, dst = b.typedArrayFromHeap(out) as Heap;
  const R = shape.length;
  const xStride = new Array<number>(R), oStride = new Array<number>(R);
  for (let d = R - 1, xs = 1, os = 1; d >= 0; d--) {
    xStride[d] = xs;
    oStride[d] = os;
    xs *= x.shape[d];
    os *= shape[d];
  }
  /** Copies `[at, at + block)` so that it repeats `times` times in a row. */
  const repeat = (at: number, block: number, times: number) => {
    for (let filled = block; filled < block * times;) {
      const n = Math.min(filled, block * times - filled);
      dst.copyWithin(at + filled, at, at + n);
      filled += n;
    }
  };
  const fill = (d: number, o: number, i: number) => {
    const s = x.shape[d];
    if (d === R - 1) {
      dst.set(src.subarray(i, i + s), o);
    } else {
      for (let k = 0; k < s; k++) fill(d + 1, o + k * oStride[d], i + k * xStride[d]);
    }
    repeat(o, s * oStride[d], reps[d]);
  };
  fill(0, 0, 0);
  return out;
}

/** The kernel's registration record (registered by `register.ts`, replacing stock's). */
export const tileConfig: tf.KernelConfig = {
  kernelName: "Tile",
  backendName: "wasm",
  kernelFunc: tile as tf.KernelFunc,
};
