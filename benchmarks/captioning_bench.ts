/**
 * Training steps/s of cs231n's LSTM captioner at the assignment's sizes (batch N = 50, T = 16
 * words in, word vectors Wd = 256, hidden H = 512, vocabulary V = 1,004, image features D = 512):
 * ours (`captioningLoss`, hand-written backward passes) against the same model from stock TF.js
 * ops differentiated by autodiff (`@convgrad/rnn/stock`), on each backend (stock cannot train on
 * wasm, which lacks its embedding gradient, so there also with our `wordEmbedding` swapped in), and
 * against PyTorch's
 * CPU build of the same model (`nn.Embedding`, `nn.LSTM`, `nn.Linear`, cross-entropy ignoring
 * `<NULL>`, summed and divided by N), in one run. Adam (lr 1e-3) on every parameter (ours with
 * `FusedAdam`, equal to `tf.train.adam` to the bit, as `bench:mnist` does); random
 * features and captions (`<START>`, 1–15 random words, `<END>`, `<NULL>` padding). Each timing is
 * up to `--steps` steps after one warm-up step, stopping early after `--seconds`. Besides
 * wall-clock steps/s it reports steps per CPU-second of the process (TF.js runs on one thread
 * here, as PyTorch with 1 thread), which is steadier on a shared machine.
 *
 *   deno run -A benchmarks/captioning_bench.ts [--steps N] [--seconds S] [--backends wasm,cpu]
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import process from "node:process";
import { parseArgs } from "node:util";
import { findPython, runJson } from "./python.ts";
import { type BackendName, setBackend } from "@convgrad/ops";
import { captioningLoss, type CaptioningParams, initCaptioningParams } from "@convgrad/rnn";
import { stockCaptioningLoss } from "@convgrad/rnn/stock";
import { FusedAdam } from "@convgrad/nn";
import { commandArgs, createRng, runMain, textTable } from "@convgrad/base";

const { values: flags } = parseArgs({
  args: commandArgs(),
  options: {
    steps: { type: "string", default: "10" },
    seconds: { type: "string", default: "30" },
    backends: { type: "string", default: "wasm,cpu" },
  },
});
const [N, T, Wd, H, V, D] = [50, 16, 256, 512, 1004, 512];

/** Random captions `<START> w… <END> <NULL>…`, `[N,T+1]`, seeded. */
function captionIds(): Int32Array {
  const rand = createRng(1), ids = new Int32Array(N * (T + 1));
  for (let n = 0; n < N; n++) {
    const len = 1 + Math.floor(rand() * (T - 1));
    for (let t = 0; t <= T; t++) {
      ids[n * (T + 1) + t] = t === 0
        ? 1
        : t <= len
        ? 3 + Math.floor(rand() * (V - 3))
        : t === len + 1
        ? 2
        : 0;
    }
  }
  return ids;
}

/** The captioner's parameters as variables, cs231n's initialisation. */
function params(): CaptioningParams {
  const init = initCaptioningParams({ D, Wd, H, V }, "lstm", 1);
  const vars = Object.fromEntries(Object.entries(init).map(([k, t]) => [k, tf.variable(t)]));
  tf.dispose(Object.values(init));
  return vars as unknown as CaptioningParams;
}

type Loss = typeof captioningLoss;

/** Steps per second of wall-clock time and of the process's CPU time. */
interface Speed {
  wall: number;
  cpu: number;
}

/**
 * Training steps per second of `loss` with `opt` (Adam), or the first line of the error it threw.
 */
function stepsPerSecond(
  loss: Loss,
  opt: tf.Optimizer,
  steps: number,
  seconds: number,
): Speed | string {
  const p = params();
  const features = tf.randomNormal([N, D], 0, 1, "float32", 7) as tf.Tensor2D;
  const captions = tf.tensor2d(captionIds(), [N, T + 1], "int32");
  const step = () =>
    tf.tidy(() => {
      opt.minimize(() => loss(features, captions, p, { cellType: "lstm" }));
      p.b_vocab.dataSync(); // wait for the step to finish
    });
  try {
    step();
    const t0 = performance.now(), c0 = process.cpuUsage();
    let done = 0;
    while (done < steps && (done === 0 || performance.now() - t0 < seconds * 1000)) {
      step();
      done++;
    }
    const cpu = process.cpuUsage(c0);
    return {
      wall: done / ((performance.now() - t0) / 1000),
      cpu: done / ((cpu.user + cpu.system) / 1e6),
    };
  } catch (e) {
    return String((e as Error).message).split("\n")[0];
  } finally {
    tf.dispose([features, captions, ...Object.values(p)]);
    opt.dispose();
  }
}

/** PyTorch's step on the same model; prints its steps/s as JSON. Args: threads, steps. */
const PYTORCH = `
import json, sys, time, torch
threads, steps = int(sys.argv[1]), int(sys.argv[2])
N, T, Wd, H, V, D = ${N}, ${T}, ${Wd}, ${H}, ${V}, ${D}
torch.set_num_threads(threads)
torch.manual_seed(0)
proj, embed = torch.nn.Linear(D, H), torch.nn.Embedding(V, Wd)
lstm, vocab = torch.nn.LSTM(Wd, H, batch_first=True), torch.nn.Linear(H, V)
params = [*proj.parameters(), *embed.parameters(), *lstm.parameters(), *vocab.parameters()]
opt = torch.optim.Adam(params, lr=1e-3)
features = torch.randn(N, D)
lengths = torch.randint(1, T, (N,))
captions = torch.zeros(N, T + 1, dtype=torch.long)
for n in range(N):
    k = int(lengths[n])
    captions[n, 0] = 1
    captions[n, 1:k + 1] = torch.randint(3, V, (k,))
    captions[n, k + 1] = 2
def step():
    opt.zero_grad()
    h0 = proj(features).unsqueeze(0)
    hs, _ = lstm(embed(captions[:, :-1]), (h0, torch.zeros_like(h0)))
    scores = vocab(hs).reshape(N * T, V)
    loss = torch.nn.functional.cross_entropy(
        scores, captions[:, 1:].reshape(N * T), ignore_index=0, reduction="sum") / N
    loss.backward()
    opt.step()
step()
t, c = time.perf_counter(), time.process_time()
for _ in range(steps):
    step()
wall, cpu = time.perf_counter() - t, time.process_time() - c
print(json.dumps({"version": torch.__version__, "wall": steps / wall, "cpu": steps / cpu}))
`;

/** PyTorch's steps/s with `threads` threads, in a fresh process so the thread count is its own. */
async function torchSpeed(
  python: string,
  threads: number,
  steps: number,
): Promise<Speed & { version: string }> {
  return await runJson(python, ["-c", PYTORCH, String(threads), String(steps)]);
}

const steps = Number(flags.steps), seconds = Number(flags.seconds);
const fmt = (v: Speed | string) =>
  v === "not needed"
    ? "-"
    : typeof v === "string"
    ? `fails: ${v}`
    : `${v.wall.toFixed(2)} (${v.cpu.toFixed(2)})`;
const ratio = (a: Speed | string, b: Speed | string | null) =>
  typeof a === "string" || typeof b === "string" || b === null
    ? "-"
    : `${(a.wall / b.wall).toFixed(2)}x (${(a.cpu / b.cpu).toFixed(2)}x)`;

if (import.meta.main) {
  await runMain("bench:captioning", async () => {
    const python = await findPython("torch");
    const torch1 = python ? await torchSpeed(python, 1, steps) : null;
    const torch2 = python ? await torchSpeed(python, 2, steps) : null;

    const rows: string[][] = [];
    for (const backend of flags.backends.split(",") as BackendName[]) {
      await setBackend(backend);
      const ours = stepsPerSecond(captioningLoss, new FusedAdam(1e-3), steps, seconds);
      const stock = stepsPerSecond(
        stockCaptioningLoss as Loss,
        tf.train.adam(1e-3),
        steps,
        seconds,
      );
      // Where stock cannot train (wasm), time the rest of it with our embedding swapped in.
      const stockEmbed = typeof stock === "string"
        ? stepsPerSecond(
          (f, c, p, o) => stockCaptioningLoss(f, c, p, { ...o, embedding: "ours" }),
          tf.train.adam(1e-3),
          steps,
          seconds,
        )
        : "not needed";
      rows.push([
        backend,
        fmt(ours),
        fmt(stock),
        ratio(ours, stock),
        fmt(stockEmbed),
        ratio(ours, stockEmbed),
        ratio(ours, torch1),
        ratio(ours, torch2),
      ]);
    }
    console.log(
      `LSTM captioner, N=${N} T=${T} Wd=${Wd} H=${H} V=${V} D=${D}, Adam; training steps/s ` +
        "(in parentheses: per CPU-second)",
    );
    console.log(textTable([
      "backend",
      "ours",
      "stock TF.js autodiff",
      "ours/stock",
      "stock with our embedding",
      "ours/that",
      "ours/PyTorch 1 thread",
      "ours/PyTorch 2 threads",
    ], rows));
    if (torch1 && torch2) {
      console.log(
        `PyTorch ${torch1.version} CPU (${python}), same model: 1 thread ${
          fmt(torch1)
        } steps/s, 2 threads ${fmt(torch2)} steps/s`,
      );
    } else {
      console.log("PyTorch not installed (Debian: apt-get install python3-torch)");
    }
  });
}
