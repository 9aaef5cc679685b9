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
import { checkOperand } from "../checks.ts";
import { MAX_POOL } from "./kernel_names.ts";

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
