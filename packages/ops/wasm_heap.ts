/**
 * Our WebAssembly modules that work in place on the TF.js wasm backend's heap: they import the
 * backend's own memory, so tensors need no copies in or out.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { WasmBackend } from "./backend_types.ts";
import { fromBase64 } from "@convgrad/base";

const instances = new Map<string, { memory: WebAssembly.Memory; exports: WebAssembly.Exports }>();

/**
 * The exports of the module in `base64`, instantiated on `b`'s memory. Our modules are tiny, so
 * they compile synchronously (browsers allow that below 4 KB) — once, and again only if the
 * backend was re-created with a new memory.
 */
export function heapModule<T>(b: WasmBackend, base64: string): T {
  const memory = b.wasm.asm.memory;
  let hit = instances.get(base64);
  if (hit?.memory !== memory) {
    const module = new WebAssembly.Module(fromBase64(base64));
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    hit = { memory, exports: instance.exports };
    instances.set(base64, hit);
  }
  return hit.exports as T;
}

/** Byte offset of a tensor's data in the backend's heap. */
export function heapOffset(b: WasmBackend, t: tf.TensorInfo): number {
  return b.dataIdMap.get(t.dataId).memoryOffset;
}
