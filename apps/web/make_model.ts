/**
 * `deno task demo:model`: trains the demo's two small CNNs with the MNIST pipeline (`apps/mnist`),
 * the float one and the ABC-Net binarized one, and writes what the page loads into
 * `apps/web/model/`: the models (`<id>/model.json` + `weights.bin`), `models.json` (the model
 * switch's list, with the test accuracies) and `samples.json` (the first test image of each
 * digit, for the sample buttons).
 *
 *   deno task demo:model
 *
 * The run is seeded, so the same command reproduces the committed files.
 *
 * @module
 */
import { loadMnist } from "@convgrad/data";
import type { ModelEntry, SampleFile } from "./classifier.ts";
import { runMain } from "@convgrad/base";

/** The exact training runs: `deno task mnist` with these flags. */
export const RUNS = [
  {
    id: "cnn",
    name: "Float CNN",
    description: "conv 7x7x32 → max-pool 2 → ReLU → dense 32 → dense 10",
    flags: ["--hidden", "32", "--epochs", "5", "--seed", "0", "--backend", "wasm"],
  },
  {
    id: "abc",
    name: "ABC-Net binarized CNN",
    description: "conv 7x7x32 with 3 binary weight bases and 3 binary activation bases " +
      "(ABCConv2D, straight-through gradient) → max-pool 2 → ReLU → dense 32 → dense 10",
    flags: ["--abc", "3,3", "--hidden", "32", "--epochs", "3", "--seed", "0", "--backend", "wasm"],
  },
];

/** The limit on the committed weights. */
const MAX_WEIGHT_BYTES = 1 << 20;

const MODEL_DIR = new URL("./model/", import.meta.url);
const MNIST_MAIN = new URL("../mnist/main.ts", import.meta.url);

/** Runs the MNIST app with `flags` into `out`, streaming its progress. */
async function trainInto(flags: string[], out: string): Promise<void> {
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MNIST_MAIN.pathname, ...flags, "--out", out],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) throw new Error(`demo:model: apps/mnist/main.ts exited with ${code}`);
}

/** The first test image of each digit 0..9, pixels as base64 bytes. */
async function samples(): Promise<SampleFile> {
  const { test } = await loadMnist();
  const px = test.height * test.width, found: SampleFile["samples"] = [];
  for (let digit = 0; digit < 10; digit++) {
    const index = test.labels.indexOf(digit);
    const bytes = Uint8Array.from(
      test.images.subarray(index * px, (index + 1) * px),
      (v) => Math.round(v * 255),
    );
    found.push({ index, label: digit, pixels: btoa(String.fromCharCode(...bytes)) });
  }
  return { source: "MNIST t10k (test set), the first image of each digit", samples: found };
}

async function main(): Promise<void> {
  const run = await Deno.makeTempDir({ prefix: "convgrad-demo-model-" });
  try {
    const models: ModelEntry[] = [];
    for (const r of RUNS) {
      await trainInto(r.flags, `${run}/${r.id}`);
      const weights = await Deno.stat(`${run}/${r.id}/model/weights.bin`);
      if (weights.size > MAX_WEIGHT_BYTES) {
        throw new Error(
          `demo:model: ${r.id} weights are ${weights.size} bytes, over ${MAX_WEIGHT_BYTES}`,
        );
      }
      const metrics = JSON.parse(await Deno.readTextFile(`${run}/${r.id}/metrics.json`));
      const dir = new URL(`./${r.id}/`, MODEL_DIR);
      await Deno.mkdir(dir, { recursive: true });
      for (const f of ["model.json", "weights.bin"]) {
        await Deno.copyFile(`${run}/${r.id}/model/${f}`, new URL(f, dir));
      }
      models.push({
        id: r.id,
        name: r.name,
        path: `${r.id}/model.json`,
        description: r.description,
        testAccuracy: metrics.testAccuracy,
        command: `deno task mnist ${r.flags.join(" ")}`,
      });
      console.error(
        `demo:model: ${r.id}: test accuracy ${metrics.testAccuracy}, ${weights.size} bytes`,
      );
    }
    await Deno.writeTextFile(
      new URL("models.json", MODEL_DIR),
      JSON.stringify(models, null, 2) + "\n",
    );
    await Deno.writeTextFile(
      new URL("samples.json", MODEL_DIR),
      JSON.stringify(await samples(), null, 2) + "\n",
    );
    console.error(`demo:model: wrote ${MODEL_DIR.pathname}`);
  } finally {
    await Deno.remove(run, { recursive: true });
  }
}

if (import.meta.main) await runMain("demo:model", main);
