/**
 * The vanilla (tanh) RNN over a whole sequence, with backpropagation through time as one
 * hand-written gradient.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { checkArgs } from "./checks.ts";
import { customOp } from "./custom_grad.ts";
import { step, tanh } from "./primitives.ts";

/**
 * Unchecked {@linkcode rnnSequence}. The backward pass walks the steps in reverse for
 * `da_t = (dy_t + dh_{t+1})·(1 − h_t²)` and `dh_t = da_t·Whᵀ`, then forms `dx`, `dWx`, `dWh`
 * and `db` as single GEMMs over all `T·N` rows (time-major).
 */
export const rnnSequenceCore = customOp(([x, h0, Wx, Wh, b], save) => {
  const [N, T, D] = x.shape;
  const xs = x.transpose([1, 0, 2]).reshape([T * N, D]); // time-major [T·N,D]
  const hs: tf.Tensor[] = [];
  let h = h0;
  for (let t = 0; t < T; t++) {
    const xw = tf.fused.matMul({ a: step(xs, t, N), b: Wx, bias: b }); // [N,H]
    hs.push(h = tanh(xw.add(tf.matMul(h, Wh))));
  }
  // Each step's state is saved as it is: stacking and slicing them again costs more.
  save([xs, h0, Wx, Wh, ...hs]);
  return {
    value: tf.stack(hs, 1),
    gradFunc: (dy, [xs, h0, Wx, Wh, ...hs]) => {
      const dys = dy.transpose([1, 0, 2]); // [T,N,H]
      const WhT = Wh.transpose(); // explicit: wasm's transposed BatchMatMul is slow
      const das: tf.Tensor[] = new Array(T);
      let dh = step(dys, T - 1, N);
      for (let t = T - 1; t >= 0; t--) {
        das[t] = dh.mul(tf.sub(1, hs[t].square())); // tanh' = 1 − h²
        const dPrev = tf.matMul(das[t], WhT);
        dh = t > 0 ? step(dys, t - 1, N).add(dPrev) : dPrev;
      }
      const da = tf.concat(das); // [T·N,H], time-major
      const hPrev = tf.concat([h0, ...hs.slice(0, T - 1)]); // [T·N,H]: h_{t−1} of every step
      return [
        tf.matMul(da, Wx.transpose()).reshape([T, N, D]).transpose([1, 0, 2]),
        dh,
        tf.matMul(xs.transpose(), da),
        tf.matMul(hPrev.transpose(), da),
        da.sum(0),
      ];
    },
  };
}) as (
  x: tf.Tensor3D,
  h0: tf.Tensor2D,
  Wx: tf.Tensor2D,
  Wh: tf.Tensor2D,
  b: tf.Tensor1D,
) => tf.Tensor3D;

/**
 * The vanilla RNN `h_t = tanh(x_t·Wx + h_{t−1}·Wh + b)` over `x [N,T,D]` from `h0 [N,H]`
 * (`Wx [D,H]`, `Wh [H,H]`, `b [H]`): every hidden state, `[N,T,H]`. The gradient is one
 * hand-written backpropagation through time, not T autodiff graphs.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { rnnSequence } from "@convgrad/rnn";
 * const [N, T, D, H] = [2, 5, 3, 4];
 * const h = rnnSequence(tf.ones([N, T, D]), tf.zeros([N, H]), tf.ones([D, H]), tf.eye(H), tf.zeros([H]));
 * h.shape; // [2, 5, 4]
 * ```
 */
export function rnnSequence(
  x: tf.Tensor3D,
  h0: tf.Tensor2D,
  Wx: tf.Tensor2D,
  Wh: tf.Tensor2D,
  b: tf.Tensor1D,
): tf.Tensor3D {
  checkArgs("rnnSequence", [
    ["x", x, "N,T,D"],
    ["h0", h0, "N,H"],
    ["Wx", Wx, "D,H"],
    ["Wh", Wh, "H,H"],
    ["b", b, "H"],
  ]);
  return rnnSequenceCore(x, h0, Wx, Wh, b);
}
