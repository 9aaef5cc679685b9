/**
 * SVM fit time and peak memory: the dense QP (quadprog) and SMO, rbf kernel (C = 1, γ = 0.1) on
 * the synthetic 10-D data, x ~ N(0, I₁₀), y = sign(sin(2x₀) + x₁² − 1 + 0.3ε). SMO stops
 * at LIBSVM's default tolerance (1e-3); the QP is solved to its KKT point. When scikit-learn is
 * installed (`python3 -c "import sklearn"`, or Debian's `python3-sklearn` under
 * /usr/bin/python3), its SVC (LIBSVM, same C, γ, tolerance and a 200 MB cache) fits the same
 * data in the same run and the table shows SMO's time over LIBSVM's.
 *
 * Each fit runs in a fresh process, so that its peak resident memory (Linux's VmHWM) is its own.
 * The dense QP runs up to n = 1000 unless `--qp-max` says more: quadprog's active-set loop adds one
 * bound per iteration at O(n²) each, measured here at 6 s for n = 500, 90 s for n = 1000 and
 * 22 min for n = 2000.
 *
 *   deno task bench:svm [--sizes 500,1000,2000,5000,20000] [--qp-max 1000]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { findPython } from "./python.ts";
import { commandArgs, createRng, runMain } from "@convgrad/base";
import { fitSVM } from "@convgrad/svm";

/** One fit's measurements. */
interface Fit {
  seconds: number;
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

/** Peak resident memory of this process in MiB (VmHWM), or the current one where /proc is absent. */
function peakMiB(): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"))?.[1];
    if (kb) return Number(kb) / 1024;
  } catch { /* not Linux */ }
  return Deno.memoryUsage().rss / 2 ** 20;
}

/** Child mode: fit the data in `file` with `solver`, print a {@link Fit} as JSON. */
function child(file: string, solver: "smo" | "quadprog"): void {
  const buf = new Float64Array(Deno.readFileSync(file).buffer), n = buf.length / 11;
  const X = Array.from({ length: n }, (_, i) => buf.subarray(10 * i, 10 * i + 10));
  const y = buf.subarray(10 * n);
  const before = Deno.memoryUsage().rss / 2 ** 20, t0 = performance.now();
  const m = fitSVM(X, y, { kernel: "rbf", C: 1, gamma: 0.1, solver, tol: 1e-3 });
  const seconds = (performance.now() - t0) / 1000, peak = peakMiB();
  const fit: Fit = {
    seconds,
    peakMiB: peak,
    fitMiB: peak - before,
    dual: m.dualObjective,
    supportVectors: m.supportIndices.length,
  };
  console.log(JSON.stringify(fit));
}

const SKLEARN = `
import resource, sys, time, numpy as np
from sklearn.svm import SVC
buf = np.fromfile(sys.argv[1], dtype="<f8"); n = buf.size // 11
X = buf[:10 * n].reshape(n, 10).copy(); y = buf[10 * n:].copy()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t = time.perf_counter()
m = SVC(C=1, kernel="rbf", gamma=0.1, tol=1e-3, cache_size=200).fit(X, y)
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
sv, c = m.support_vectors_, m.dual_coef_[0]
d2 = (sv * sv).sum(1)[:, None] + (sv * sv).sum(1)[None, :] - 2 * sv @ sv.T
dual = np.abs(c).sum() - 0.5 * c @ np.exp(-0.1 * np.maximum(d2, 0)) @ c
print('{"seconds": %r, "peakMiB": %r, "fitMiB": %r, "dual": %r, "supportVectors": %d}'
      % (seconds, peak, peak - before, float(dual), len(sv)))
`;

/** Runs one fit in a fresh process and parses its last output line. */
async function run(cmd: string, args: string[]): Promise<Fit> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(`${cmd} ${args[0]} failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return JSON.parse(text.split("\n").at(-1)!) as Fit;
}

async function main(): Promise<void> {
  const { values: flags } = parseArgs({
    args: commandArgs(),
    options: {
      sizes: { type: "string", default: "500,1000,2000,5000,20000" },
      "qp-max": { type: "string", default: "1000" },
      child: { type: "string" },
      file: { type: "string" },
    },
  });
  if (flags.child) return child(flags.file!, flags.child as "smo" | "quadprog");
  const sizes = flags.sizes.split(",").map(Number), qpMax = Number(flags["qp-max"]);
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
  const cell = (f: Fit | null) =>
    f ? `${f.seconds.toFixed(2)} s / ${f.peakMiB.toFixed(0)} (+${f.fitMiB.toFixed(0)}) MiB` : "-";
  const rel = (a: Fit | null, b: Fit | null) =>
    a && b ? (Math.abs(a.dual - b.dual) / Math.abs(b.dual)).toExponential(1) : "-";
  const rows: string[] = [];
  for (const n of sizes) {
    const file = await Deno.makeTempFile({ suffix: ".f64" });
    try {
      await Deno.writeFile(file, new Uint8Array(data(n).buffer));
      const smo = await run(Deno.execPath(), [...self, "--child", "smo", "--file", file]);
      console.error(`n = ${n}: SMO ${cell(smo)}`);
      let qp: Fit | null = null, sk: Fit | null = null;
      if (n <= qpMax) {
        qp = await run(Deno.execPath(), [...self, "--child", "quadprog", "--file", file]);
        console.error(`n = ${n}: quadprog ${cell(qp)}`);
      }
      if (python) {
        sk = await run(python, ["-c", SKLEARN, file]);
        console.error(`n = ${n}: scikit-learn ${cell(sk)}`);
      }
      rows.push(
        [
          n,
          smo.supportVectors,
          cell(qp),
          cell(smo),
          python ? cell(sk) : "not installed",
          sk ? `${(smo.seconds / sk.seconds).toFixed(2)}x` : "-",
          rel(smo, qp),
          rel(smo, sk),
        ].join(" | "),
      );
    } finally {
      await Deno.remove(file);
    }
  }
  console.log(
    "\n| n | SVs | quadprog (time / peak RSS (+fit)) | SMO | scikit-learn SVC | SMO / sklearn | " +
      "Δdual SMO vs QP | Δdual SMO vs sklearn |",
  );
  console.log("|---|---|---|---|---|---|---|---|");
  for (const r of rows) console.log(`| ${r} |`);
  console.log(
    "\nanchors (LIBSVM via scikit-learn on this kind of machine): n = 5000 in 0.6 s, " +
      "n = 20000 in 5 s; target SMO within 3x",
  );
}

if (import.meta.main) await runMain("bench:svm", main);
