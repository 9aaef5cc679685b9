/**
 * `deno task abc-mnist`: does the ABC-Net gradient rule matter? Trains the MNIST CNN with
 * its conv layer replaced by `ABCConv2D` for every (M, N, rule) in the grid, same seed, same
 * batches, and writes the results table, the loss curves and the gradient-rule check.
 *
 *   deno task abc-mnist [--train-limit N] [--test-limit N] [--epochs N] [--M 1,3,5] [--N 0,3]
 *                       [--rules ste,paper_literal,alpha_exact,ste_plus_alpha] [--skip-baseline]
 *                       [--optimizer adam|sgd] [--lr X] [--batch-size N] [--seed N]
 *                       [--backend wasm|cpu] [--out DIR]
 *
 * Outputs in `--out` (default `runs/abc-mnist`): `results.md` (tables), `results.json`,
 * `loss_curves.png` / `.svg`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { binarizeWeights, compareGradientRules, setBackend } from "@convgrad/ops";
import { ABCConv2D, evaluate, FiltConv2D, mnistCnn, train } from "@convgrad/nn";
import { commandArgs, runMain } from "@convgrad/base";
import { type LabeledImages, loadMnist, subset } from "@convgrad/data";
import { savePlot } from "@convgrad/plot";
import { type Flags, parseFlags, USAGE } from "./flags.ts";
import {
  gradientCheckTable,
  grid,
  lossCurvesSpec,
  movementTable,
  resultsTable,
  type RunConfig,
  runName,
  type RunResult,
} from "./report.ts";

/** The conv layer's real-valued kernel, copied. */
function convKernel(model: tf.LayersModel): tf.Tensor {
  const conv = model.layers.find((l) => l instanceof FiltConv2D);
  if (!conv) throw new Error("abc-mnist: the model has no conv layer");
  return conv.getWeights()[0].clone();
}

/** How far training moved the kernel: relative change of W, and of its M binary bases. */
function kernelChange(before: tf.Tensor, after: tf.Tensor, M: number | null) {
  const scalar = (f: () => tf.Tensor) => {
    const t = tf.tidy(f), v = t.dataSync()[0];
    t.dispose();
    return v;
  };
  return {
    kernelChange: scalar(() => after.sub(before).norm().div(before.norm())),
    basesFlipped: M === null ? null : scalar(() => {
      const [b0, b1] = [before, after].map((w) => binarizeWeights(w, M).bases);
      return b0.notEqual(b1).mean();
    }),
  };
}

/** Trains one configuration and measures it. */
async function runOne(
  c: RunConfig,
  flags: Flags,
  data: { train: LabeledImages; test: LabeledImages },
): Promise<RunResult> {
  const t0 = performance.now();
  const conv = c.M === null
    ? undefined
    : (cfg: { filters: number; kernelSize: number; seed: number }) =>
      new ABCConv2D({ ...cfg, M: c.M!, N: c.N, gradient: c.gradient! });
  let initial: tf.Tensor | undefined;
  const { model, history } = await train({
    model: () => {
      const m = mnistCnn({ seed: flags.seed, conv });
      initial = convKernel(m);
      return m;
    },
    train: data.train,
    epochs: flags.epochs,
    batchSize: flags.batchSize,
    optimizer: flags.optimizer,
    seed: flags.seed,
    trainLimit: flags.trainLimit,
    log: () => {},
  });
  const testAccuracy = evaluate(model, data.test);
  const final = convKernel(model);
  const moved = kernelChange(initial!, final, c.M);
  tf.dispose([initial!, final]);
  model.dispose();
  // Each epoch's trace has equal slices of its steps; place them by images seen.
  const perEpoch = Math.min(flags.trainLimit, data.train.n);
  const curve = history.flatMap((h) =>
    h.lossTrace.map((l, i): [number, number] => [
      Math.round((h.epoch - 1 + (i + 1) / h.lossTrace.length) * perEpoch),
      l,
    ])
  );
  const meanLoss = history.reduce((s, h) => s + h.trainLoss, 0) / history.length;
  // One batch's loss is noisy: average the last tenth of the curve.
  const tail = curve.slice(-Math.max(1, Math.round(curve.length / 10)));
  return {
    ...c,
    testAccuracy,
    finalLoss: tail.reduce((s, [, l]) => s + l, 0) / tail.length,
    meanLoss,
    ...moved,
    curve,
    seconds: (performance.now() - t0) / 1000,
  };
}

async function main(): Promise<void> {
  const flags = parseFlags(commandArgs());
  if (flags === null) return console.log(USAGE);
  const t0 = performance.now();
  await setBackend(flags.backend);
  await Deno.mkdir(flags.out, { recursive: true });

  // Which rule is the derivative: cheap, so always part of the report.
  const checks = flags.Ms.flatMap((M) =>
    compareGradientRules({ xShape: [2, 1, 10, 10], wShape: [4, 1, 5, 5], M, seed: flags.seed })
      .map((r) => ({ ...r, M }))
  );
  console.error(gradientCheckTable(checks));

  const mnist = await loadMnist();
  const testIdx = Array.from({ length: Math.min(flags.testLimit, mnist.test.n) }, (_, i) => i);
  const data = { train: mnist.train, test: subset(mnist.test, testIdx) };
  const runs = grid(flags.Ms, flags.Ns, flags.rules, flags.baseline);
  console.error(
    `${runs.length} runs on ${tf.getBackend()}: ${Math.min(flags.trainLimit, data.train.n)} ` +
      `training images x ${flags.epochs} epoch(s), batch ${flags.batchSize}, ` +
      `${flags.optimizer.name} lr ${flags.optimizer.lr}, test on ${data.test.n} images`,
  );
  const results: RunResult[] = [];
  for (const [i, c] of runs.entries()) {
    const r = await runOne(c, flags, data);
    results.push(r);
    console.error(
      `[${i + 1}/${runs.length}] ${runName(c)}: test accuracy ${r.testAccuracy.toFixed(4)}, ` +
        `final loss ${r.finalLoss.toFixed(4)}, kernel moved ${r.kernelChange.toFixed(3)}` +
        (r.basesFlipped === null ? "" : `, bases flipped ${(100 * r.basesFlipped).toFixed(1)}%`) +
        `, ${r.seconds.toFixed(1)} s`,
    );
  }
  const wallSeconds = (performance.now() - t0) / 1000;

  const setup = [
    `${Math.min(flags.trainLimit, data.train.n)} training images x ${flags.epochs} epoch(s), ` +
    `batch ${flags.batchSize}, ${flags.optimizer.name} (lr ${flags.optimizer.lr}), seed ${flags.seed}`,
    `test accuracy on the first ${data.test.n} test images, backend ${tf.getBackend()}, ` +
    `wall time ${wallSeconds.toFixed(0)} s`,
  ];
  const md = `# abc-mnist\n\n${setup.join(", ")}\n\n## Test accuracy / final training loss\n\n` +
    `${resultsTable(results)}\n\n## How far the conv kernel moved (bases flipped / ‖ΔW‖/‖W‖)\n\n` +
    `${movementTable(results)}\n\n## Gradient rules against finite differences\n\n` +
    `${gradientCheckTable(checks)}\n`;
  await Deno.writeTextFile(`${flags.out}/results.md`, md);
  await Deno.writeTextFile(
    `${flags.out}/results.json`,
    JSON.stringify({ flags, wallSeconds, results, gradientChecks: checks }, null, 2) + "\n",
  );
  await savePlot(
    `${flags.out}/loss_curves`,
    lossCurvesSpec(results, "ABC-Net conv on MNIST: training loss per gradient rule", setup),
  );
  console.log(md);
  console.error(
    `wrote ${flags.out}/results.md, results.json, loss_curves.png, loss_curves.svg ` +
      `(${wallSeconds.toFixed(0)} s)`,
  );
}

if (import.meta.main) await runMain("abc-mnist", main);
