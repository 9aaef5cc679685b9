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

/** A module of one function computing `f32x4.relaxed_madd`: valid only with relaxed SIMD. */
const RELAXED_PROBE = new Uint8Array([
  0,
  97,
  115,
  109,
  1,
  0,
  0,
  0,
  1,
  6,
  1,
  96,
  1,
  123,
  1,
  123,
  3,
  2,
  1,
  0,
  10,
  13,
  1,
  11,
  0,
  32,
  0,
  32,
  0,
  32,
  0,
  253,
  133,
  2,
  11,
]);

/**
 * Whether this runtime has relaxed SIMD (V8 since 11.4, so Deno 2 and Chromium; not every
 * browser): its `f32x4.relaxed_madd` is one fused multiply-add on x86 with FMA and on ARM.
 */
export const relaxedSimd: boolean = WebAssembly.validate(RELAXED_PROBE);

/**
 * The build of a module with fused multiply-adds this runtime can run: the relaxed-SIMD one, or
 * where relaxed SIMD is missing the plain one (a multiply, then an add: the same sums, rounded
 * once more per product, so results differ from the fused build's in the last bits).
 *
 * @example
 * ```ts
 * import { simdBuild } from "./wasm_heap.ts";
 * simdBuild({ WASM_BASE64: "relaxed", WASM_BASE64_PLAIN: "plain" }); // "relaxed" in Deno
 * ```
 */
export function simdBuild(m: { WASM_BASE64: string; WASM_BASE64_PLAIN: string }): string {
  return relaxedSimd ? m.WASM_BASE64 : m.WASM_BASE64_PLAIN;
}
