/**
 * SVM fit time and peak memory: the dense QP (quadprog) and SMO, rbf kernel (C = 1, γ = 0.1) on
 * the synthetic 10-D data, x ~ N(0, I₁₀), y = sign(sin(2x₀) + x₁² − 1 + 0.3ε). SMO stops
 * at LIBSVM's default tolerance (1e-3); the QP is solved to its KKT point. When scikit-learn is
 * installed (`python3 -c "import sklearn"`, or Debian's `python3-sklearn` under
 * /usr/bin/python3), its SVC (LIBSVM, same C, γ, tolerance and a 200 MB cache) fits the same
 * data in the same run and the table shows SMO's time over LIBSVM's.
 *
 * Both libraries are timed alike: each fit runs in a fresh process, the clock started after the
 * imports and the data are loaded, around the fit call alone. That first fit is the "cold" one,
 * what a user's one-off script pays (for us: the JIT compiling the solver's JS, the wasm module's
 * compilation and tier-up, fresh memory); the same process then fits the same data again, the
 * "warm" fit. Its peak resident memory (Linux's VmHWM) is the first fit's own. `--rounds R`
 * (default 3) repeats every size, SMO and scikit-learn in alternating order, so that each ratio
 * compares two fits made under the same load; the table gives each figure's range over the
 * rounds. The quadprog solver runs in the first round only, up to n = `--qp-max` (default every
 * size).
 *
 * The quadprog column is `fitSVM(…, {solver: 'quadprog'})`: one dense QP up to n = 100, the
 * decomposition into quadprog-solved working sets beyond.
 *
 * Then MNIST: an rbf SVM (C = 5, γ = 0.05, one against one) on the first `--mnist N` training
 * images (default 10,000; 0 skips it), pixels in [0, 1], tested on the full 10k test set, beside
 * scikit-learn's SVC with the same C, γ, tolerance and cache: fit times, their ratio, both test
 * accuracies and support vector counts.
 *
 *   deno task bench:svm [--sizes 500,1000,2000,5000,20000] [--rounds 3] [--qp-max 20000] [--mnist 10000]
 *
 * @module
 */
import { parseArgs } from "node:util";
import process from "node:process";
import { findPython, runJson } from "./python.ts";
import { commandArgs, createRng, intFlag, runMain } from "@convgrad/base";
import { fitSVM } from "@convgrad/svm";
import { loadMnist, mnistDir } from "@convgrad/data";

/** One fit's measurements. */
interface Fit {
  seconds: number;
  /** CPU seconds (user + system, every thread) of the fit: steadier than wall time on a shared machine. */
  cpu: number;
  /** The process's peak resident memory, MiB. */
  peakMiB: number;
  /** Peak resident memory minus the resident memory just before the fit, MiB. */
  fitMiB: number;
  dual: number;
  supportVectors: number;
}

/** The data set, seeded by n: rows of 10 features, then n labels, as one Float64Array. */
function data(n: number): Float64Array {
  const rand = createRng(n), out = new Float64Array(11 * n);
  const normal = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 10; k++) out[10 * i + k] = normal();
    const x0 = out[10 * i], x1 = out[10 * i + 1];
    out[10 * n + i] = Math.sin(2 * x0) + x1 ** 2 - 1 + 0.3 * normal() >= 0 ? 1 : -1;
  }
  return out;
}

/** CPU seconds this process has used (user + system, all threads). */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Peak resident memory of this process in MiB (VmHWM), or the current one where /proc is absent. */
function peakMiB(): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"))?.[1];
    if (kb) return Number(kb) / 1024;
  } catch { /* not Linux */ }
  return Deno.memoryUsage().rss / 2 ** 20;
}

/** A fresh process's first fit of the data, and its second (warm) fit; null when not asked for. */
interface Fits {
  cold: Fit;
  warm: Fit | null;
}

/** Child mode: fit the data in `file` with `solver` (twice with `warm`), print {@link Fits} as JSON. */
function child(file: string, solver: "smo" | "quadprog", warm: boolean): void {
  const buf = new Float64Array(Deno.readFileSync(file).buffer), n = buf.length / 11;
  const X = Array.from({ length: n }, (_, i) => buf.subarray(10 * i, 10 * i + 10));
  const y = buf.subarray(10 * n);
  const fit = (): Fit => {
    const before = Deno.memoryUsage().rss / 2 ** 20, c0 = cpuSeconds(), t0 = performance.now();
    const m = fitSVM(X, y, { kernel: "rbf", C: 1, gamma: 0.1, solver, tol: 1e-3 });
    const seconds = (performance.now() - t0) / 1000, cpu = cpuSeconds() - c0, peak = peakMiB();
    return {
      seconds,
      cpu,
      peakMiB: peak,
      fitMiB: peak - before,
      dual: m.dualObjective,
      supportVectors: m.supportIndices.length,
    };
  };
  const fits: Fits = { cold: fit(), warm: null };
  if (warm) fits.warm = fit();
  console.log(JSON.stringify(fits));
}

/** The MNIST workload's settings, for both libraries. */
const MNIST = { C: 5, gamma: 0.05, tol: 1e-3 };

/** One MNIST fit and test: seconds (wall, CPU), test accuracy, support vectors. */
interface MnistFit {
  seconds: number;
  cpu: number;
  accuracy: number;
  supportVectors: number;
}

/** Child mode: fit the first `train` MNIST training images, test on all 10k, print a {@link MnistFit}. */
async function mnistChild(train: number): Promise<void> {
  const { train: tr, test } = await loadMnist(), hw = tr.height * tr.width;
  const rows = (images: Float32Array, n: number) =>
    Array.from({ length: n }, (_, i) => Float64Array.from(images.subarray(i * hw, (i + 1) * hw)));
  const X = rows(tr.images, train), y = Array.from(tr.labels.subarray(0, train));
  const c0 = cpuSeconds(), t0 = performance.now();
  const m = fitSVM(X, y, { kernel: "rbf", ...MNIST });
  const seconds = (performance.now() - t0) / 1000, cpu = cpuSeconds() - c0;
  const pred = m.predict(rows(test.images, test.n));
  const accuracy = pred.filter((p, i) => p === test.labels[i]).length / test.n;
  const fit: MnistFit = { seconds, cpu, accuracy, supportVectors: m.supportIndices.length };
  console.log(JSON.stringify(fit));
}

/** scikit-learn's side of the MNIST workload, reading the same idx files (pixels / 255 in float32, as ours). */
const SKLEARN_MNIST = `
import sys, time, numpy as np
from sklearn.svm import SVC
d, n = sys.argv[1], int(sys.argv[2])
def images(name, count):
    raw = np.fromfile(f"{d}/{name}", dtype=np.uint8, offset=16)[:count * 784]
    return (raw.astype(np.float32) / np.float32(255)).astype(np.float64).reshape(count, 784)
labels = lambda name, count: np.fromfile(f"{d}/{name}", dtype=np.uint8, offset=8)[:count]
X, y = images("train-images-idx3-ubyte", n), labels("train-labels-idx1-ubyte", n)
Xt, yt = images("t10k-images-idx3-ubyte", 10000), labels("t10k-labels-idx1-ubyte", 10000)
t, c = time.perf_counter(), time.process_time()
m = SVC(C=${MNIST.C}, kernel="rbf", gamma=${MNIST.gamma}, tol=${MNIST.tol}, cache_size=200).fit(X, y)
seconds, cpu = time.perf_counter() - t, time.process_time() - c
acc = float((m.predict(Xt) == yt).mean())
print('{"seconds": %r, "cpu": %r, "accuracy": %r, "supportVectors": %d}' % (seconds, cpu, acc, len(m.support_)))
`;

/**
 * scikit-learn's side: a first fit after the imports and the data, then a second one, as ours.
 * OpenBLAS gets one thread: LIBSVM does not use it, but the dual objective's matrix product after
 * the first fit left its worker threads spinning through the second, doubling that fit's CPU time.
 */
const SKLEARN = `
import os
os.environ["OPENBLAS_NUM_THREADS"] = "1"
import json, resource, sys, time, numpy as np
from sklearn.svm import SVC
buf = np.fromfile(sys.argv[1], dtype="<f8"); n = buf.size // 11
X = buf[:10 * n].reshape(n, 10).copy(); y = buf[10 * n:].copy()
def fit():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t, c = time.perf_counter(), time.process_time()
    m = SVC(C=1, kernel="rbf", gamma=0.1, tol=1e-3, cache_size=200).fit(X, y)
    seconds, cpu = time.perf_counter() - t, time.process_time() - c
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sv, c = m.support_vectors_, m.dual_coef_[0]
    d2 = (sv * sv).sum(1)[:, None] + (sv * sv).sum(1)[None, :] - 2 * sv @ sv.T
    dual = np.abs(c).sum() - 0.5 * c @ np.exp(-0.1 * np.maximum(d2, 0)) @ c
    return {"seconds": seconds, "cpu": cpu, "peakMiB": peak, "fitMiB": peak - before,
            "dual": float(dual), "supportVectors": len(sv)}
cold = fit()
print(json.dumps({"cold": cold, "warm": fit()}))
`;

/** `v` seconds, in ms below one second. */
function secs(v: number): string {
  return v < 1 ? `${(v * 1e3).toFixed(1)} ms` : `${v.toFixed(2)} s`;
}

/** The range of `vs` (one value when they agree to the digits shown), each by `fmt`. */
function range(vs: number[], fmt: (v: number) => string): string {
  const lo = fmt(Math.min(...vs)), hi = fmt(Math.max(...vs));
  return lo === hi ? lo : `${lo} – ${hi}`;
}

/** Wall and CPU time of some fits, each as its range over the rounds. */
function timeCell(fits: Fit[]): string {
  if (fits.length === 0) return "-";
  return `${range(fits.map((f) => f.seconds), secs)} (cpu ${range(fits.map((f) => f.cpu), secs)})`;
}

/** Per round the ratio a / b of wall and of CPU time, each as its range over the rounds. */
function ratioCell(a: Fit[], b: Fit[]): string {
  if (a.length === 0 || a.length !== b.length) return "-";
  const x = (v: number) => `${v.toFixed(2)}x`;
  return `${range(a.map((f, r) => f.seconds / b[r].seconds), x)} (cpu ${
    range(a.map((f, r) => f.cpu / b[r].cpu), x)
  })`;
}

async function main(): Promise<void> {
  const { values: flags } = parseArgs({
    args: commandArgs(),
    options: {
      sizes: { type: "string", default: "500,1000,2000,5000,20000" },
      rounds: { type: "string" },
      "qp-max": { type: "string", default: "20000" },
      mnist: { type: "string", default: "10000" },
      child: { type: "string" },
      file: { type: "string" },
      warm: { type: "boolean", default: false },
    },
  });
  const mnist = Number(flags.mnist);
  if (flags.child === "mnist") return await mnistChild(mnist);
  if (flags.child) return child(flags.file!, flags.child as "smo" | "quadprog", flags.warm);
  const sizes = flags.sizes.split(",").map(Number), qpMax = Number(flags["qp-max"]);
  const rounds = intFlag("rounds", flags.rounds, 1, 3);
  if (!Number.isInteger(mnist) || mnist < 0 || mnist > 60000) {
    throw new RangeError(`--mnist must be an integer in [0, 60000], got ${flags.mnist}`);
  }
  if (sizes.some((n) => !Number.isInteger(n) || n < 10) || !(qpMax >= 0)) {
    throw new RangeError(
      `--sizes must be integers >= 10 and --qp-max a number >= 0, got ${flags.sizes}, ${
        flags["qp-max"]
      }`,
    );
  }
  const python = await findPython("sklearn");
  console.error(python ? `scikit-learn found (${python})` : "scikit-learn not installed");
  const self = ["run", "-A", new URL(import.meta.url).pathname];
  const cell = (f: Fit) =>
    `${secs(f.seconds)} (cpu ${secs(f.cpu)}) / ${f.peakMiB.toFixed(0)} (+${
      f.fitMiB.toFixed(0)
    }) MiB`;
  const rel = (a: Fit | undefined, b: Fit | undefined) =>
    a && b ? (Math.abs(a.dual - b.dual) / Math.abs(b.dual)).toExponential(1) : "-";
  // Per size: every round's SMO and scikit-learn fits, cold and warm; quadprog's first-round fit.
  const runs = sizes.map(() => ({ smo: [] as Fits[], sk: [] as Fits[], qp: [] as Fit[] }));
  const files = await Promise.all(sizes.map(() => Deno.makeTempFile({ suffix: ".f64" })));
  try {
    for (const [s, n] of sizes.entries()) {
      await Deno.writeFile(files[s], new Uint8Array(data(n).buffer));
    }
    for (let r = 0; r < rounds; r++) {
      for (const [s, n] of sizes.entries()) {
        const file = files[s], got = runs[s];
        const ours = async () => {
          const f = await runJson<Fits>(Deno.execPath(), [
            ...self,
            "--child",
            "smo",
            "--warm",
            "--file",
            file,
          ]);
          got.smo.push(f);
          console.error(`round ${r + 1}, n = ${n}: SMO ${cell(f.cold)}, warm ${cell(f.warm!)}`);
        };
        const theirs = async () => {
          if (!python) return;
          const f = await runJson<Fits>(python, ["-c", SKLEARN, file]);
          got.sk.push(f);
          console.error(`round ${r + 1}, n = ${n}: sklearn ${cell(f.cold)}, warm ${cell(f.warm!)}`);
        };
        // Alternate who goes first, so that neither always meets the same phase of the load.
        if (r % 2 === 0) (await ours(), await theirs());
        else (await theirs(), await ours());
        if (r === 0 && n <= qpMax) {
          const f = await runJson<Fits>(Deno.execPath(), [
            ...self,
            "--child",
            "quadprog",
            "--file",
            file,
          ]);
          got.qp.push(f.cold);
          console.error(`n = ${n}: quadprog ${cell(f.cold)}`);
        }
      }
    }
  } finally {
    for (const file of files) await Deno.remove(file);
  }
  console.log(
    `\nCold: a fresh process's first fit; warm: its second fit of the same data. Ranges over ` +
      `${rounds} round(s), SMO and scikit-learn alternating; ratios per round.`,
  );
  console.log(
    "| n | SVs | quadprog (cold) | SMO cold | SMO warm | sklearn cold | sklearn warm | " +
      "SMO / sklearn cold | SMO / sklearn warm | peak RSS (+fit) MiB: SMO, sklearn | " +
      "Δdual SMO vs QP | Δdual SMO vs sklearn |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const [s, n] of sizes.entries()) {
    const { smo, sk, qp } = runs[s];
    const cold = smo.map((f) => f.cold), warm = smo.map((f) => f.warm!);
    const skCold = sk.map((f) => f.cold), skWarm = sk.map((f) => f.warm!);
    const mem = (f: Fit | undefined) =>
      f ? `${f.peakMiB.toFixed(0)} (+${f.fitMiB.toFixed(0)})` : "-";
    const row = [
      n,
      cold[0].supportVectors,
      timeCell(qp),
      timeCell(cold),
      timeCell(warm),
      python ? timeCell(skCold) : "not installed",
      timeCell(skWarm),
      ratioCell(cold, skCold),
      ratioCell(warm, skWarm),
      `${mem(cold[0])}, ${mem(skCold[0])}`,
      rel(cold[0], qp[0]),
      rel(cold[0], skCold[0]),
    ];
    console.log(`| ${row.join(" | ")} |`);
  }
  if (mnist > 0) {
    const ours = await runJson<MnistFit>(Deno.execPath(), [
      ...self,
      "--child",
      "mnist",
      "--mnist",
      `${mnist}`,
    ]);
    console.error(`MNIST ${mnist}: convgrad ${JSON.stringify(ours)}`);
    const sk = python
      ? await runJson<MnistFit>(python, ["-c", SKLEARN_MNIST, mnistDir(), `${mnist}`])
      : null;
    if (sk) console.error(`MNIST ${mnist}: scikit-learn ${JSON.stringify(sk)}`);
    const row = (name: string, f: MnistFit) =>
      `| ${name} | ${f.seconds.toFixed(1)} s (cpu ${f.cpu.toFixed(1)} s) | ${
        (100 * f.accuracy).toFixed(2)
      }% | ${f.supportVectors} |`;
    console.log(
      `\nMNIST, rbf (C = ${MNIST.C}, γ = ${MNIST.gamma}), ${mnist} training images, 10k test:`,
    );
    console.log("| library | fit | test accuracy | support vectors |\n|---|---|---|---|");
    console.log(row("convgrad (SMO)", ours));
    if (sk) {
      console.log(row("scikit-learn SVC", sk));
      console.log(
        `fit time ratio ${(ours.seconds / sk.seconds).toFixed(2)}x (cpu ${
          (ours.cpu / sk.cpu).toFixed(2)
        }x), accuracy difference ` +
          `${(100 * (ours.accuracy - sk.accuracy)).toFixed(2)} points`,
      );
    }
  }
}

if (import.meta.main) await runMain("bench:svm", main);
