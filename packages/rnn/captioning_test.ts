import * as tf from "@tensorflow/tfjs";
import { createRng } from "@convgrad/base";
import { assert, assertClose, assertEquals, assertThrows } from "@convgrad/base/testing";
import { type BackendName, gradcheck, setBackend } from "@convgrad/ops";
import {
  captioningLoss,
  type CaptioningParams,
  type CellType,
  initCaptioningParams,
  sampleCaptions,
} from "./mod.ts";
import {
  arr,
  captioningLossRef,
  type CaptioningParamsRef,
  linspace,
  lstmSequenceRef,
  rnnSequenceRef,
  temporalAffineRef,
} from "./reference.ts";
import { stockCaptioningLoss } from "./stock.ts";
import { assertGrads, captioningParams, pair } from "./test_data.ts";

const NAMES = ["W_proj", "b_proj", "W_embed", "Wx", "Wh", "b", "W_vocab", "b_vocab"] as const;

/** cs231n's check: every parameter `linspace(-1.4, 1.3)` over its size, row-major. */
function cs231nCheck(cellType: CellType) {
  const [N, D, Wd, H, V, T1] = [10, 20, 30, 40, 3, 13], G = cellType === "rnn" ? H : 4 * H;
  const shapes = [[D, H], [H], [V, Wd], [Wd, G], [H, G], [G], [H, V], [V]];
  const arrays = Object.fromEntries(NAMES.map((k, i) => {
    const n = shapes[i].reduce((a, b) => a * b, 1);
    return [k, arr(shapes[i], linspace(-1.4, 1.3, n))];
  })) as unknown as CaptioningParamsRef;
  const f = cellType === "rnn" ? linspace(-1.5, 0.3, N * D) : linspace(-0.5, 1.7, N * D);
  const captions = Array.from({ length: N * T1 }, (_, i) => i % V);
  return { arrays, features: arr([N, D], f), captions, shape: [N, T1] };
}

const tensorsOf = (a: CaptioningParamsRef) =>
  Object.fromEntries(
    NAMES.map((k) => [k, tf.tensor(Float32Array.from(a[k].data), a[k].shape)]),
  ) as unknown as CaptioningParams;

/** `tf.grads` of `loss` with respect to every parameter, by name. */
function paramGrads(
  loss: (p: CaptioningParams) => tf.Scalar,
  params: CaptioningParams,
): { value: number; grads: Record<string, tf.Tensor> } {
  const { value, grads } = tf.valueAndGrads((...ps: tf.Tensor[]) =>
    loss(Object.fromEntries(NAMES.map((k, i) => [k, ps[i]])) as unknown as CaptioningParams)
  )(NAMES.map((k) => params[k]));
  return {
    value: value.dataSync()[0],
    grads: Object.fromEntries(NAMES.map((k, i) => [k, grads[i]])),
  };
}

const EXPECTED = { rnn: 9.83235591003, lstm: 9.82445935443 }; // cs231n's published losses

Deno.test("cs231n's check in the float64 oracle: RNN 9.83235591003, LSTM 9.82445935443", () => {
  for (const cell of ["rnn", "lstm"] as const) {
    const c = cs231nCheck(cell);
    const { loss } = captioningLossRef(c.features, c.captions, c.shape, c.arrays, cell);
    assert(Math.abs(loss - EXPECTED[cell]) < 1e-10, `${cell}: ${loss}`);
  }
});

for (const backend of ["cpu", "wasm"] as BackendName[]) {
  Deno.test(`${backend}: cs231n's check: loss and every gradient match the oracle`, async () => {
    await setBackend(backend);
    for (const cell of ["rnn", "lstm"] as const) {
      const c = cs231nCheck(cell);
      tf.tidy(() => {
        const features = tf.tensor2d(Float32Array.from(c.features.data), [10, 20]);
        const captions = tf.tensor2d(c.captions, c.shape as [number, number], "int32");
        const { value, grads } = paramGrads(
          (p) => captioningLoss(features, captions, p, { cellType: cell }),
          tensorsOf(c.arrays),
        );
        assertClose([value], [EXPECTED[cell]], `${backend} ${cell} loss`, 1e-5);
        const ref = captioningLossRef(c.features, c.captions, c.shape, c.arrays, cell);
        assertGrads(
          grads,
          Object.fromEntries(NAMES.map((k) => [k, ref.grads[k].data])),
          `${backend} ${cell}`,
        );
      });
    }
  });
}

Deno.test("initCaptioningParams: cs231n's shapes and scales, the same from the same seed", () => {
  const sizes = { D: 64, Wd: 32, H: 48, V: 100 };
  const p = initCaptioningParams(sizes, "lstm", 3), q = initCaptioningParams(sizes, "lstm", 3);
  const std = (t: tf.Tensor) => Math.sqrt(tf.tidy(() => t.square().mean().dataSync()[0]));
  assertEquals(p.Wx.shape, [32, 192]);
  assertEquals(p.Wh.shape, [48, 192]);
  assertEquals(initCaptioningParams(sizes, "rnn", 3).Wh.shape, [48, 48]);
  assertClose(
    [std(p.W_embed), std(p.W_proj), std(p.Wh)],
    [0.01, 1 / 8, 1 / Math.sqrt(48)],
    "std",
    0.1,
  );
  assertEquals(Array.from(p.b.dataSync()).every((v) => v === 0), true);
  assertEquals(Array.from(p.Wh.dataSync()), Array.from(q.Wh.dataSync()));
  assertThrows(
    () => initCaptioningParams({ ...sizes, H: 0 }, "rnn"),
    RangeError,
    "sizes.H must be an integer >= 1, got 0",
  );
  assertThrows(
    () => initCaptioningParams(sizes, "gru" as CellType),
    RangeError,
    'cellType must be "rnn" or "lstm"',
  );
  tf.dispose([...Object.values(p), ...Object.values(q)]);
});

/** Random features and captions `<START> w… <END> <NULL>…` of random lengths. */
function batch(N: number, D: number, T1: number, V: number, seed: number) {
  const rand = createRng(seed), ids: number[] = [];
  for (let n = 0; n < N; n++) {
    const len = 1 + Math.floor(rand() * (T1 - 2)); // words between <START> and <END>
    for (let t = 0; t < T1; t++) {
      ids.push(t === 0 ? 1 : t <= len ? 3 + Math.floor(rand() * (V - 3)) : t === len + 1 ? 2 : 0);
    }
  }
  return {
    features: pair([N, D], seed + 1),
    ids,
    captions: tf.keep(tf.tensor2d(ids, [N, T1], "int32")),
  };
}

Deno.test("cpu: captioningLoss's gradients equal stock autodiff of the same model, features included", async () => {
  await setBackend("cpu");
  const [N, D, Wd, H, V, T1] = [4, 6, 5, 7, 9, 8];
  const b = batch(N, D, T1, V, 3);
  for (const cell of ["rnn", "lstm"] as const) {
    const { tensors, arrays } = captioningParams({ D, Wd, H, V }, cell, 4);
    tf.tidy(() => {
      const feats = b.features.t as tf.Tensor2D, caps = b.captions as tf.Tensor2D;
      const ours = paramGrads((p) => captioningLoss(feats, caps, p, { cellType: cell }), tensors);
      const stock = paramGrads(
        (p) => stockCaptioningLoss(feats, caps, p, { cellType: cell }),
        tensors,
      );
      assertClose([ours.value], [stock.value], `${cell} loss`);
      for (const k of NAMES) {
        assertClose(ours.grads[k], stock.grads[k].dataSync(), `${cell} ${k}`, 1e-4);
      }
      const ref = captioningLossRef(b.features.a, b.ids, [N, T1], arrays, cell);
      assertClose([ours.value], [ref.loss], `${cell} loss vs oracle`);
      const dFeatures = tf.grad((f) =>
        captioningLoss(f as tf.Tensor2D, caps, tensors, { cellType: cell })
      )(feats);
      assertGrads({ dFeatures }, { dFeatures: ref.grads.features.data }, `${cell} features`);
    });
    tf.dispose(Object.values(tensors));
  }
  tf.dispose([b.features.t, b.captions]);
});

Deno.test("captioningLoss: every gradient agrees with float64 finite differences", async () => {
  await setBackend("cpu");
  const [N, D, Wd, H, V, T1] = [3, 4, 3, 5, 6, 6];
  const b = batch(N, D, T1, V, 31);
  for (const cell of ["rnn", "lstm"] as const) {
    const { tensors } = captioningParams({ D, Wd, H, V }, cell, 32);
    const inputs = [b.features.t, ...NAMES.map((k) => tensors[k])];
    const shapes = inputs.map((t) => t.shape);
    const r = gradcheck(
      (f, ...ps) =>
        captioningLoss(
          f as tf.Tensor2D,
          b.captions as tf.Tensor2D,
          Object.fromEntries(NAMES.map((k, i) => [k, ps[i]])) as unknown as CaptioningParams,
          { cellType: cell },
        ),
      inputs,
      {
        reference: ([f, ...ps]) => {
          const params = Object.fromEntries(NAMES.map((k, i) => [k, arr(shapes[i + 1], ps[i])]));
          const ref = captioningLossRef(
            arr(shapes[0], f),
            b.ids,
            [N, T1],
            params as unknown as CaptioningParamsRef,
            cell,
          );
          return Float64Array.of(ref.loss);
        },
        samples: 16,
      },
    );
    assert(r.ok, `${cell}: gradcheck max relative error ${r.maxRelError}`);
    tf.dispose(Object.values(tensors));
  }
  tf.dispose([b.features.t, b.captions]);
});

/** Greedy decoding in float64 from the oracle's steps, stopping at <END> like sampleCaptions. */
function greedyRef(
  features: Float64Array,
  N: number,
  p: CaptioningParamsRef,
  cell: CellType,
  maxLength: number,
) {
  const D = p.W_proj.shape[0], H = p.Wh.shape[0], [V, Wd] = p.W_embed.shape;
  let h: Float64Array =
    temporalAffineRef({ data: features, shape: [N, 1, D] }, p.W_proj, p.b_proj).data;
  let c: Float64Array = new Float64Array(N * H);
  const words = new Array(N).fill(1),
    out = Array.from({ length: N }, () => new Array(maxLength).fill(0));
  const done = new Array(N).fill(false);
  for (let t = 0; t < maxLength; t++) {
    const x = arr([N, 1, Wd]);
    words.forEach((w, n) => x.data.set(p.W_embed.data.subarray(w * Wd, (w + 1) * Wd), n * Wd));
    if (cell === "rnn") h = rnnSequenceRef(x, arr([N, H], h), p.Wx, p.Wh, p.b).data;
    else {
      const s = lstmSequenceRef(x, arr([N, H], h), p.Wx, p.Wh, p.b, arr([N, H], c));
      [h, c] = [s.h.data, s.c.data];
    }
    const scores = temporalAffineRef(arr([N, 1, H], h), p.W_vocab, p.b_vocab).data;
    for (let n = 0; n < N; n++) {
      const row = Array.from(scores.subarray(n * V, (n + 1) * V));
      words[n] = row.indexOf(Math.max(...row));
      if (!done[n]) [out[n][t], done[n]] = [words[n], words[n] === 2];
    }
  }
  return out;
}

for (const backend of ["cpu", "wasm"] as BackendName[]) {
  Deno.test(`${backend}: sampleCaptions is the oracle's greedy decoding, <NULL> after <END>`, async () => {
    await setBackend(backend);
    const [N, D, Wd, H, V, maxLength] = [6, 5, 4, 8, 7, 9];
    for (const cell of ["rnn", "lstm"] as const) {
      const { tensors, arrays } = captioningParams({ D, Wd, H, V }, cell, 11);
      const features = pair([N, D], 12, 3);
      // Sharper scores, and <END> slightly favoured, so captions end at different lengths.
      tf.dispose([tensors.W_vocab, tensors.b_vocab]);
      arrays.W_vocab.data.forEach((v, i, a) => a[i] = Math.fround(4 * v));
      arrays.b_vocab.data[2] = 1;
      tensors.W_vocab = tf.tensor2d(Float32Array.from(arrays.W_vocab.data), [H, V]);
      tensors.b_vocab = tf.tensor1d(Float32Array.from(arrays.b_vocab.data));
      const got = sampleCaptions(features.t as tf.Tensor2D, tensors, { cellType: cell, maxLength });
      const want = greedyRef(features.a.data, N, arrays, cell, maxLength);
      assertEquals(got, want, `${backend} ${cell}`);
      const ends = got.map((r) => r.indexOf(2));
      assert(new Set(ends).size > 1, `${cell}: captions should end at different steps: ${ends}`);
      got.forEach((r, n) => {
        if (ends[n] >= 0) {
          assert(r.slice(ends[n] + 1).every((w) => w === 0), `${cell} row ${n}: ${r}`);
        }
      });
      tf.dispose([...Object.values(tensors), features.t]);
    }
  });
}

Deno.test("sampleCaptions takes the first maximum on ties and honours its tokens", () => {
  tf.tidy(() => {
    const [D, Wd, H, V] = [2, 2, 3, 5];
    const p = {
      W_proj: tf.zeros([D, H]),
      b_proj: tf.zeros([H]),
      W_embed: tf.zeros([V, Wd]),
      Wx: tf.zeros([Wd, H]),
      Wh: tf.zeros([H, H]),
      b: tf.zeros([H]),
      W_vocab: tf.zeros([H, V]),
      b_vocab: tf.tensor1d([0, 0, 1, 1, 1]),
    } as CaptioningParams;
    const f = tf.ones([2, D]) as tf.Tensor2D;
    // Words 2, 3, 4 tie: the first (2, <END> by default) wins and ends every caption.
    assertEquals(sampleCaptions(f, p, { cellType: "rnn", maxLength: 3 }), [[2, 0, 0], [2, 0, 0]]);
    // With <END> = 4 the tie still picks 2, which no longer ends the caption.
    assertEquals(
      sampleCaptions(f, p, { cellType: "rnn", maxLength: 3, endToken: 4, nullToken: 1 }),
      [[2, 2, 2], [2, 2, 2]],
    );
    assertEquals(
      sampleCaptions(f, p, { cellType: "rnn", maxLength: 2, endToken: 2, nullToken: 3 }),
      [[2, 3], [2, 3]],
    );
  });
});

Deno.test("captioningLoss and sampleCaptions: bad arguments throw errors naming them", () => {
  tf.tidy(() => {
    const [D, Wd, H, V] = [3, 2, 4, 5];
    const { tensors: p } = captioningParams({ D, Wd, H, V }, "rnn", 1);
    const f = tf.ones([2, D]) as tf.Tensor2D,
      caps = tf.tensor2d([[1, 3, 2], [1, 4, 2]], [2, 3], "int32");
    const loss = (o: object) => captioningLoss(f, caps, p, o as { cellType: CellType });
    assertThrows(
      () => loss({ cellType: "gru" }),
      RangeError,
      'captioningLoss: cellType must be "rnn" or "lstm", got "gru"',
    );
    assertThrows(
      () => loss({ cellType: "lstm" }),
      RangeError,
      "params.Wx has shape [2,4], expected [Wd,4H] with H = 4 (from params.W_proj)",
    );
    assertThrows(
      () => captioningLoss(f, caps.cast("float32") as tf.Tensor2D, p, { cellType: "rnn" }),
      TypeError,
      "captions must have dtype int32",
    );
    assertThrows(
      () =>
        captioningLoss(f, tf.tensor2d([[1, 5, 2], [1, 2, 0]], [2, 3], "int32"), p, {
          cellType: "rnn",
        }),
      RangeError,
      "captions[0,1] is 5, outside the vocabulary [0, 5)",
    );
    assertThrows(
      () => captioningLoss(f, tf.tensor2d([[1, 2, 0]], [1, 3], "int32"), p, { cellType: "rnn" }),
      RangeError,
      "captions has shape [1,3], expected [N,T1] with N = 2 (from features)",
    );
    assertThrows(
      () => captioningLoss(f, tf.tensor2d([[1], [1]], [2, 1], "int32"), p, { cellType: "rnn" }),
      RangeError,
      "captions must hold at least 2 tokens per row",
    );
    assertThrows(
      () => loss({ cellType: "rnn", nullToken: 7 }),
      RangeError,
      "nullToken must be an integer in [0, 5), got 7",
    );
    assertThrows(
      () =>
        captioningLoss(f, caps, { ...p, b_vocab: undefined } as unknown as CaptioningParams, {
          cellType: "rnn",
        }),
      TypeError,
      "params.b_vocab must be a tf.Tensor [V], got undefined",
    );
    assertThrows(
      () => captioningLoss(tf.ones([2, D + 1]) as tf.Tensor2D, caps, p, { cellType: "rnn" }),
      RangeError,
      "params.W_proj has shape [3,4], expected [D,H] with D = 4 (from features)",
    );
    const sample = (o: object) =>
      sampleCaptions(f, p, { cellType: "rnn", ...o } as { cellType: CellType; maxLength: number });
    assertThrows(
      () => sample({ maxLength: 0 }),
      RangeError,
      "sampleCaptions: maxLength must be an integer >= 1, got 0",
    );
    assertThrows(
      () => sample({ maxLength: 3, startToken: 9 }),
      RangeError,
      "startToken must be an integer in [0, 5), got 9",
    );
    assertThrows(
      () => sample({ maxLength: 3, cellType: "LSTM" }),
      RangeError,
      'cellType must be "rnn" or "lstm", got "LSTM"',
    );
    tf.dispose(Object.values(p));
  });
});

Deno.test("captioningLoss and sampleCaptions: no tensor leaks over repeated training steps", async () => {
  await setBackend("wasm");
  const [N, D, Wd, H, V, T1] = [3, 4, 3, 5, 6, 5];
  const b = batch(N, D, T1, V, 5);
  for (const cell of ["rnn", "lstm"] as const) {
    const { tensors } = captioningParams({ D, Wd, H, V }, cell, 6);
    const vars = Object.fromEntries(
      NAMES.map((k) => [k, tf.variable(tensors[k])]),
    ) as unknown as CaptioningParams;
    const opt = tf.train.adam(1e-2);
    const step = () =>
      tf.dispose(
        opt.minimize(() =>
          captioningLoss(b.features.t as tf.Tensor2D, b.captions as tf.Tensor2D, vars, {
            cellType: cell,
          }), true)!,
      );
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    sampleCaptions(b.features.t as tf.Tensor2D, vars, { cellType: cell, maxLength: 4 });
    assertEquals(tf.memory().numTensors, before, cell);
    opt.dispose();
    tf.dispose([...Object.values(tensors), ...Object.values(vars)]);
  }
  tf.dispose([b.features.t, b.captions]);
});

Deno.test("overfit: cs231n's 50 captions drive the RNN captioner's loss below 0.1", async () => {
  await setBackend("wasm");
  // cs231n's check: 50 training captions memorised by a small captioning RNN with Adam.
  const [N, D, Wd, H, V, T1] = [50, 32, 32, 64, 40, 17];
  const b = batch(N, D, T1, V, 21);
  const { tensors } = captioningParams({ D, Wd, H, V }, "rnn", 22);
  const vars = Object.fromEntries(
    NAMES.map((k) => [k, tf.variable(tensors[k])]),
  ) as unknown as CaptioningParams;
  const opt = tf.train.adam(1e-2);
  const losses: number[] = [];
  for (let i = 0; i < 150; i++) {
    const loss = opt.minimize(
      () =>
        captioningLoss(b.features.t as tf.Tensor2D, b.captions as tf.Tensor2D, vars, {
          cellType: "rnn",
        }),
      true,
    )!;
    losses.push(loss.dataSync()[0]);
    loss.dispose();
  }
  console.log(
    losses.filter((_, i) => i % 10 === 0).map((v) => v.toFixed(3)).join(" "),
    losses.at(-1),
  );
  assert(losses[0] > 20, `the first loss sums about ln 40 per word: ${losses[0]}`);
  assert(losses.at(-1)! < 0.1, `final loss ${losses.at(-1)}`);
  opt.dispose();
  tf.dispose([...Object.values(tensors), ...Object.values(vars), b.features.t, b.captions]);
});
