/**
 * The max-pool kernels on TF.js's `cpu` backend: JS loops over the backend's float32 arrays.
 *
 * @module
 */
import { type CpuBackend, cpuFloats } from "../backend_types.ts";
import { input, registerKernelOnce } from "../register.ts";
import { pooledShape } from "./geometry.ts";
import { MAX_POOL, MAX_POOL_BACKPROP } from "./kernel_names.ts";

/** The flat index of each window's first maximum, in output order (the one loop both passes use). */
function argmaxes(x: Float32Array, [N, C, H, W]: readonly number[], k: number): Int32Array {
  const [, , Ho, Wo] = pooledShape([N, C, H, W], k);
  const idx = new Int32Array(N * C * Ho * Wo);
  let o = 0;
  for (let plane = 0; plane < N * C * H * W; plane += H * W) {
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++) {
        let best = plane + i * k * W + j * k, bv = x[best];
        for (let p = 0; p < k; p++) {
          const row = plane + (i * k + p) * W + j * k;
          for (let q = 0; q < k; q++) {
            if (x[row + q] > bv) bv = x[best = row + q];
          }
        }
        idx[o++] = best;
      }
    }
  }
  return idx;
}

function forward(x: Float32Array, shape: readonly number[], k: number): Float32Array {
  const idx = argmaxes(x, shape, k), y = new Float32Array(idx.length);
  for (let o = 0; o < idx.length; o++) y[o] = x[idx[o]];
  return y;
}

function backward(x: Float32Array, dy: Float32Array, shape: readonly number[], k: number) {
  const idx = argmaxes(x, shape, k), dx = new Float32Array(x.length);
  for (let o = 0; o < idx.length; o++) dx[idx[o]] += dy[o];
  return dx;
}

registerKernelOnce({
  kernelName: MAX_POOL,
  backendName: "cpu",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = backend as unknown as CpuBackend, x = input(inputs, "x"), k = attrs!.size as number;
    return b.makeTensorInfo(
      pooledShape(x.shape, k),
      "float32",
      forward(cpuFloats(b, x), x.shape, k),
    );
  },
});
registerKernelOnce({
  kernelName: MAX_POOL_BACKPROP,
  backendName: "cpu",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = backend as unknown as CpuBackend, x = input(inputs, "x"), dy = input(inputs, "dy");
    const dx = backward(cpuFloats(b, x), cpuFloats(b, dy), x.shape, attrs!.size as number);
    return b.makeTensorInfo(x.shape, "float32", dx);
  },
});
