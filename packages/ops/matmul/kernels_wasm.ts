/**
 * The matrix-product kernel on TF.js's `wasm` backend: our GEMM (`gemm.wat`) on the backend's
 * heap; stock `BatchMatMul` for matrices below its 6x8 tile.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { WasmBackend } from "../backend_types.ts";
import { stock, transposed, withTemps } from "../conv/heap_tensors.ts";
import { input, registerKernelOnce } from "../register.ts";
import { heapModule, heapOffset, simdBuild } from "../wasm_heap.ts";
import * as GEMM from "./gemm_wasm.ts";
import { MAT_MUL } from "./kernel_names.ts";

/** The export of gemm.wat (see there): pointers are byte offsets into the backend's heap. */
interface Gemm {
  gemm(
    a: number,
    b: number,
    c: number,
    M: number,
    N: number,
    K: number,
    sam: number,
    sak: number,
  ): void;
}

/**
 * c [M,N] = op(a)·op(b). A transposed A is read through strides; a transposed B is transposed
 * first (our SIMD transpose: 0.1 ms for the MNIST CNN's [3872,100] weights), as the GEMM's tile
 * loads rows of B.
 */
export function matMulWasm(
  b: WasmBackend,
  a: tf.TensorInfo,
  bm: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  base64: string = simdBuild(GEMM),
): tf.TensorInfo {
  const [M, K] = transposeA ? [a.shape[1], a.shape[0]] : a.shape;
  const N = transposeB ? bm.shape[0] : bm.shape[1];
  if (M < 6 || N < 8) {
    return stock("BatchMatMul", b, { a, b: bm }, { transposeA, transposeB }); // [M,N]
  }
  return withTemps(b, (temp) => {
    const bk = transposeB ? temp(transposed(b, bm, [1, N, K], [1, 1, K, N])) : bm; // [K,N]
    const c = b.makeOutput([M, N], "float32");
    heapModule<Gemm>(b, base64).gemm(
      heapOffset(b, a),
      heapOffset(b, bk),
      heapOffset(b, c),
      M,
      N,
      K,
      transposeA ? 1 : K,
      transposeA ? M : 1,
    );
    return c;
  });
}

registerKernelOnce({
  kernelName: MAT_MUL,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) =>
    matMulWasm(
      backend as unknown as WasmBackend,
      input(inputs, "a"),
      input(inputs, "b"),
      attrs!.transposeA as boolean,
      attrs!.transposeB as boolean,
    ),
});
