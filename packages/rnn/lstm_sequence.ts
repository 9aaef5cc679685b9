/**
 * The LSTM over a whole sequence, with backpropagation through time as one hand-written
 * gradient.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { checkArgs } from "./checks.ts";
import { customOp } from "./custom_grad.ts";
import { step, tanh } from "./primitives.ts";

type LstmCore = (
  x: tf.Tensor3D,
  h0: tf.Tensor2D,
  c0: tf.Tensor2D,
  Wx: tf.Tensor2D,
  Wh: tf.Tensor2D,
  b: tf.Tensor1D,
) => tf.Tensor3D;

/** Tensors saved per step: σ(scaled a), i, f, o, g, c, tanh(c), h. */
const PER_STEP = 8;

/** Time-major `[T,N,H]` → batch-major `[N,T,H]`, and back. */
const swap = (t: tf.Tensor) => t.transpose([1, 0, 2]);

/**
 * The LSTM kernel: hidden states `[N,T,H]`, or with `withCell` hidden and cell states side by side,
 * `[N,T,2H]`. Gate blocks of the `4H` columns: i, f, o (sigmoid), g (tanh);
 * `c_t = f⊙c_{t−1} + i⊙g`, `h_t = o⊙tanh(c_t)`. All four gates are one sigmoid, the g block's
 * input doubled: `tanh(a) = 2σ(2a) − 1`.
 *
 * Backward, each reverse step: `Q = σ'⊙[g, c_{t−1}, tanh(c_t), 4i]` (that is
 * `[g⊙i⊙(1−i), c_{t−1}⊙f⊙(1−f), tanh(c_t)⊙o⊙(1−o), i⊙(1−g²)]`, as `1 − g² = 4σ_g(1−σ_g)`),
 * `dc = dc_{t+1} + dh⊙o⊙(1 − tanh²(c_t))`, `da = [dc, dc, dh, dc]⊙Q`, `dh_{t−1} = da·Whᵀ`,
 * `dc_{t−1} = dc⊙f`; then `dx`, `dWx`, `dWh`, `db` are single GEMMs over all `T·N` rows.
 */
function lstmKernel(withCell: boolean): LstmCore {
  return customOp(([x, h0, c0, Wx, Wh, b], save) => {
    const [N, T, D] = x.shape, H = Wh.shape[0];
    const xs = swap(x).reshape([T * N, D]); // time-major [T·N,D]
    const scale = tf.concat([tf.ones([3 * H]), tf.fill([H], 2)]); // [4H]: doubles the g block
    const states: tf.Tensor[] = [];
    let h = h0, c = c0;
    for (let t = 0; t < T; t++) {
      const a = tf.fused.matMul({ a: step(xs, t, N), b: Wx, bias: b }).add(tf.matMul(h, Wh));
      const s = tf.sigmoid(a.mul(scale)); // [N,4H]
      const [i, f, o, sg] = [0, 1, 2, 3].map((k) => s.slice([0, k * H], [N, H]));
      const g = sg.mul(2).sub(1);
      c = f.mul(c).add(i.mul(g));
      const tc = tanh(c);
      h = o.mul(tc);
      states.push(s, i, f, o, g, c, tc, h);
    }
    // Each step's tensors are saved as they are: stacking or slicing them again costs more.
    save([xs, h0, c0, Wx, Wh, ...states]);
    const at = (k: number) => states.filter((_, j) => j % PER_STEP === k); // T × [N,H]
    const hAll = tf.stack(at(7), 1); // [N,T,H]
    return {
      value: withCell ? tf.concat([hAll, tf.stack(at(5), 1)], 2) : hAll,
      gradFunc: (dy, [xs, h0, c0, Wx, Wh, ...states]) => {
        const dyT = swap(dy); // [T,N,H] or [T,N,2H]
        const WhT = Wh.transpose(); // explicit: wasm's transposed BatchMatMul is slow
        const das: tf.Tensor[] = new Array(T);
        let dh: tf.Tensor = tf.zerosLike(h0), dcNext: tf.Tensor = tf.zerosLike(c0);
        for (let t = T - 1; t >= 0; t--) {
          const [s, i, f, o, g, , tc] = states.slice(PER_STEP * t, PER_STEP * (t + 1));
          const cPrev = t > 0 ? states[PER_STEP * t - 3] : c0;
          const dyt = step(dyT, t, N);
          if (withCell) {
            dh = dh.add(dyt.slice([0, 0], [N, H]));
            dcNext = dcNext.add(dyt.slice([0, H], [N, H]));
          } else dh = dh.add(dyt);
          const dc = dcNext.add(dh.mul(o).mul(tf.sub(1, tc.square())));
          const Q = s.mul(tf.sub(1, s)).mul(tf.concat([g, cPrev, tc, i.mul(4)], 1));
          das[t] = tf.concat([dc, dc, dh, dc], 1).mul(Q); // [N,4H]
          dh = tf.matMul(das[t], WhT);
          dcNext = dc.mul(f);
        }
        const da = tf.concat(das); // [T·N,4H], time-major
        const hs = states.filter((_, j) => j % PER_STEP === 7);
        const hPrev = tf.concat([h0, ...hs.slice(0, T - 1)]); // [T·N,H]: h_{t−1} of every step
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
