import * as tf from "@tensorflow/tfjs";
import { setBackend } from "@convgrad/ops";
import {
  assert,
  assertClose,
  assertEquals,
  assertRejects,
  assertThrows,
} from "@convgrad/base/testing";
import { createRng } from "@convgrad/base";
import { makeVocab, SCENE_VOCAB } from "@convgrad/data";
import { arr, captioningLossRef } from "@convgrad/rnn/reference";
import { CaptioningModel } from "./mod.ts";

const NAMES = ["W_proj", "b_proj", "W_embed", "Wx", "Wh", "b", "W_vocab", "b_vocab"] as const;

function stats(t: tf.Tensor): { mean: number; std: number } {
  const d = t.dataSync();
  let s = 0, s2 = 0;
  for (const v of d) (s += v), (s2 += v * v);
  const mean = s / d.length;
  return { mean, std: Math.sqrt(s2 / d.length - mean * mean) };
}

Deno.test("CaptioningModel: cs231n's initialisation, seeded", async () => {
  await setBackend("wasm");
  const [D, Wd, H, V] = [400, 100, 64, SCENE_VOCAB.idxToWord.length];
  const m = new CaptioningModel({
    vocab: SCENE_VOCAB,
    inputDim: D,
    wordvecDim: Wd,
    hiddenDim: H,
    cellType: "lstm",
    seed: 3,
  });
  const shapes = m.variables().map((v) => v.shape);
  assertEquals(shapes, [[D, H], [H], [V, Wd], [Wd, 4 * H], [H, 4 * H], [4 * H], [H, V], [V]]);
  // N(0, 1) scaled by 1/√fan-in (W_embed by 1/100); biases zero.
  const want: Record<string, number> = {
    W_proj: 1 / Math.sqrt(D),
    W_embed: 0.01,
    Wx: 1 / Math.sqrt(Wd),
    Wh: 1 / Math.sqrt(H),
    W_vocab: 1 / Math.sqrt(H),
  };
  for (const name of NAMES) {
    const s = stats(m.params[name]);
    if (name in want) {
      const n = m.params[name].size;
      assert(Math.abs(s.mean) < 4 * want[name] / Math.sqrt(n), `${name} mean ${s.mean}`);
      assert(Math.abs(s.std / want[name] - 1) < 0.08, `${name} std ${s.std} vs ${want[name]}`);
    } else assertEquals(s, { mean: 0, std: 0 }, name);
  }
  const again = new CaptioningModel({
    vocab: SCENE_VOCAB,
    inputDim: D,
    wordvecDim: Wd,
    hiddenDim: H,
    cellType: "lstm",
    seed: 3,
  });
  const other = new CaptioningModel({
    vocab: SCENE_VOCAB,
    inputDim: D,
    wordvecDim: Wd,
    hiddenDim: H,
    cellType: "lstm",
    seed: 4,
  });
  assertEquals(again.params.Wh.dataSync(), m.params.Wh.dataSync());
  assert(other.params.Wh.dataSync()[0] !== m.params.Wh.dataSync()[0], "seeds 3 and 4 agree");
  const rnn = new CaptioningModel({ vocab: SCENE_VOCAB, inputDim: 5, hiddenDim: 7 });
  assertEquals([rnn.cellType, rnn.params.Wh.shape, rnn.wordvecDim], ["rnn", [7, 7], 128]);
  for (const x of [m, again, other, rnn]) x.dispose();
});

Deno.test("CaptioningModel.loss is cs231n's loss with the vocabulary's <NULL> masked", async () => {
  await setBackend("wasm");
  // <NULL> is token 3 here, not 0: the model must pass it on.
  const vocab = makeVocab(["<START>", "<END>", "cat", "<NULL>", "dog"]);
  for (const cellType of ["rnn", "lstm"] as const) {
    const m = new CaptioningModel({
      vocab,
      inputDim: 6,
      wordvecDim: 4,
      hiddenDim: 5,
      cellType,
      seed: 1,
    });
    const rand = createRng(2), N = 3, T1 = 5;
    const feats = Float64Array.from({ length: N * 6 }, () => 2 * rand() - 1);
    const caps = [0, 2, 4, 1, 3, 0, 4, 1, 3, 3, 0, 2, 2, 4, 1];
    const got = tf.tidy(() =>
      m.loss(tf.tensor2d(Float32Array.from(feats), [N, 6]), tf.tensor2d(caps, [N, T1], "int32"))
        .dataSync()[0]
    );
    const p = Object.fromEntries(
      NAMES.map((k) => [k, arr(m.params[k].shape, m.params[k].dataSync())]),
    );
    const ref = captioningLossRef(
      arr([N, 6], feats),
      caps,
      [N, T1],
      p as unknown as Parameters<typeof captioningLossRef>[3],
      cellType,
      3,
    );
    assertClose([got], [ref.loss], `${cellType} loss`, 1e-5);
    // Different from treating token 0 (<START>) as padding.
    const wrong = captioningLossRef(arr([N, 6], feats), caps, [N, T1], p as never, cellType, 0);
    assert(Math.abs(wrong.loss - ref.loss) > 0.1, "the <NULL> token made no difference");
    m.dispose();
  }
});

Deno.test("CaptioningModel overfits 50 scene captions (LSTM) and samples them back", async () => {
  await setBackend("wasm");
  // cs231n's overfit check on the scenes' vocabulary: 50 captions, random features.
  const [N, D, L] = [50, 16, 15], rand = createRng(5);
  const words = (k: number) => [4, 15 + (k % 2), 5 + (k % 10)]; // "a <size> <digit>"
  const caps: number[] = [];
  for (let n = 0; n < N; n++) {
    const row = [1, ...words(n)];
    if (n % 3 > 0) row.push(17 + (n % 3), ...words(n * 7 + 3)); // above/below and a second digit
    row.push(2);
    caps.push(...row, ...new Array(L - row.length).fill(0));
  }
  const features = tf.tensor2d(Float32Array.from({ length: N * D }, () => 2 * rand() - 1), [N, D]);
  const captions = tf.tensor2d(caps, [N, L], "int32");
  const m = new CaptioningModel({
    vocab: SCENE_VOCAB,
    inputDim: D,
    wordvecDim: 16,
    hiddenDim: 64,
    cellType: "lstm",
    seed: 0,
  });
  const opt = tf.train.adam(1e-2);
  const losses: number[] = [];
  for (let i = 0; i < 120; i++) {
    const l = opt.minimize(() => m.loss(features, captions), true, m.variables())!;
    losses.push(l.dataSync()[0]);
    l.dispose();
  }
  assert(losses[0] > 15, `first loss ${losses[0]} (about ln 21 per word)`);
  assert(losses.at(-1)! < 0.1, `final loss ${losses.at(-1)}`);
  // Greedy decoding gives back every training caption, then <NULL> after <END>.
  const sampled = m.sample(features, L - 1);
  for (let n = 0; n < N; n++) {
    assertEquals(sampled[n], caps.slice(n * L + 1, (n + 1) * L), `caption ${n}`);
  }
  // No tensors left behind by loss or sample.
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) {
    tf.dispose(m.loss(features, captions));
    m.sample(features, 4);
  }
  assertEquals(tf.memory().numTensors, before);
  opt.dispose();
  tf.dispose([features, captions]);
  m.dispose();
});

Deno.test("CaptioningModel save/load: same weights, vocabulary and captions", async () => {
  await setBackend("wasm");
  const dir = await Deno.makeTempDir({ prefix: "convgrad-captioner-" });
  const vocab = makeVocab(["<NULL>", "<START>", "<END>", "x", "y", "z"]);
  const m = new CaptioningModel({
    vocab,
    inputDim: 7,
    wordvecDim: 3,
    hiddenDim: 9,
    cellType: "lstm",
    seed: 8,
  });
  // Non-zero biases too, so every tensor's round trip shows.
  (m.params.b_vocab as unknown as tf.Variable).assign(tf.tensor1d([0, -1, 0.5, 2, 1, 0]));
  await m.save(`${dir}/model`);
  const back = await CaptioningModel.load(`${dir}/model`);
  assertEquals(back.vocab, vocab);
  assertEquals([back.cellType, back.inputDim, back.wordvecDim, back.hiddenDim], ["lstm", 7, 3, 9]);
  for (const name of NAMES) {
    assertEquals(back.params[name].dataSync(), m.params[name].dataSync(), name);
  }
  const feats = tf.randomNormal([6, 7], 0, 3, "float32", 1) as tf.Tensor2D;
  assertEquals(back.sample(feats, 8), m.sample(feats, 8));
  await Deno.writeTextFile(`${dir}/bad.json`, "{}");
  await assertRejects(() => CaptioningModel.load(`${dir}/none`), Error, "cannot read");
  await Deno.mkdir(`${dir}/other`);
  await Deno.writeTextFile(`${dir}/other/captioner.json`, `{"format":"x"}`);
  await assertRejects(
    () => CaptioningModel.load(`${dir}/other`),
    TypeError,
    "not a captioner's file",
  );
  tf.dispose(feats);
  m.dispose();
  back.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("CaptioningModel: bad options are named", () => {
  const vocab = SCENE_VOCAB;
  assertThrows(
    () => new CaptioningModel({ vocab, inputDim: 0 }),
    RangeError,
    "inputDim must be a positive integer, got 0",
  );
  assertThrows(
    () => new CaptioningModel({ vocab, inputDim: 4, hiddenDim: 2.5 }),
    RangeError,
    "hiddenDim",
  );
  assertThrows(
    () => new CaptioningModel({ vocab, inputDim: 4, cellType: "gru" as "rnn" }),
    RangeError,
    `cellType must be "rnn" or "lstm", got gru`,
  );
  assertThrows(
    () => new CaptioningModel({ vocab: makeVocab(["<NULL>", "<START>", "a"]), inputDim: 4 }),
    RangeError,
    "no <END> token",
  );
  assertThrows(
    () => new CaptioningModel({ vocab, inputDim: 4 }, { W_proj: tf.zeros([3, 3]) }),
    RangeError,
    "weight W_proj must have shape [4,128], got [3,3]",
  );
});
