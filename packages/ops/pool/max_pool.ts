/**
 * Max-pooling over non-overlapping k×k windows, NCHW, as a kernel of its own with its gradient.
 *
 * Why not stock TF.js: its pooling is NHWC only (an NCHW network pays two transposes of the whole
 * activation per step, ~10 ms each on wasm for the MNIST layer), and stock wasm `MaxPoolGrad`
 * routes the gradient wrongly when a window holds only negative values (found by our tests).
 * A composite of reshape/max/unstack is correct but 100x slower on wasm (its `Unpack` and
 * broadcast `Equal` dominate a training step). The cpu kernels are JS loops, the wasm ones our
 * `max_pool.wat` on the backend's heap (5x faster than the same loops in JS there).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { input, registerGradientOnce, registerKernelOnce } from "../register.ts";
import { checkOperand } from "../conv/options.ts";
import { heapModule, heapOffset, type WasmBackend } from "../wasm_heap.ts";
import { WASM_BASE64 } from "./max_pool_wasm.ts";

/** Kernel names: forward `{x}` → y, backward `{x, dy}` → dx; attrs `{size}`. */
export const MAX_POOL = "ConvgradMaxPool";
export const MAX_POOL_BACKPROP = "ConvgradMaxPoolBackprop";

/**
 * Max over each `size`×`size` window, stride `size`: `[N,C,H,W]` → `[N,C,⌊H/size⌋,⌊W/size⌋]`
 * (trailing rows/columns that fill no window are dropped). The gradient goes to each window's
 * first maximum.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { maxPool, setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * maxPool(tf.tensor4d([1, 5, 3, 2], [1, 1, 2, 2]), 2).print(); // [[[[5]]]]
 * ```
 */
export function maxPool(x: tf.Tensor4D, size: number): tf.Tensor4D {
  const xt = checkOperand("maxPool", "x", x, "[N,C,H,W]");
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`maxPool: size must be a positive integer, got ${size}`);
  }
  if (xt.shape[2] < size || xt.shape[3] < size) {
    throw new RangeError(
      `maxPool: input ${xt.shape[2]}x${xt.shape[3]} is smaller than the window ${size}x${size}`,
    );
  }
  return tf.engine().runKernel(MAX_POOL, { x }, { size }) as tf.Tensor4D;
}

/** The flat index of each window's first maximum, in output order (the one loop both passes use). */
function argmaxes(x: Float32Array, [N, C, H, W]: readonly number[], k: number): Int32Array {
  const Ho = Math.floor(H / k), Wo = Math.floor(W / k);
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

interface CpuBackend {
  data: { get(id: object): { values: Float32Array } };
  makeTensorInfo(s: number[], d: "float32", v: Float32Array): tf.TensorInfo;
}

/** Output shape of a pool of x [N,C,H,W] with window k. */
const pooled = (
  [N, C, H, W]: readonly number[],
  k: number,
) => [N, C, Math.floor(H / k), Math.floor(W / k)];

registerKernelOnce({
  kernelName: MAX_POOL,
  backendName: "cpu",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = backend as unknown as CpuBackend, x = input(inputs, "x"), k = attrs!.size as number;
    return b.makeTensorInfo(
      pooled(x.shape, k),
      "float32",
      forward(b.data.get(x.dataId).values, x.shape, k),
    );
  },
});
registerKernelOnce({
  kernelName: MAX_POOL_BACKPROP,
  backendName: "cpu",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = backend as unknown as CpuBackend, x = input(inputs, "x"), dy = input(inputs, "dy");
    const v = (t: tf.TensorInfo) => b.data.get(t.dataId).values;
    return b.makeTensorInfo(
      x.shape,
      "float32",
      backward(v(x), v(dy), x.shape, attrs!.size as number),
    );
  },
});

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
    const [N, C, H, W] = x.shape, y = b.makeOutput(pooled(x.shape, k), "float32");
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

registerGradientOnce({
  kernelName: MAX_POOL,
  inputsToSave: ["x"],
  gradFunc: (dy, [x], attrs) => ({
    x: () =>
      tf.engine().runKernel(MAX_POOL_BACKPROP, { x, dy: dy as tf.Tensor }, attrs) as tf.Tensor,
  }),
});
