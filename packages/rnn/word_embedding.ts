/**
 * Word embedding (a row lookup) with a backward pass that needs no `UnsortedSegmentSum`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { checkArgs, checkTokens } from "./checks.ts";
import { customOp } from "./custom_grad.ts";

/**
 * Unchecked {@linkcode wordEmbedding}. Stock `tf.gather`'s gradient is an `UnsortedSegmentSum`,
 * which TF.js's wasm backend lacks; ours is `scatterND` of the upstream rows onto `[V,Wd]`, which
 * sums rows that share a token and exists on cpu, wasm and webgl.
 */
export function wordEmbeddingCore(x: tf.Tensor2D, W: tf.Tensor2D): tf.Tensor3D {
  const [N, T] = x.shape, [V, Wd] = W.shape;
  return customOp(([W], save) => {
    const ids = x.reshape([N * T, 1]);
    save([ids]);
    return {
      value: tf.gather(W, ids.reshape([N * T])).reshape([N, T, Wd]),
      gradFunc: (dy, [ids]) => [tf.scatterND(ids, dy.reshape([N * T, Wd]), [V, Wd])],
    };
  })(W) as tf.Tensor3D;
}

/**
 * Looks up the word vectors of int32 token ids `x [N,T]` in `W [V,Wd]`: `[N,T,Wd]`. In the
 * gradient, rows of tokens that occur several times accumulate. Ids outside `[0, V)` throw.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { wordEmbedding } from "@convgrad/rnn";
 * const W = tf.tensor2d([[0, 0], [1, 1], [2, 2]]);
 * wordEmbedding(tf.tensor2d([[2, 1]], [1, 2], "int32"), W).print(); // [[[2, 2], [1, 1]]]
 * ```
 */
export function wordEmbedding(x: tf.Tensor2D, W: tf.Tensor2D): tf.Tensor3D {
  const { V } = checkArgs("wordEmbedding", [["x", x, "N,T", "int32"], ["W", W, "V,Wd"]]);
  checkTokens("wordEmbedding", "x", x, V);
  return wordEmbeddingCore(x, W);
}
