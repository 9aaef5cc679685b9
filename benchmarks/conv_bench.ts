/**
 * Ours vs stock `tf.conv2d`, same run, same backend: forward and forward+backward (dX and dK) of
 * the MNIST CNN's conv layer and a mid-network 3x3 layer. Stock works on NHWC copies of the same
 * data; stock wasm has no `Conv2DBackpropFilter`, so its backward is reported as missing.
 *
 *   deno task bench [--backends wasm,cpu] [--reps N]
 *
 * Stock cpu's backward takes tens of seconds per call on these shapes, so on cpu each stock
 * measurement runs once.
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { type BackendName, filt, setBackend } from "../packages/ops/mod.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: { backends: { type: "string", default: "wasm" }, reps: { type: "string" } },
});

const SHAPES: [number[], number[]][] = [
  [[50, 1, 28, 28], [32, 1, 7, 7]],
  [[32, 64, 14, 14], [64, 64, 3, 3]],
];

/** Median milliseconds of `f`, which must block until its results exist. */
function time(f: () => void, reps: number, warmUp = true): number {
  if (warmUp) f();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[Math.floor(reps / 2)];
}

/** Runs `f` in a tidy, then waits for every tensor it returned. */
function run(f: () => tf.Tensor[]): () => void {
  return () => {
    const ts = tf.tidy(f);
    for (const t of ts) t.dataSync();
    tf.dispose(ts);
  };
}

const rows: string[][] = [];
for (const backend of flags.backends.split(",") as BackendName[]) {
  await setBackend(backend);
  const reps = Number(flags.reps ?? (backend === "cpu" ? 3 : 20));
  const stockReps = backend === "cpu" ? 1 : reps;
  for (const [xs, ks] of SHAPES) {
    const x = tf.randomNormal(xs) as tf.Tensor4D, k = tf.randomNormal(ks) as tf.Tensor4D;
    const xh = x.transpose([0, 2, 3, 1]) as tf.Tensor4D,
      kh = k.transpose([2, 3, 1, 0]) as tf.Tensor4D;
    const oursGrad = tf.grads((a: tf.Tensor4D, b: tf.Tensor4D) => filt(a, b).sum());
    const stockGrad = tf.grads((a: tf.Tensor4D, b: tf.Tensor4D) =>
      tf.conv2d(a, b, 1, "valid").sum()
    );
    const oursF = time(run(() => [filt(x, k)]), reps);
    const stockF = time(run(() => [tf.conv2d(xh, kh, 1, "valid")]), stockReps);
    const oursB = time(run(() => oursGrad([x, k])), reps);
    let stockB = NaN;
    try {
      stockB = time(run(() => stockGrad([xh, kh])), stockReps, backend !== "cpu");
    } catch (e) {
      if (!/not registered/.test(String(e))) throw e;
    }
    const f = (v: number) => (Number.isNaN(v) ? "n/a" : v.toFixed(2));
    rows.push([
      backend,
      `[${xs}]*[${ks}]`,
      f(oursF),
      f(stockF),
      (oursF / stockF).toFixed(2) + "x",
      f(oursB),
      Number.isNaN(stockB) ? "not registered" : f(stockB),
      (oursB / oursF).toFixed(2) + "x",
    ]);
    tf.dispose([x, k, xh, kh]);
  }
}

const head = [
  "backend",
  "shape x*k",
  "ours fwd ms",
  "stock fwd ms",
  "fwd ours/stock",
  "ours fwd+bwd ms",
  "stock fwd+bwd ms",
  "ours (fwd+bwd)/fwd",
];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join(" | ");
console.log(line(head));
console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
for (const r of rows) console.log(line(r));
console.log("targets (wasm): fwd ours/stock <= 1.1x; (fwd+bwd)/fwd <= 3x");
