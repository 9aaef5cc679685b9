/**
 * Stock `UnsortedSegmentSum` for the wasm backend (stock 4.22 has none there). It is the gradient
 * of `tf.gather` (so of `tf.layers.embedding`): without it an embedding cannot learn on wasm.
 *
 * out[k, ...] = Σ over the leading positions m with segmentIds[m] = k of x[m, ...]; ids outside
 * [0, numSegments) are dropped, as stock `cpu` does. float32 or int32 x; segmentIds 1-D, one
 * per row of x (as the stock op requires).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { heapFloats } from "../backend_types.ts";
import { input } from "../register.ts";
import { heapInts, type KernelArgs, wasmOf } from "./wasm.ts";

function unsortedSegmentSum(args: KernelArgs): tf.TensorInfo {
  const b = wasmOf(args), x = input(args.inputs, "x"), ids = input(args.inputs, "segmentIds");
  const { numSegments } = args.attrs as unknown as { numSegments: number };
  if (ids.shape.length !== 1 || ids.shape[0] !== x.shape[0]) {
    throw new RangeError(
      `UnsortedSegmentSum (wasm): segmentIds must be 1-D with one id per row of x [${x.shape}], got [${ids.shape}]`,
    );
  }
  if (x.dtype !== "float32" && x.dtype !== "int32") {
    throw new TypeError(`UnsortedSegmentSum (wasm): x must be float32 or int32, got ${x.dtype}`);
  }
  const inner = x.shape.slice(1).reduce((p, s) => p * s, 1), rows = x.shape[0];
  const out = b.makeOutput([numSegments, ...x.shape.slice(1)], x.dtype as "float32");
  const view = x.dtype === "int32" ? heapInts : heapFloats;
  const o = view(b, out), xv = view(b, x), iv = heapInts(b, ids);
  o.fill(0);
  for (let m = 0; m < rows; m++) {
    const k = iv[m];
    if (k < 0 || k >= numSegments) continue;
    const src = m * inner, dst = k * inner;
    for (let e = 0; e < inner; e++) o[dst + e] += xv[src + e];
  }
  return out;
}

/** The kernel's registration record (registered by `register.ts`). */
export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: "UnsortedSegmentSum",
  backendName: "wasm",
  kernelFunc: unsortedSegmentSum as tf.KernelFunc,
};
