/**
 * `deno task autoencoder`: trains the conv autoencoder of docs/autoencoder.md on MNIST with
 * convgrad's filt/full kernels and writes a grid of inputs vs reconstructions and the loss curve.
 *
 *   deno task autoencoder [--epochs N] [--train-limit N] [--filters K] [--kernel N] [--untied]
 *                         [--backend wasm|cpu] [--out DIR] [--lr X]
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { type BackendName, setBackend } from "@convgrad/ops";
import { autoencoderLoss, type AutoencoderParams, ProgressBar, reconstruct } from "@convgrad/nn";
import { commandArgs, intFlag, runMain } from "@convgrad/base";
import { batches, loadMnist } from "@convgrad/data";
import { curvesChart, saveImageGrid, savePlot } from "@convgrad/plot";

async function main(): Promise<void> {
  const { values: f } = parseArgs({
    args: commandArgs(),
    options: {
      epochs: { type: "string", default: "2" },
      "train-limit": { type: "string", default: "20000" },
      filters: { type: "string", default: "16" },
      kernel: { type: "string", default: "5" },
      untied: { type: "boolean", default: false },
      backend: { type: "string", default: "wasm" },
      out: { type: "string", default: "runs/autoencoder" },
      lr: { type: "string", default: "0.05" },
    },
  });
  if (f.backend !== "wasm" && f.backend !== "cpu") {
    throw new RangeError(`--backend must be wasm or cpu, got ${f.backend}`);
  }
  const epochs = intFlag("epochs", f.epochs, 1),
    limit = intFlag("train-limit", f["train-limit"], 1);
  const K = intFlag("filters", f.filters, 1), kh = intFlag("kernel", f.kernel, 1);
  const lr = Number(f.lr);
  if (!(lr > 0)) throw new RangeError(`--lr must be > 0, got ${f.lr}`);
  const tied = !f.untied, batchSize = 100;

  await setBackend(f.backend as BackendName);
  const { train, test } = await loadMnist();
  const n = Math.min(limit, train.n);
  const scale = Math.sqrt(6 / (2 * kh * kh));
  const params = {
    W: tf.variable(tf.randomUniform([K, 1, kh, kh], -scale, scale, "float32", 1)),
    b: tf.variable(tf.zeros([K])),
    c: tf.variable(tf.scalar(0)),
    ...(tied
      ? {}
      : { Wt: tf.variable(tf.randomUniform([K, 1, kh, kh], -scale, scale, "float32", 2)) }),
  } as unknown as AutoencoderParams;
  const optimizer = tf.train.adam(lr);
  const trace: { step: number; loss: number }[] = [];
  const t0 = performance.now();
  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const bar = new ProgressBar(`epoch ${epoch + 1}/${epochs}`, Math.ceil(n / batchSize));
    let done = 0;
    for (const b of batches(train, batchSize, { shuffle: true, seed: 0, epoch, limit: n })) {
      const loss = tf.tidy(() => {
        const x = tf.tensor4d(b.images, [b.size, 1, train.height, train.width]);
        return optimizer.minimize(() => autoencoderLoss(x, params, { tied }), true)!.dataSync()[0];
      });
      trace.push({ step: ++step, loss });
      bar.update(++done, { loss: loss.toFixed(3) });
    }
    bar.done();
  }
  const seconds = (performance.now() - t0) / 1000;

  const shown = 10, hw = test.height * test.width;
  const inputs = test.images.slice(0, shown * hw);
  const recon = tf.tidy(() =>
    reconstruct(tf.tensor4d(inputs, [shown, 1, test.height, test.width]), params, { tied })
      .dataSync()
  ) as Float32Array;
  const testLoss = tf.tidy(() =>
    autoencoderLoss(tf.tensor4d(test.images.slice(0, 1000 * hw), [1000, 1, 28, 28]), params, {
      tied,
    })
      .dataSync()[0]
  );
  await Deno.mkdir(f.out, { recursive: true });
  const images = [
    ...Array.from({ length: shown }, (_, i) => inputs.subarray(i * hw, (i + 1) * hw)),
    ...Array.from({ length: shown }, (_, i) => recon.subarray(i * hw, (i + 1) * hw)),
  ];
  await saveImageGrid(`${f.out}/reconstructions.png`, images, {
    rows: 2,
    cols: shown,
    height: test.height,
    width: test.width,
    scale: 3,
  });
  await savePlot(
    `${f.out}/loss`,
    curvesChart(`conv autoencoder (${K} filters ${kh}x${kh}, ${tied ? "tied" : "untied"})`, [{
      title: "training loss",
      xTitle: "batch",
      yTitle: "E = 1/(2n) Σ (x − y)²",
      points: trace.map((t) => ({ x: t.step, y: t.loss })),
    }]),
  );
  const summary = { tied, filters: K, kernel: kh, epochs, trainImages: n, testLoss, seconds };
  await Deno.writeTextFile(`${f.out}/metrics.json`, JSON.stringify(summary, null, 2) + "\n");
  console.error(
    `test loss ${
      testLoss.toFixed(4)
    }; wrote ${f.out}/reconstructions.png (top: inputs, bottom: reconstructions), ${f.out}/loss.png, ${f.out}/metrics.json`,
  );
}

if (import.meta.main) await runMain("autoencoder", main);
