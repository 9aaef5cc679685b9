/**
 * End to end at tiny sizes: `deno task captioning` on MNIST scenes with each encoder, and on a
 * cs231n-layout folder the test writes; the outputs the issue lists must exist and make sense.
 */
import h5wasm from "h5wasm/node";
import { assert, assertEquals } from "@convgrad/base/testing";
import { CaptioningModel } from "@convgrad/rnn";
import { setBackend } from "@convgrad/ops";

const main = new URL("./main.ts", import.meta.url).pathname;

async function run(args: string[]): Promise<{ ok: boolean; log: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { ok: out.success, log: new TextDecoder().decode(out.stderr) };
}

const TINY = ["--epochs", "2", "--val", "20", "--hidden", "16", "--wordvec", "8", "--batch", "50"];

async function checkOutputs(out: string, images: boolean): Promise<Record<string, unknown>> {
  const metrics = JSON.parse(await Deno.readTextFile(`${out}/metrics.json`));
  assertEquals(metrics.history.length, 2);
  // No tensors leak from one epoch to the next (a warm-up's end adds the encoder's Adam state).
  const [e1, e2] = metrics.history;
  if (e1.encoderTrained === e2.encoderTrained) assertEquals(e2.tensors, e1.tensors);
  assertEquals(metrics.valBleu.length, 4);
  assert(metrics.valExactMatch >= 0 && metrics.valExactMatch <= 1, `${metrics.valExactMatch}`);
  // Two epochs of training lower the validation loss.
  assert(metrics.history[1].valLoss < metrics.history[0].valLoss, JSON.stringify(metrics.history));
  const files = ["curves.png", "curves.svg", "model/captioner.json", "model/weights.bin"];
  files.push(images ? "samples.png" : "samples.json");
  for (const f of files) assert((await Deno.stat(`${out}/${f}`)).size > 0, `${f} missing`);
  if (images) {
    const png = await Deno.readFile(`${out}/samples.png`);
    assertEquals(Array.from(png.slice(1, 4)), [80, 78, 71]); // "PNG"
  }
  return metrics;
}

Deno.test({
  name: "captioning: MNIST scenes, frozen encoder (RNN), trainable encoder (LSTM, both starts)",
  sanitizeResources: false,
  fn: async () => {
    const out = await Deno.makeTempDir({ prefix: "convgrad-captioning-" });
    const frozen = await run([
      ...TINY,
      "--train",
      "300",
      "--cell",
      "rnn",
      "--pretrain-digits",
      "500",
      "--out",
      `${out}/frozen`,
    ]);
    assert(frozen.ok, frozen.log);
    assert(/encoder: cell classifier test accuracy/.test(frozen.log), frozen.log);
    assert(/epoch 2: train loss .* val exact match/.test(frozen.log), frozen.log);
    const m = await checkOutputs(`${out}/frozen`, true);
    assertEquals([m.cell, m.encoder, m.backend], ["rnn", "frozen", "wasm"]);
    assert((await Deno.stat(`${out}/frozen/model/encoder.bin`)).size > 0);
    await setBackend("wasm");
    const model = await CaptioningModel.load(`${out}/frozen/model`);
    assertEquals([model.cellType, model.inputDim, model.hiddenDim], ["rnn", 84, 16]);
    assertEquals(model.vocab.idxToWord[5], "zero");
    model.dispose();

    // Pretrained, one warm-up epoch with the encoder fixed, then one end to end.
    const trainable = await run([
      ...TINY,
      "--train",
      "100",
      "--encoder",
      "trainable",
      "--warmup",
      "1",
      "--pretrain-digits",
      "300",
      "--out",
      `${out}/trainable`,
    ]);
    assert(trainable.ok, trainable.log);
    const t = await checkOutputs(`${out}/trainable`, true);
    assertEquals([t.cell, t.encoder, t.encoderInit, t.warmupEpochs], [
      "lstm",
      "trainable",
      "pretrained",
      1,
    ]);
    const h = t.history as { encoderTrained: boolean }[];
    assertEquals(h.map((e) => e.encoderTrained), [false, true]);
    const random = await run([
      ...TINY,
      "--train",
      "50",
      "--encoder",
      "trainable",
      "--encoder-init",
      "random",
      "--out",
      `${out}/random`,
    ]);
    assert(random.ok, random.log);
    assert(!/cell classifier/.test(random.log), random.log);
    const r = await checkOutputs(`${out}/random`, true);
    assertEquals([r.encoderInit, r.pretrainAccuracy, r.warmupEpochs], ["random", null, 0]);
    await Deno.remove(out, { recursive: true });
  },
});

Deno.test({
  name: "captioning --data: a cs231n coco_captioning folder",
  sanitizeResources: false,
  fn: async () => {
    await h5wasm.ready;
    const dir = await Deno.makeTempDir({ prefix: "convgrad-captioning-coco-" });
    const words = ["<NULL>", "<START>", "<END>", "<UNK>", "a", "cat", "dog", "sits"];
    // 40 images, 2 captions each: "a cat sits" for even images, "a dog sits" for odd.
    const N = 80, L = 6, D = 12, images = 40;
    const caps = new Int32Array(N * L), idx = new Int32Array(N);
    for (let i = 0; i < N; i++) {
      idx[i] = i % images;
      caps.set([1, 4, 5 + (idx[i] % 2), 7, 2, 0], i * L);
    }
    const feats = Float32Array.from(
      { length: images * D },
      (_, j) => (Math.floor(j / D) % 2) * 2 - 1 + (j % D) / D,
    );
    const write = (name: string, arrays: Record<string, [Int32Array | Float32Array, number[]]>) => {
      const f = new h5wasm.File(`${dir}/${name}`, "w");
      for (const [k, [data, shape]] of Object.entries(arrays)) {
        f.create_dataset({
          name: k,
          data,
          shape,
          dtype: data instanceof Int32Array ? "<i4" : "<f4",
        });
      }
      f.close();
    };
    write("coco2014_captions.h5", {
      train_captions: [caps, [N, L]],
      train_image_idxs: [idx, [N]],
      val_captions: [caps, [N, L]],
      val_image_idxs: [idx, [N]],
    });
    for (const s of ["train", "val"]) {
      write(`${s}2014_vgg16_fc7_pca.h5`, { features: [feats, [images, D]] });
    }
    await Deno.writeTextFile(
      `${dir}/coco2014_vocab.json`,
      JSON.stringify({
        idx_to_word: words,
        word_to_idx: Object.fromEntries(words.map((w, i) => [w, i])),
      }),
    );
    const out = `${dir}/out`;
    const r = await run([...TINY, "--data", dir, "--train", "200", "--lr", "2e-2", "--out", out]);
    assert(r.ok, r.log);
    const m = await checkOutputs(out, false);
    assertEquals([m.data, m.encoder, m.trainCaptions, m.valCaptions], [
      dir,
      "cs231n features",
      200,
      20,
    ]);
    const samples = JSON.parse(await Deno.readTextFile(`${out}/samples.json`));
    assertEquals(samples[0].truth, ["a cat sits", "a cat sits"]);
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test("captioning: bad flags get a clear error", async () => {
  const cell = await run(["--cell", "gru"]);
  assert(!cell.ok && cell.log.includes("--cell must be rnn or lstm, got gru"), cell.log);
  const enc = await run(["--data", "/x", "--encoder", "frozen"]);
  assert(!enc.ok && enc.log.includes("--encoder applies to MNIST scenes"), enc.log);
  const warm = await run(["--encoder", "trainable", "--epochs", "2", "--warmup", "2"]);
  assert(!warm.ok && warm.log.includes("--warmup must be below --epochs (2), got 2"), warm.log);
  const data = await run(["--data", "/nonexistent"]);
  assert(!data.ok && data.log.includes("/nonexistent/coco2014_vocab.json not found"), data.log);
});
