/**
 * A convolutional autoencoder (docs/autoencoder.md): a valid (filt) encoder and a full-convolution
 * decoder, with tied or untied decoder weights. Its gradients come from convgrad's registered
 * conv gradients; `docs/autoencoder.md` derives them by hand and the tests check both.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { filt, full } from "@convgrad/ops";

/** The autoencoder's parameters. */
export interface AutoencoderParams {
  /** Encoder kernels `[K,1,kh,kw]`. */
  W: tf.Tensor4D;
  /** Encoder biases `[K]`. */
  b: tf.Tensor1D;
  /** Decoder kernels `[K,1,kh,kw]` (untied only): `W̃_k = Wt_k`. */
  Wt?: tf.Tensor4D;
  /** Decoder bias, a scalar. */
  c: tf.Scalar;
}

/** Options of {@linkcode autoencoderLoss}. */
export interface AutoencoderOptions {
  /** Tied weights: the decoder uses `W̃_k = flip(W_k)` and `params.Wt` must be absent. */
  tied: boolean;
}

function check(x: tf.Tensor, p: AutoencoderParams, tied: boolean): void {
  if (!(x instanceof tf.Tensor) || x.rank !== 4 || x.shape[1] !== 1) {
    throw new RangeError(`autoencoderLoss: x must be [N,1,H,W], got ${x?.shape ?? typeof x}`);
  }
  if (!(p?.W instanceof tf.Tensor) || p.W.rank !== 4 || p.W.shape[1] !== 1) {
    throw new RangeError(`autoencoderLoss: params.W must be [K,1,kh,kw], got ${p?.W?.shape}`);
  }
  const K = p.W.shape[0];
  if (!(p.b instanceof tf.Tensor) || p.b.rank !== 1 || p.b.shape[0] !== K) {
    throw new RangeError(`autoencoderLoss: params.b must be [${K}], got ${p.b?.shape}`);
  }
  if (!(p.c instanceof tf.Tensor) || p.c.rank !== 0) {
    throw new RangeError(`autoencoderLoss: params.c must be a scalar, got ${p.c?.shape}`);
  }
  if (tied && p.Wt !== undefined) {
    throw new TypeError("autoencoderLoss: params.Wt must be absent with tied weights");
  }
  if (!tied && !(p.Wt instanceof tf.Tensor && p.Wt.shape.join() === p.W.shape.join())) {
    throw new RangeError(
      `autoencoderLoss: untied weights need params.Wt [${p.W.shape}], got ${p.Wt?.shape}`,
    );
  }
}

/**
 * The reconstruction `y = σ(Σ_k h_k *full W̃_k + c)` of `x [N,1,H,W]` from the feature maps
 * `h_k = σ(x *filt W_k + b_k)`; `[N,1,H,W]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { reconstruct } from "@convgrad/nn";
 * import { setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const W = tf.randomNormal([4, 1, 5, 5]) as tf.Tensor4D;
 * const y = reconstruct(tf.zeros([2, 1, 28, 28]), { W, b: tf.zeros([4]), c: tf.scalar(0) }, {
 *   tied: true,
 * });
 * ```
 */
export function reconstruct(
  x: tf.Tensor,
  params: AutoencoderParams,
  opts: AutoencoderOptions,
): tf.Tensor4D {
  check(x, params, opts?.tied);
  return tf.tidy(() => {
    const K = params.W.shape[0];
    const h = tf.sigmoid(
      filt(x as tf.Tensor4D, params.W).add(params.b.reshape([1, K, 1, 1])),
    ) as tf.Tensor4D; // [N,K,H',W']
    // full(h, k) sums its input channels: the decoder kernel is [1,K,kh,kw], W̃ per channel.
    const decoder = opts.tied ? tf.reverse(params.W, [2, 3]) : params.Wt!; // [K,1,kh,kw]
    return tf.sigmoid(full(h, decoder.transpose([1, 0, 2, 3])).add(params.c)) as tf.Tensor4D; // [N,1,H,W]
  });
}

/**
 * The reconstruction error `E = 1/(2n) Σ (x − y)²` over a batch of `n` images, with
 * `y` from {@linkcode reconstruct}. Differentiable in every parameter: with tied weights the
 * gradient in `W` adds the encoder path and the decoder path.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { autoencoderLoss } from "@convgrad/nn";
 * import { setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const x = tf.randomUniform([2, 1, 12, 12]);
 * const params = { W: tf.randomNormal([3, 1, 5, 5]) as tf.Tensor4D, b: tf.zeros([3]) as tf.Tensor1D,
 *   c: tf.scalar(0) };
 * const g = tf.grads((W: tf.Tensor) =>
 *   autoencoderLoss(x, { ...params, W: W as tf.Tensor4D }, { tied: true }))([params.W]);
 * ```
 */
export function autoencoderLoss(
  x: tf.Tensor,
  params: AutoencoderParams,
  opts: AutoencoderOptions,
): tf.Scalar {
  if (typeof opts?.tied !== "boolean") {
    throw new TypeError(`autoencoderLoss: opts.tied must be a boolean, got ${opts?.tied}`);
  }
  return tf.tidy(() => {
    const y = reconstruct(x, params, opts);
    return x.sub(y).square().sum().div(2 * x.shape[0]) as tf.Scalar;
  });
}
