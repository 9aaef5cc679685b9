import * as tf from "@tensorflow/tfjs";
import { outSize } from "../checks.ts";
import { maxPool } from "../pool/max_pool.ts";
import { filt } from "./filt.ts";
import { FILT_POOL } from "./kernel_names.ts";
import { checkConv, type ConvOptions } from "./options.ts";

/**
 * `maxPool(filt(x, k, opts), 2)`: a convolution followed by 2x2 max-pooling at stride 2, NCHW,
 * `[N,C,H,W]` * `[F,C,kh,kw]` → `[N,F,⌊Ho/2⌋,⌊Wo/2⌋]`. On wasm, when F is a multiple of 4, one
 * kernel pools the convolution's output in the layout it is computed in (no relayout of the full
 * activation) and its gradient sends dY to each window's first maximum, as `maxPool`'s does; on
 * other backends, or for other F, it is exactly the two ops.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { filtPool, setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const x = tf.randomUniform([2, 1, 28, 28]) as tf.Tensor4D;
 * const k = tf.randomNormal([8, 1, 7, 7]) as tf.Tensor4D;
 * filtPool(x, k).shape; // [2, 8, 11, 11]
 * ```
 */
export function filtPool(x: tf.Tensor4D, k: tf.Tensor4D, opts: ConvOptions = {}): tf.Tensor4D {
  const attrs = checkConv("filtPool", x, k, opts);
  const [, , H, W] = x.shape, [F, , kh, kw] = k.shape;
  const Ho = outSize(H, kh, attrs.stride[0], attrs.pad[0]);
  const Wo = outSize(W, kw, attrs.stride[1], attrs.pad[1]);
  if (Ho < 2 || Wo < 2) {
    throw new RangeError(
      `filtPool: the convolution's output ${Ho}x${Wo} is smaller than the 2x2 window ` +
        `(x [${x.shape}], k [${k.shape}])`,
    );
  }
  if (tf.getBackend() !== "wasm" || F % 4 !== 0) {
    return tf.tidy(() => maxPool(filt(x, k, opts), 2));
  }
  const [y, code] = tf.engine().runKernel(
    FILT_POOL,
    { x, k },
    attrs as unknown as tf.NamedAttrMap,
  ) as tf.Tensor[];
  code.dispose(); // the gradient keeps its own reference when one is being recorded
  return y as tf.Tensor4D;
}
