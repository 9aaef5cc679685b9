/**
 * What the stock-named wasm kernels share beyond the conv kernels' heap helpers
 * (`../conv/heap_tensors.ts`): the kernel arguments, the bound on patch matrices, row ranges and
 * reshapes of heap tensors, a GEMM by matrix sizes, and the dilation check.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
// Stock's wasm kernels register when this module loads; importing it first lets ours replace them.
import "@tensorflow/tfjs-backend-wasm";
import { heapFloats, type WasmBackend } from "../backend_types.ts";
import { gemm, type Temp } from "../conv/heap_tensors.ts";

export type { WasmBackend };

/** The arguments TF.js passes a kernel function. */
export type KernelArgs = Parameters<tf.KernelFunc>[0];

/** The backend of a kernel call, as the wasm backend it is. */
export function wasmOf(args: KernelArgs): WasmBackend {
  return args.backend as unknown as WasmBackend;
}

/** An int32 tensor's data in the heap; take it after the last allocation. */
export function heapInts(b: WasmBackend, t: tf.TensorInfo): Int32Array {
  return b.typedArrayFromHeap(t) as Int32Array;
}

/** The same data under another shape (a reshape costs nothing on the heap). */
export function reshaped(t: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/**
 * `a [R,K] · bm [K,Cols]` as XNNPACK's GEMM (a 1x1 convolution): `bm` is the side the backend
 * packs anew on every call, so it should be the narrower one.
 */
export function matmul(
  b: WasmBackend,
  a: tf.TensorInfo,
  bm: tf.TensorInfo,
  [R, K, Cols]: [number, number, number],
): tf.TensorInfo {
  return gemm(b, reshaped(a, [1, 1, R, K]), reshaped(bm, [1, 1, K, Cols]));
}

/**
 * Largest patch or column matrix (floats) the conv kernels build at once: 16 MiB. Tests lower it
 * to reach the chunked path.
 *
 * @example
 * ```ts
 * import { patchLimit } from "./wasm.ts";
 * console.log(patchLimit.floats); // 4194304
 * ```
 */
export const patchLimit = { floats: 1 << 22 };

/**
 * Rows [m0, m1) of a row-major [*, width] tensor: the tensor itself if that is all of it, else a
 * copy registered with `temp`.
 */
export function rowsOf(
  b: WasmBackend,
  t: tf.TensorInfo,
  m0: number,
  m1: number,
  width: number,
  temp: Temp,
): tf.TensorInfo {
  if (m0 === 0 && m1 * width === t.shape.reduce((p, s) => p * s, 1)) return t;
  const out = temp(b.makeOutput([m1 - m0, width], "float32"));
  heapFloats(b, out).set(heapFloats(b, t).subarray(m0 * width, m1 * width));
  return out;
}

/**
 * Throws unless every dilation is 1: stock TF.js's conv and depthwise gradients only ever pass
 * 1 (they assert it), and its cpu backprop kernels ignore any other value.
 */
export function checkNoDilation(kernel: string, dilations: unknown): void {
  const d = dilations ?? 1;
  const ok = Array.isArray(d) ? d.every((v) => v === 1) : d === 1;
  if (!ok) {
    throw new RangeError(
      `${kernel} (wasm): dilations must be 1, got ${JSON.stringify(dilations)}`,
    );
  }
}

/** The stock attributes both `Conv2DBackprop*` kernels take (besides the shape they produce). */
export interface Conv2DAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat?: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/**
 * Stock's conv geometry for filter [kh,kw,C,F] on x [N,H,W,C], after refusing NCHW (which wasm's
 * forward `Conv2D` refuses too).
 */
export function conv2dInfo(
  kernel: string,
  xShape: readonly number[],
  filterShape: readonly number[],
  a: Conv2DAttrs,
): tf.backend_util.Conv2DInfo {
  if (a.dataFormat !== undefined && a.dataFormat !== "NHWC") {
    throw new RangeError(
      `${kernel} (wasm): dataFormat must be 'NHWC' (as wasm Conv2D), got '${a.dataFormat}'`,
    );
  }
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
}
