/**
 * The autoencoder's gradients three ways: TF.js through our registered conv gradients, the
 * hand derivation of docs/autoencoder.md in float64 on the reference ops, and finite differences.
 */
import * as tf from "@tensorflow/tfjs";
import { type BackendName, gradcheck, setBackend } from "@convgrad/ops";
import { type Array4, filtRef, flipRef, fullRef, zeros4 } from "@convgrad/ops/reference";
import { assertClose, assertThrows } from "@convgrad/base/testing";
import { autoencoderLoss } from "./autoencoder.ts";

const sig = (v: number) => 1 / (1 + Math.exp(-v));
const [N, H, W, K, kh] = [2, 9, 8, 3, 4];

/** [K,1,kh,kw] → [1,K,kh,kw] (the decoder's full() kernel layout). */
function asDecoder(k: Array4): Array4 {
  return { data: k.data, shape: [1, k.shape[0], k.shape[2], k.shape[3]] };
}

/** Forward pass and the hand-derived gradients (docs/autoencoder.md), in float64. */
function derived(x: Array4, Wk: Array4, b: Float64Array, Wt: Array4 | null, c: number) {
  const a = filtRef(x, Wk); // [N,K,H',W']
  const [, , Hh, Wh] = a.shape;
  const h = {
    data: a.data.map((v, i) => sig(v + b[Math.floor(i / (Hh * Wh)) % K])),
    shape: a.shape,
  };
  const dec = Wt ?? flipRef(Wk); // W̃ [K,1,kh,kw]
  const z = fullRef(h as Array4, asDecoder(dec)); // [N,1,H,W]
  const y = z.data.map((v) => sig(v + c));
  const E = y.reduce((s, v, i) => s + (x.data[i] - v) ** 2, 0) / (2 * N);
  // δy = ∂E/∂z = (y − x) y (1 − y) / n
  const dy: Array4 = { data: y.map((v, i) => (v - x.data[i]) * v * (1 - v) / N), shape: z.shape };
  // ∂E/∂h_k = δy *filt W̃_k; δh = that ⊙ h(1 − h)
  const dh = zeros4(h.shape as Array4["shape"]);
  for (let k = 0; k < K; k++) {
    const one: Array4 = {
      data: dec.data.slice(k * kh * kh, (k + 1) * kh * kh),
      shape: [1, 1, kh, kh],
    };
    const g = filtRef(dy, one); // [N,1,H',W']
    for (let n = 0; n < N; n++) {
      for (let i = 0; i < Hh * Wh; i++) {
        const hv = h.data[(n * K + k) * Hh * Wh + i];
        dh.data[(n * K + k) * Hh * Wh + i] = g.data[n * Hh * Wh + i] * hv * (1 - hv);
      }
    }
  }
  // Encoder path: ∂E/∂W_k = Σ_n x_n *filt δh_{n,k}; decoder path: ∂E/∂W̃_k = Σ_n δy_n *filt h_{n,k}.
  const perImage = (big: Array4, small: Array4, n: number, k: number): Float64Array => {
    const bi: Array4 = { data: big.data.slice(n * H * W, (n + 1) * H * W), shape: [1, 1, H, W] };
    const sm: Array4 = {
      data: small.data.slice((n * K + k) * Hh * Wh, (n * K + k + 1) * Hh * Wh),
      shape: [1, 1, Hh, Wh],
    };
    return filtRef(bi, sm).data; // kh × kw
  };
  const enc = new Float64Array(K * kh * kh), decG = new Float64Array(K * kh * kh);
  for (let k = 0; k < K; k++) {
    for (let n = 0; n < N; n++) {
      perImage(x, dh, n, k).forEach((v, i) => (enc[k * kh * kh + i] += v));
      perImage(dy, h as Array4, n, k).forEach((v, i) => (decG[k * kh * kh + i] += v));
    }
  }
  const db = new Float64Array(K);
  dh.data.forEach((v, i) => (db[Math.floor(i / (Hh * Wh)) % K] += v));
  const dc = dy.data.reduce((s, v) => s + v, 0);
  // Tied: W̃ = flip(W), so the decoder path enters ∂E/∂W flipped back.
  const decAsW = Wt ? null : flipRef({ data: decG, shape: [K, 1, kh, kh] }).data;
  return { E, dW: decAsW ? enc.map((v, i) => v + decAsW[i]) : enc, dWt: decG, db, dc };
}

for (const backend of ["cpu", "wasm"] as BackendName[]) {
  for (const tied of [true, false]) {
    Deno.test(`${backend}: autoencoder gradients (${tied ? "tied" : "untied"}) = derivation = finite differences`, async () => {
      await setBackend(backend);
      const x = tf.randomUniform([N, 1, H, W], 0, 1, "float32", 1);
      const Wk = tf.randomNormal([K, 1, kh, kh], 0, 0.5, "float32", 2) as tf.Tensor4D;
      const Wt = tf.randomNormal([K, 1, kh, kh], 0, 0.5, "float32", 3) as tf.Tensor4D;
      const b = tf.randomNormal([K], 0, 0.3, "float32", 4) as tf.Tensor1D, c = tf.scalar(0.1);
      const loss = (w: tf.Tensor, bb: tf.Tensor, cc: tf.Tensor, wt?: tf.Tensor) =>
        autoencoderLoss(x, {
          W: w as tf.Tensor4D,
          b: bb as tf.Tensor1D,
          c: cc as tf.Scalar,
          Wt: wt as tf.Tensor4D,
        }, { tied });
      const inputs = tied ? [Wk, b, c] : [Wk, b, c, Wt];
      const grads = tf.grads(loss as (...a: tf.Tensor[]) => tf.Tensor)(inputs);
      const x64 = { data: Float64Array.from(x.dataSync()), shape: x.shape } as Array4;
      const a64 = (t: tf.Tensor) =>
        ({ data: Float64Array.from(t.dataSync()), shape: t.shape }) as Array4;
      const d = derived(x64, a64(Wk), Float64Array.from(b.dataSync()), tied ? null : a64(Wt), 0.1);
      assertClose(loss(Wk, b, c, tied ? undefined : Wt), [d.E], "E", 1e-5);
      assertClose(grads[0], d.dW, "∂E/∂W", 1e-4);
      assertClose(grads[1], d.db, "∂E/∂b", 1e-4);
      assertClose(grads[2], [d.dc], "∂E/∂c", 1e-4);
      if (!tied) assertClose(grads[3], d.dWt, "∂E/∂W̃", 1e-4);
      // Finite differences through the float64 forward pass.
      const ref = (vals: Float64Array[]) => {
        const [w, bb, cc, wt] = vals;
        return Float64Array.of(
          derived(
            x64,
            { data: w, shape: [K, 1, kh, kh] },
            bb,
            wt ? { data: wt, shape: [K, 1, kh, kh] } : null,
            cc[0],
          ).E,
        );
      };
      const r = gradcheck((...a) => loss(a[0], a[1], a[2], a[3]), inputs, { reference: ref });
      if (!r.ok) throw new Error(`gradcheck: ${JSON.stringify(r)}`);
      tf.dispose([x, Wk, Wt, b, c, ...grads]);
    });
  }
}

Deno.test("autoencoderLoss rejects bad input", () => {
  const x = tf.zeros([1, 1, 8, 8]);
  const p = {
    W: tf.zeros([2, 1, 3, 3]) as tf.Tensor4D,
    b: tf.zeros([2]) as tf.Tensor1D,
    c: tf.scalar(0),
  };
  assertThrows(
    () => autoencoderLoss(tf.zeros([1, 2, 8, 8]), p, { tied: true }),
    RangeError,
    "x must be [N,1,H,W]",
  );
  assertThrows(
    () => autoencoderLoss(x, { ...p, b: tf.zeros([3]) as tf.Tensor1D }, { tied: true }),
    RangeError,
    "params.b must be [2]",
  );
  assertThrows(
    () => autoencoderLoss(x, p, { tied: false }),
    RangeError,
    "untied weights need params.Wt",
  );
  assertThrows(
    () => autoencoderLoss(x, { ...p, Wt: p.W }, { tied: true }),
    TypeError,
    "Wt must be absent",
  );
  assertThrows(() => autoencoderLoss(x, p, {} as never), TypeError, "opts.tied must be a boolean");
});
