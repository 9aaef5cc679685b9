/**
 * The parts of TF.js's `cpu` and `wasm` backends our kernels use, typed once: the backends'
 * classes are not exported with these members.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";

/** A rank-4 shape. */
export type Shape4 = [number, number, number, number];

/** The `cpu` backend: tensors are JS typed arrays in its data map. */
export interface CpuBackend {
  data: { get(dataId: object): { values: Float32Array | Int32Array } };
  makeTensorInfo(shape: number[], dtype: "float32", values: Float32Array): tf.TensorInfo;
}

/** A float32 tensor's values on the `cpu` backend. */
export function cpuFloats(b: CpuBackend, t: tf.TensorInfo): Float32Array {
  return b.data.get(t.dataId).values as Float32Array;
}

/** The `wasm` backend: tensors live in its WebAssembly heap. */
export interface WasmBackend {
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
  /** A view of the tensor's data in the heap, typed by its dtype. */
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array;
  disposeData(dataId: object): boolean;
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  wasm: { asm: { memory: WebAssembly.Memory } };
}

/** A float32 tensor's data in the `wasm` backend's heap. */
export function heapFloats(b: WasmBackend, t: tf.TensorInfo): Float32Array {
  return b.typedArrayFromHeap(t) as Float32Array;
}
