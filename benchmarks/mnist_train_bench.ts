/**
 * Training throughput (images/s) of the MNIST CNN: our kernels on wasm (and cpu) against
 * the same network built from stock `tf.layers` (NHWC `conv2d`) on the same backend, and against
 * PyTorch's CPU build of the same network (NCHW, float32) with 1 and with 2 threads, in one run;
 * ours also with each batch shared by two threads (`GradientWorkers`, as `deno task mnist` does).
 * Adam (lr 1e-3), softmax cross-entropy, batch 100, random images (speed does not depend on the
 * pixels); each timing is `--batches` steps after `--warmup` untimed steps (default 10, 1 on cpu:
 * V8 and the wasm tiers reach their steady speed only after several steps, and PyTorch gets the
 * same warm-up). PyTorch runs when it is
 * importable from Debian's `python3-torch` (/usr/bin/python3) or the `python3` on the PATH. TF.js
 * picks its single-threaded SIMD wasm binary under Deno, so PyTorch's 1 thread is the like-for-like
 * column and 2 threads is what the machine allows.
 *
 * The timings run in `--rounds` interleaved rounds (ours 1 thread, PyTorch 1 thread, ours 2
 * threads, PyTorch 2 threads, stock wasm, then the cpu rows): on a shared machine the load moves
 * between rounds, so each ratio is taken within one round, under the same load, and the summary
 * gives each row's range over the rounds.
 *
 *   deno run -A benchmarks/mnist_train_bench.ts [--batches N] [--warmup N] [--rounds R]
 *     [--backends wasm,cpu] [--profile]
 *
 * `--profile` prints instead where one step of ours goes on the first backend (`step_profile.ts`),
 * the median of `--batches` steps.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { findPython, runJson } from "./python.ts";
import { formatProfile, profileStep } from "./step_profile.ts";
import { type BackendName, setBackend } from "@convgrad/ops";
import { FusedAdam, GradientWorkers, mnistCnn } from "@convgrad/nn";
import { commandArgs, intFlag, textTable } from "@convgrad/base";

const { values: flags } = parseArgs({
  args: commandArgs(),
  options: {
    batches: { type: "string", default: "30" },
    warmup: { type: "string", default: "10" },
    rounds: { type: "string", default: "3" },
    backends: { type: "string", default: "wasm,cpu" },
    profile: { type: "boolean", default: false },
  },
});
const BATCH = 100;

/** The same network from stock layers, NHWC. */
function stockCnn(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 7, activation: "relu" }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 100, activation: "relu" }),
      tf.layers.dense({ units: 10, activation: "softmax" }),
    ],
  });
}

/** Images per second over `batches` Adam steps (after `warmup` steps), or the error. */
function throughput(
  model: tf.LayersModel,
  shape: number[],
  batches: number,
  opt: tf.Optimizer,
  warmup: number,
): number | string {
  const x = tf.randomUniform([BATCH, ...shape]);
  const y = tf.oneHot(tf.randomUniform([BATCH], 0, 10, "int32"), 10);
  const step = () =>
    tf.tidy(() => {
      opt.minimize(() =>
        tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar
      );
      model.layers.at(-1)!.getWeights()[0].dataSync(); // wait for the step to finish
    });
  try {
    for (let i = 0; i < warmup; i++) step();
  } catch (e) {
    return String((e as Error).message).split("\n")[0];
  } finally {
    tf.dispose([x, y]);
  }
  const x2 = tf.randomUniform([BATCH, ...shape]);
  const y2 = tf.oneHot(tf.randomUniform([BATCH], 0, 10, "int32"), 10);
  const t0 = performance.now();
  for (let i = 0; i < batches; i++) {
    tf.tidy(() => {
      opt.minimize(() =>
        tf.losses.softmaxCrossEntropy(y2, model.apply(x2) as tf.Tensor) as tf.Scalar
      );
      model.layers.at(-1)!.getWeights()[0].dataSync();
    });
  }
  const secs = (performance.now() - t0) / 1000;
  tf.dispose([x2, y2]);
  opt.dispose();
  return (batches * BATCH) / secs;
}

/** Images per second of our CNN with each batch shared by `threads` threads. */
async function threadedThroughput(
  threads: number,
  batches: number,
  warmup: number,
): Promise<number> {
  const model = mnistCnn(), opt = new FusedAdam(1e-3);
  const workers = await GradientWorkers.start(model, threads);
  const batch = {
    images: Float32Array.from({ length: BATCH * 784 }, Math.random),
    labels: Int32Array.from({ length: BATCH }, (_, i) => i % 10),
    size: BATCH,
    height: 28,
    width: 28,
    classes: 10,
  };
  try {
    for (let i = 0; i < warmup; i++) await workers.step(opt, batch);
    const t0 = performance.now();
    for (let i = 0; i < batches; i++) await workers.step(opt, batch);
    return (batches * BATCH) / ((performance.now() - t0) / 1000);
  } finally {
    workers.close();
    opt.dispose();
  }
}

/** PyTorch's step on the same network; prints its images/s as JSON. Args: threads, batches, warmup. */
const PYTORCH = `
import json, sys, time, torch
threads, batches, warmup, batch = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), ${BATCH}
torch.set_num_threads(threads)
torch.manual_seed(0)
model = torch.nn.Sequential(
    torch.nn.Conv2d(1, 32, 7), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
    torch.nn.Linear(32 * 11 * 11, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
x, y = torch.rand(batch, 1, 28, 28), torch.randint(0, 10, (batch,))
def step():
    opt.zero_grad()
    # Logits in: the softmax is inside the loss, as in tf.losses.softmaxCrossEntropy.
    torch.nn.functional.cross_entropy(model(x), y).backward()
    opt.step()
for _ in range(warmup):
    step()
t = time.perf_counter()
for _ in range(batches):
    step()
seconds = time.perf_counter() - t
print(json.dumps({"version": torch.__version__, "imagesPerSecond": batches * batch / seconds}))
`;

/** PyTorch's images/s with `threads` threads, in a fresh process so the thread count is its own. */
async function torchThroughput(
  python: string,
  threads: number,
  batches: number,
  warmup: number,
): Promise<{ version: string; imagesPerSecond: number }> {
  return await runJson(python, ["-c", PYTORCH, String(threads), String(batches), String(warmup)]);
}

const n = intFlag("batches", flags.batches, 1);
const rounds = intFlag("rounds", flags.rounds, 1);
const warmup = intFlag("warmup", flags.warmup, 1);
const backends = flags.backends.split(",") as BackendName[];
const fmt = (v: number | string) => (typeof v === "number" ? v.toFixed(0) : `fails: ${v}`);
const ratio = (a: number | string, b: number | string | undefined) =>
  typeof a === "number" && typeof b === "number" ? (a / b).toFixed(2) + "x" : "-";

if (flags.profile) {
  const backend = backends[0];
  await setBackend(backend);
  const model = mnistCnn(), opt = new FusedAdam(1e-3);
  const x = tf.randomUniform([BATCH, 1, 28, 28]);
  const y = tf.oneHot(tf.randomUniform([BATCH], 0, 10, "int32"), 10);
  const loss = () => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const p = await profileStep(loss, vars, opt, n, 10);
  console.log(`one training step of ours on ${backend}, batch ${BATCH}, median of ${n} steps:\n`);
  console.log(formatProfile(p));
  console.log(`\n${(1000 * BATCH / p.stepMs).toFixed(0)} images/s unprofiled`);
  Deno.exit(0);
}

const python = await findPython("torch");
let torchVersion = "";
/** One round's images/s per row (a string when that row failed), in the order timed. */
type Round = Map<string, number | string>;

/** Times every row once, in alternation: ours, then the row it is compared with. */
async function round(): Promise<Round> {
  const r: Round = new Map();
  const torch = async (threads: number) => {
    if (!python) return;
    const t = await torchThroughput(python, threads, n, warmup);
    torchVersion = t.version;
    r.set(`PyTorch ${threads} thread${threads > 1 ? "s" : ""}`, t.imagesPerSecond);
  };
  for (const backend of backends) {
    await setBackend(backend);
    const batches = backend === "cpu" ? Math.max(1, Math.round(n / 10)) : n;
    const w = backend === "cpu" ? 1 : warmup;
    r.set(`ours ${backend}`, throughput(mnistCnn(), [1, 28, 28], batches, new FusedAdam(1e-3), w));
    if (backend === "wasm") {
      await torch(1);
      r.set("ours wasm, 2 threads", await threadedThroughput(2, n, warmup));
      await torch(2);
    }
    r.set(
      `stock ${backend}`,
      // Stock cpu is ~100x slower (~25 s a step): one batch after the warm-up times it.
      throughput(stockCnn(), [28, 28, 1], backend === "cpu" ? 1 : n, tf.train.adam(1e-3), w),
    );
  }
  return r;
}

/** The ratios that count, each within one round: [label, numerator row, denominator row]. */
const RATIOS: [string, string, string][] = [
  ["ours/PyTorch, 1 thread", "ours wasm", "PyTorch 1 thread"],
  ["ours/PyTorch, 2 threads", "ours wasm, 2 threads", "PyTorch 2 threads"],
  ...backends.map((b): [string, string, string] => [`ours/stock ${b}`, `ours ${b}`, `stock ${b}`]),
];

const results: Round[] = [];
for (let i = 0; i < rounds; i++) {
  results.push(await round());
  console.error(`round ${i + 1}/${rounds} done`);
}
const rows = [...results[0].keys()];
const range = (vs: (number | string)[]) => {
  const nums = vs.filter((v): v is number => typeof v === "number");
  const fails = vs.find((v) => typeof v === "string");
  if (nums.length === 0) return fmt(fails ?? "-");
  const lo = Math.min(...nums), hi = Math.max(...nums);
  return lo === hi ? fmt(lo) : `${fmt(lo)}–${fmt(hi)}`;
};
const ratioRange = (num: string, den: string) => {
  const rs = results.map((r) => {
    const a = r.get(num), b = r.get(den);
    return typeof a === "number" && typeof b === "number" ? a / b : null;
  }).filter((v): v is number => v !== null);
  if (rs.length === 0) return "-";
  const lo = Math.min(...rs).toFixed(2), hi = Math.max(...rs).toFixed(2);
  return lo === hi ? `${lo}x` : `${lo}–${hi}x`;
};

console.log(`images/s per round (${rounds} rounds in alternation, ${n} steps of ${BATCH} each):\n`);
console.log(textTable(
  ["round", ...rows, ...RATIOS.map(([label]) => label)],
  results.map((r, i) => [
    String(i + 1),
    ...rows.map((row) => fmt(r.get(row) ?? "-")),
    ...RATIOS.map(([, num, den]) => ratio(r.get(num) ?? "-", r.get(den))),
  ]),
));
console.log("\nranges over the rounds:\n");
console.log(
  textTable(
    ["row", "images/s"],
    rows.map((row) => [row, range(results.map((r) => r.get(row) ?? "-"))]),
  ),
);
console.log();
console.log(textTable(
  ["ratio (within each round)", "range"],
  RATIOS.map(([label, num, den]) => [label, ratioRange(num, den)]),
));
if (python) {
  console.log(`\nPyTorch ${torchVersion} CPU (${python}), same network`);
} else {
  console.log("\nPyTorch not installed (Debian: apt-get install python3-torch)");
  console.log("anchor (2 cores): PyTorch 1.13 CPU 3,000-4,000 images/s");
}
console.log("target: ours/PyTorch >= 1.0x on one thread, within each round");
