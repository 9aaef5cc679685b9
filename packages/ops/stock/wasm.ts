/**
 * What the stock-named wasm kernels share: the backend's own kernels called on TensorInfos, its
 * XNNPACK GEMM, heap views by dtype, and the stock convolution geometry.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
// Stock's wasm kernels register when this module loads; importing it first lets ours replace them.
import "@tensorflow/tfjs-backend-wasm";
import type { WasmBackend } from "../wasm_heap.ts";

export type { WasmBackend };

/** The arguments TF.js passes a kernel function. */
export type KernelArgs = Parameters<tf.KernelFunc>[0];

/** The backend of a kernel call, as the wasm backend it is. */
export function wasmOf(args: KernelArgs): WasmBackend {
  return args.backend as unknown as WasmBackend;
}

/** The named input of a kernel call; stock ops always pass it, so a missing one is a bug. */
export function named(args: KernelArgs, name: string): tf.TensorInfo {
  const t = args.inputs[name];
  if (t === undefined) throw new Error(`convgrad: kernel called without input '${name}'`);
  return t;
}

/** Runs one of the wasm backend's own kernels on TensorInfos; the caller owns the result. */
export function runWasm(
  name: string,
  b: WasmBackend,
  inputs: Record<string, tf.TensorInfo>,
  attrs: Record<string, unknown>,
): tf.TensorInfo {
  const k = tf.getKernel(name, "wasm");
  if (k === undefined) throw new Error(`convgrad: the wasm backend has no '${name}' kernel`);
  return k.kernelFunc({
    inputs,
    backend: b as never,
    attrs: attrs as tf.NamedAttrMap,
  }) as tf.TensorInfo;
}

/**
 * `a [R,K] · b [K,Cols]` as XNNPACK's 1x1 convolution (a viewed as one image of R pixels with K
 * channels, b as the [1,1,K,Cols] filter): the backend's fastest matrix product.
 */
export function gemm(
  b: WasmBackend,
  a: tf.TensorInfo,
  bm: tf.TensorInfo,
  [R, K, Cols]: [number, number, number],
): tf.TensorInfo {
  const x = { dataId: a.dataId, shape: [1, 1, R, K], dtype: "float32" as const };
  const filter = { dataId: bm.dataId, shape: [1, 1, K, Cols], dtype: "float32" as const };
  return runWasm("Conv2D", b, { x, filter }, {
    strides: [1, 1],
    pad: "valid",
    dilations: [1, 1],
    dataFormat: "NHWC",
  });
}

/** A float32 view of a tensor's data on the heap; take it after the last allocation. */
export function f32(b: WasmBackend, t: tf.TensorInfo): Float32Array {
  return b.typedArrayFromHeap(t);
}

/** An int32 view of a tensor's data on the heap; take it after the last allocation. */
export function i32(b: WasmBackend, t: tf.TensorInfo): Int32Array {
  return b.typedArrayFromHeap(t) as unknown as Int32Array;
}

/** The same data under another shape (a reshape costs nothing on the heap). */
export function reshaped(t: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/** Stock convolution geometry: strides, padding ('same', 'valid', numbers, explicit), sizes. */
export type ConvInfo = tf.backend_util.Conv2DInfo;

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
