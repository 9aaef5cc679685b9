/**
 * Small building blocks of the recurrent kernels, chosen for TF.js 4.22's wasm backend, where
 * the time goes (profiled on the cs231n LSTM captioner).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * `tanh(x)`; on wasm computed as `2σ(2x) − 1`, because TF.js 4.22's wasm `Tanh` kernel is
 * 25x slower than its `Sigmoid` (measured on `[50,512]`) and was a tenth of an LSTM training
 * step. The identity costs at most ~1e-7 absolute error in float32.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { tanh } from "./primitives.ts";
 * tanh(tf.tensor1d([0, 1])).print(); // [0, 0.7616]
 * ```
 */
export function tanh(x: tf.Tensor): tf.Tensor {
  return tf.getBackend() === "wasm" ? tf.sigmoid(x.mul(2)).mul(2).sub(1) : tf.tanh(x);
}

/**
 * Time step `t` of a time-major tensor `[T,N,K]` (or its `[T·N,K]` view), as `[N,K]`. The
 * kernels slice small sources only: TF.js wasm's `Slice` (and `Unpack`, `SplitV`, built on it)
 * copies the whole source tensor out of the heap for every slice, so T slices of a `[T,N,4H]`
 * tensor cost T copies of all of it.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { step } from "./primitives.ts";
 * step(tf.ones([3, 2, 4]), 1, 2).shape; // [2, 4]
 * ```
 */
export function step(x: tf.Tensor, t: number, N: number): tf.Tensor {
  const K = x.shape[x.rank - 1]!;
  return x.reshape([-1, K]).slice([t * N, 0], [N, K]);
}
