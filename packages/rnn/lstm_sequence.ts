/**
 * The LSTM over a whole sequence, with backpropagation through time as one hand-written
 * gradient.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { checkArgs } from "./checks.ts";
import { customOp } from "./custom_grad.ts";

type LstmCore = (
  x: tf.Tensor3D,
  h0: tf.Tensor2D,
  c0: tf.Tensor2D,
  Wx: tf.Tensor2D,
  Wh: tf.Tensor2D,
  b: tf.Tensor1D,
) => tf.Tensor3D;

/** Time-major `[T,N,H]` → batch-major `[N,T,H]`, and back. */
const swap = (t: tf.Tensor) => t.transpose([1, 0, 2]);

/**
 * The LSTM kernel: hidden states `[N,T,H]`, or with `withCell` hidden and cell states side by side,
 * `[N,T,2H]`. Gate blocks of the `4H` columns: i, f, o (sigmoid), g (tanh);
 * `c_t = f⊙c_{t−1} + i⊙g`, `h_t = o⊙tanh(c_t)`.
 *
 * Backward: everything that does not depend on the incoming gradient is computed for all steps
 * at once, `Q = [g⊙i⊙(1−i), c_{t−1}⊙f⊙(1−f), tanh(c_t)⊙o⊙(1−o), i⊙(1−g²)]` and
 * `S = o⊙(1 − tanh²(c_t))`; each reverse step is then `dc = dc_{t+1} + dh⊙S_t`,
 * `da = [dc, dc, dh, dc]⊙Q_t`, `dh_{t−1} = da·Whᵀ`, `dc_{t−1} = dc⊙f_t`, and `dx`, `dWx`, `dWh`,
 * `db` are single GEMMs over all `T·N` rows.
 */
function lstmKernel(withCell: boolean): LstmCore {
  return customOp(([x, h0, c0, Wx, Wh, b], save) => {
    const [N, T, D] = x.shape, H = Wh.shape[0];
    const xs = swap(x).reshape([T * N, D]); // time-major [T·N,D]
    const xw = tf.unstack(tf.fused.matMul({ a: xs, b: Wx, bias: b }).reshape([T, N, 4 * H]));
    const gates: tf.Tensor[] = [], cs: tf.Tensor[] = [], hs: tf.Tensor[] = [];
    let h = h0, c = c0;
    for (let t = 0; t < T; t++) {
      const a = xw[t].add(tf.matMul(h, Wh)); // [N,4H]
      const [i, f, o] = tf.split(tf.sigmoid(a.slice([0, 0], [N, 3 * H])), 3, 1);
      const g = tf.tanh(a.slice([0, 3 * H], [N, H]));
      cs.push(c = f.mul(c).add(i.mul(g)));
      hs.push(h = o.mul(tf.tanh(c)));
      gates.push(i, f, o, g);
    }
    const gAll = tf.stack(gates).reshape([T, 4, N, H]), cAll = tf.stack(cs), hAll = tf.stack(hs);
    save([xs, h0, c0, Wx, Wh, gAll, cAll, hAll]);
    return {
      value: withCell ? tf.concat([swap(hAll), swap(cAll)], 2) : swap(hAll),
      gradFunc: (dy, [xs, h0, c0, Wx, Wh, gAll, cAll, hAll]) => {
        const [i, f, o, g] = tf.unstack(gAll, 1); // each [T,N,H]
        const tc = tf.tanh(cAll);
        const cPrev = T === 1 ? c0.expandDims(0) : tf.concat([
          c0.expandDims(0),
          cAll.slice([0, 0, 0], [T - 1, N, H]),
        ]);
        const Q = tf.unstack(tf.concat([
          g.mul(i).mul(tf.sub(1, i)),
          cPrev.mul(f).mul(tf.sub(1, f)),
          tc.mul(o).mul(tf.sub(1, o)),
          i.mul(tf.sub(1, g.square())),
        ], 2)); // T × [N,4H]
        const S = tf.unstack(o.mul(tf.sub(1, tc.square()))); // T × [N,H]
        const fs = tf.unstack(f);
        const dyT = swap(dy); // [T,N,H] or [T,N,2H]
        const dyH = tf.unstack(withCell ? dyT.slice([0, 0, 0], [T, N, H]) : dyT);
        const dyC = withCell ? tf.unstack(dyT.slice([0, 0, H], [T, N, H])) : null;
        const das: tf.Tensor[] = new Array(T);
        const WhT = Wh.transpose(); // explicit: wasm's transposed BatchMatMul is slow
        let dh = dyH[T - 1], dcNext = dyC ? dyC[T - 1] : tf.zerosLike(dh);
        for (let t = T - 1; t >= 0; t--) {
          const dc = dcNext.add(dh.mul(S[t]));
          das[t] = tf.concat([dc, dc, dh, dc], 1).mul(Q[t]);
          const dhPrev = tf.matMul(das[t], WhT), dcPrev = dc.mul(fs[t]);
          dh = t > 0 ? dyH[t - 1].add(dhPrev) : dhPrev;
          dcNext = t > 0 && dyC ? dyC[t - 1].add(dcPrev) : dcPrev;
        }
        const da = tf.concat(das); // [T·N,4H], time-major
        const hPrev = T === 1 // [T·N,H]: h_{t−1} for every step
          ? h0
          : tf.concat([h0, hAll.slice([0, 0, 0], [T - 1, N, H]).reshape([(T - 1) * N, H])]);
        return [
          swap(tf.matMul(da, Wx.transpose()).reshape([T, N, D])),
          dh,
          dcNext,
          tf.matMul(xs.transpose(), da),
          tf.matMul(hPrev.transpose(), da),
          da.sum(0),
        ];
      },
    };
  }) as LstmCore;
}

/** Unchecked LSTM over a sequence from `(h0, c0)`: hidden states `[N,T,H]`. */
export const lstmSequenceCore: LstmCore = lstmKernel(false);

/** Unchecked LSTM over a sequence from `(h0, c0)`: `[N,T,2H]`, hidden then cell states. */
export const lstmStatesCore: LstmCore = lstmKernel(true);

/**
 * The LSTM over `x [N,T,D]` from `h0 [N,H]` and a zero cell state (`Wx [D,4H]`, `Wh [H,4H]`,
 * `b [4H]`, gate blocks i, f, o, g): every hidden state, `[N,T,H]`. The gradient is one
 * hand-written backpropagation through time, not T autodiff graphs.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { lstmSequence } from "@convgrad/rnn";
 * const [N, T, D, H] = [2, 5, 3, 4];
 * const h = lstmSequence(
 *   tf.ones([N, T, D]), tf.zeros([N, H]), tf.ones([D, 4 * H]), tf.zeros([H, 4 * H]), tf.zeros([4 * H]),
 * );
 * h.shape; // [2, 5, 4]
 * ```
 */
export function lstmSequence(
  x: tf.Tensor3D,
  h0: tf.Tensor2D,
  Wx: tf.Tensor2D,
  Wh: tf.Tensor2D,
  b: tf.Tensor1D,
): tf.Tensor3D {
  checkArgs("lstmSequence", [
    ["x", x, "N,T,D"],
    ["h0", h0, "N,H"],
    ["Wx", Wx, "D,4H"],
    ["Wh", Wh, "H,4H"],
    ["b", b, "4H"],
  ]);
  return tf.tidy(() => lstmSequenceCore(x, h0, tf.zerosLike(h0), Wx, Wh, b));
}
