import * as tf from "@tensorflow/tfjs";
import { setBackend } from "@convgrad/ops";
import { createRng } from "@convgrad/base";
import { assert, assertEquals } from "@convgrad/base/testing";
import { encodePng } from "@convgrad/plot";
import { loadModel } from "@convgrad/nn";
import { curvesPlot, runTransfer } from "./main.ts";

await setBackend("wasm");

/** Class folders `red/` and `blue/` of five 12x10 RGBA photos each, with transparent corners. */
async function photoRoot(): Promise<string> {
  const root = await Deno.makeTempDir(), rand = createRng(9);
  for (const [c, colour] of [["red", [220, 30, 30]], ["blue", [30, 30, 220]]] as const) {
    await Deno.mkdir(`${root}/${c}`);
    for (let k = 0; k < 5; k++) {
      const px = new Uint8Array(12 * 10 * 4);
      for (let i = 0; i < 120; i++) {
        const corner = i % 12 < 2 && i < 24;
        px.set(
          [...colour.map((v) => Math.min(255, v + Math.floor(30 * rand()))), corner ? 0 : 255],
          4 * i,
        );
      }
      await Deno.writeFile(`${root}/${c}/${k}.png`, await encodePng(px, 12, 10, { channels: 4 }));
    }
  }
  return root;
}

Deno.test("runTransfer trains every mode and writes curves, prediction grids, metrics and models", async () => {
  const root = await photoRoot(), out = await Deno.makeTempDir(), lines: string[] = [];
  const before = tf.memory().numTensors;
  const metrics = await runTransfer({
    modes: ["finetune", "freeze", "scratch"],
    epochs: 2,
    inputSize: 16,
    classes: ["red", "blue"],
    out,
    root,
    cut: "block_2_add",
    log: (s) => lines.push(s),
    progress: false,
  });
  assertEquals(tf.memory().numTensors, before);
  const files = new Set<string>();
  for await (const e of Deno.readDir(out)) files.add(e.name);
  for (
    const f of [
      "curves.png",
      "curves.svg",
      "metrics.json",
      "predictions-freeze.png",
      "model-scratch",
    ]
  ) {
    assert(files.has(f), `${f} written`);
  }
  const written = JSON.parse(await Deno.readTextFile(`${out}/metrics.json`));
  assertEquals(written.counts, [5, 5]);
  assertEquals([written.trainImages, written.valImages], [6, 4]);
  assertEquals(Object.keys(written.modes), ["finetune", "freeze", "scratch"]);
  for (const mode of ["finetune", "freeze", "scratch"]) {
    const m = written.modes[mode];
    assertEquals(m.history.length, 2);
    assertEquals(
      m.bestValAccuracy,
      Math.max(...m.history.map((h: { val: { accuracy: number } }) => h.val.accuracy)),
    );
  }
  // The head alone: batch norm over avg and max pools (2·24 scales and offsets), dense 48→2.
  assertEquals(written.modes.freeze.trainableParameters, 2 * 48 + 48 * 2 + 2);
  assertEquals(metrics.cut, "block_2_add");
  // The tutorial's log: "Epoch i/n", a rule, then the phases' loss and accuracy.
  const at = lines.indexOf("Epoch 1/1");
  assert(at > 0, "epoch header");
  assertEquals(lines[at + 1], "----------");
  assert(/^train Loss: \d+\.\d{4} Acc: \d\.\d{4}$/.test(lines[at + 2]), lines[at + 2]);
  assert(/^val Loss: \d+\.\d{4} Acc: \d\.\d{4}$/.test(lines[at + 3]), lines[at + 3]);
  const model = await loadModel(`${out}/model-freeze`);
  assertEquals(model.outputs[0].shape, [null, 2]);
  model.dispose();
  await Deno.remove(root, { recursive: true });
  await Deno.remove(out, { recursive: true });
});

Deno.test("curvesPlot lays out loss and accuracy of each phase and mode", () => {
  const rec = (e: number) => ({
    epoch: e,
    lr: 0.1,
    train: { loss: 1 - e / 10, accuracy: 0.5 + e / 10, seconds: 1 },
    val: { loss: 1.1 - e / 10, accuracy: 0.4 + e / 10, seconds: 1 },
  });
  const spec = curvesPlot([{ mode: "freeze", history: [rec(0), rec(1)] }]);
  const values = (spec.data as { values: Record<string, unknown>[] }).values;
  assertEquals(values.length, 2 * 2 * 2);
  assertEquals(
    values.filter((v) => v.phase === "val" && v.metric === "accuracy").map((v) => v.value),
    [
      0.4,
      0.5,
    ],
  );
});

Deno.test("deno task transfer rejects bad flags and missing data with a clear message", async () => {
  const run = async (...args: string[]) => {
    const main = new URL("./main.ts", import.meta.url).pathname;
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", main, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: r.code, err: new TextDecoder().decode(r.stderr) };
  };
  const mode = await run("--mode", "bogus");
  assertEquals(mode.code, 1);
  assert(mode.err.includes("--mode must be finetune, freeze, scratch or all, got bogus"), mode.err);
  const root = await Deno.makeTempDir();
  const missing = await run("--root", root, "--classes", "cats,dogs", "--backend", "cpu");
  assertEquals(missing.code, 1);
  assert(missing.err.includes(`class folder ${root}/cats does not exist`), missing.err);
  await Deno.remove(root, { recursive: true });
});
