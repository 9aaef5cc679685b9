/**
 * The fused Adam kernel on TF.js's `wasm` backend: our `adam.wat` (SIMD), one pass over the
 * weight, its gradient and moments on the backend's heap.
 *
 * @module
 */
import type { WasmBackend } from "../backend_types.ts";
import { input, registerKernelOnce } from "../register.ts";
import { heapModule, heapOffset } from "../wasm_heap.ts";
import { ADAM_UPDATE, type AdamAttrs } from "./kernel_names.ts";
import { WASM_BASE64 } from "./adam_wasm.ts";

/** The export of adam.wat (see there); pointers are byte offsets into the backend's heap. */
interface AdamWasm {
  adam(...args: number[]): void;
}

registerKernelOnce({
  kernelName: ADAM_UPDATE,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = backend as unknown as WasmBackend, a = attrs as unknown as AdamAttrs;
    const ins = ["x", "m", "v", "g"].map((n) => input(inputs, n));
    const shape = ins[0].shape, n = shape.reduce((p, s) => p * s, 1);
    const outs = [0, 1, 2].map(() => b.makeOutput(shape, "float32"));
    heapModule<AdamWasm>(b, WASM_BASE64).adam(
      ...[...ins, ...outs].map((t) => heapOffset(b, t)),
      n,
      a.b1,
      a.c1,
      a.b2,
      a.c2,
      a.d1,
      a.d2,
      a.eps,
      a.nlr,
    );
    return outs;
  },
});
