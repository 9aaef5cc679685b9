/**
 * Training throughput (images/s) of the MNIST CNN: our kernels on wasm (and cpu) against
 * the same network built from stock `tf.layers` (NHWC `conv2d`) on the same backend, and against
 * PyTorch's CPU build of the same network (NCHW, float32) with 1 and with 2 threads, in one run;
 * ours also with each batch shared by two threads (`GradientWorkers`, as `deno task mnist` does).
 * Adam (lr 1e-3), softmax cross-entropy, batch 100, random images (speed does not depend on the
 * pixels); each timing is `--batches` steps after one warm-up step. PyTorch runs when it is
 * importable from Debian's `python3-torch` (/usr/bin/python3) or the `python3` on the PATH. TF.js
 * picks its single-threaded SIMD wasm binary under Deno, so PyTorch's 1 thread is the like-for-like
 * column and 2 threads is what the machine allows.
 *
 *   deno run -A benchmarks/mnist_train_bench.ts [--batches N] [--backends wasm,cpu] [--profile]
 *
 * `--profile` prints instead where one step of ours goes on the first backend (`step_profile.ts`),
 * the median of `--batches` steps.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { findPython } from "./python.ts";
import { formatProfile, profileStep } from "./step_profile.ts";
import { type BackendName, setBackend } from "@convgrad/ops";
import { FusedAdam, GradientWorkers, mnistCnn } from "@convgrad/nn";
import { commandArgs } from "@convgrad/base";

const { values: flags } = parseArgs({
  args: commandArgs(),
  options: {
    batches: { type: "string", default: "30" },
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

/** Images per second over `batches` Adam steps (after one warm-up step), or the error. */
function throughput(
  model: tf.LayersModel,
  shape: number[],
  batches: number,
  opt: tf.Optimizer,
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
    step();
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
async function threadedThroughput(threads: number, batches: number): Promise<number> {
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
    await workers.step(opt, batch);
    const t0 = performance.now();
    for (let i = 0; i < batches; i++) await workers.step(opt, batch);
    return (batches * BATCH) / ((performance.now() - t0) / 1000);
  } finally {
    workers.close();
    opt.dispose();
  }
}

/** PyTorch's step on the same network; prints its images/s as JSON. Args: threads, batches. */
const PYTORCH = `
import json, sys, time, torch
threads, batches, batch = int(sys.argv[1]), int(sys.argv[2]), ${BATCH}
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
): Promise<{ version: string; imagesPerSecond: number }> {
  const out = await new Deno.Command(python, {
    args: ["-c", PYTORCH, String(threads), String(batches)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`PyTorch (${python}) failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
}

const n = Number(flags.batches);
const fmt = (v: number | string) => (typeof v === "number" ? v.toFixed(0) : `fails: ${v}`);
const ratio = (a: number | string, b: number | string | undefined) =>
  typeof a === "number" && typeof b === "number" ? (a / b).toFixed(2) + "x" : "-";

if (flags.profile) {
  const backend = flags.backends.split(",")[0] as BackendName;
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

// PyTorch first: it does not depend on the TF.js backend, and a broken install fails fast.
const python = await findPython("torch");
const torch1 = python ? await torchThroughput(python, 1, n) : null;
const torch2 = python ? await torchThroughput(python, 2, n) : null;

const rows: string[][] = [];
for (const backend of flags.backends.split(",") as BackendName[]) {
  await setBackend(backend);
  const ours = throughput(
    mnistCnn(),
    [1, 28, 28],
    backend === "cpu" ? Math.max(1, n / 10) : n,
    new FusedAdam(1e-3),
  );
  // Stock cpu is ~100x slower: two batches are enough to time it.
  const stock = throughput(stockCnn(), [28, 28, 1], backend === "cpu" ? 2 : n, tf.train.adam(1e-3));
  rows.push([
    backend,
    fmt(ours),
    fmt(stock),
    ratio(ours, stock),
    ratio(ours, torch1?.imagesPerSecond),
    ratio(ours, torch2?.imagesPerSecond),
  ]);
  if (backend === "wasm") {
    const two = await threadedThroughput(2, n);
    rows.push([
      "wasm, 2 threads",
      fmt(two),
      "-",
      "-",
      ratio(two, torch1?.imagesPerSecond),
      ratio(two, torch2?.imagesPerSecond),
    ]);
  }
}
console.log(
  "backend | ours images/s | stock tf.layers images/s | ours/stock | ours/PyTorch 1 thread | " +
    "ours/PyTorch 2 threads",
);
for (const r of rows) console.log(r.join(" | "));
if (torch1 && torch2) {
  console.log(
    `PyTorch ${torch1.version} CPU (${python}), same network: ` +
      `1 thread ${fmt(torch1.imagesPerSecond)} images/s, 2 threads ${
        fmt(torch2.imagesPerSecond)
      } images/s`,
  );
} else {
  console.log("PyTorch not installed (Debian: apt-get install python3-torch)");
  console.log("anchor (2 cores): PyTorch 1.13 CPU 3,000-4,000 images/s");
}
console.log("target >= 1,500 images/s on wasm");
