/**
 * The max-pool kernels on TF.js's `wasm` backend: our `max_pool.wat` (SIMD for 2x2 windows), in
 * place on the backend's heap.
 *
 * @module
 */
import type { WasmBackend } from "../backend_types.ts";
import { input, registerKernelOnce } from "../register.ts";
import { heapModule, heapOffset } from "../wasm_heap.ts";
import { pooledShape } from "./geometry.ts";
import { MAX_POOL, MAX_POOL_BACKPROP } from "./kernel_names.ts";
import { WASM_BASE64 } from "./max_pool_wasm.ts";

/** The exports of max_pool.wat: both passes in place on the backend's heap. */
interface PoolWasm {
  forward(x: number, y: number, planes: number, H: number, W: number, k: number): void;
  backward(
    x: number,
    dy: number,
    dx: number,
    planes: number,
    H: number,
    W: number,
    k: number,
  ): void;
}

registerKernelOnce({
  kernelName: MAX_POOL,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = backend as unknown as WasmBackend, x = input(inputs, "x"), k = attrs!.size as number;
    const [N, C, H, W] = x.shape, y = b.makeOutput(pooledShape(x.shape, k), "float32");
    heapModule<PoolWasm>(b, WASM_BASE64).forward(
      heapOffset(b, x),
      heapOffset(b, y),
      N * C,
      H,
      W,
      k,
    );
    return y;
  },
});
registerKernelOnce({
  kernelName: MAX_POOL_BACKPROP,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = backend as unknown as WasmBackend, x = input(inputs, "x"), dy = input(inputs, "dy");
    const [N, C, H, W] = x.shape, dx = b.makeOutput(x.shape, "float32");
    heapModule<PoolWasm>(b, WASM_BASE64).backward(
      heapOffset(b, x),
      heapOffset(b, dy),
      heapOffset(b, dx),
      N * C,
      H,
      W,
      attrs!.size as number,
    );
    return dx;
  },
});
