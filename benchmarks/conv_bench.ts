/**
 * Ours vs stock `tf.conv2d`, same run, same backend: forward and forward+backward (dX and dK) of
 * the MNIST CNN's conv layer and a mid-network 3x3 layer. Stock works on NHWC copies of the same
 * data; stock wasm has no `Conv2DBackpropFilter`, so its backward is reported as missing.
 *
 *   deno task bench [--backends wasm,cpu] [--reps N]
 *
 * Ours and stock run in turns, round after round, so load changes hit both alike. Stock cpu's
 * backward takes tens of seconds per call on these shapes, so it runs once, apart.
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { type BackendName, filt, setBackend } from "@convgrad/ops";
import { commandArgs, textTable } from "@convgrad/base";

const { values: flags } = parseArgs({
  args: commandArgs(),
  options: { backends: { type: "string", default: "wasm" }, reps: { type: "string" } },
});

const SHAPES: [[number, number, number, number], [number, number, number, number]][] = [
  [[50, 1, 28, 28], [32, 1, 7, 7]],
  [[32, 64, 14, 14], [64, 64, 3, 3]],
];

/**
 * Median milliseconds of each function, which must block until its results exist. The functions
 * run in turns, round after round, so a change in machine load hits them all alike.
 */
function timeInterleaved(fs: (() => void)[], reps: number, warmUp = true): number[] {
  if (warmUp) fs.forEach((f) => f());
  const t: number[][] = fs.map(() => []);
  for (let i = 0; i < reps; i++) {
    fs.forEach((f, j) => {
      const t0 = performance.now();
      f();
      t[j].push(performance.now() - t0);
    });
  }
  return t.map((v) => v.sort((a, b) => a - b)[Math.floor(reps / 2)]);
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
  for (const [xs, ks] of SHAPES) {
    const x = tf.randomNormal(xs) as tf.Tensor4D, k = tf.randomNormal(ks) as tf.Tensor4D;
    const xh = x.transpose([0, 2, 3, 1]) as tf.Tensor4D,
      kh = k.transpose([2, 3, 1, 0]) as tf.Tensor4D;
    // Gradients of the conv itself for a given dY (no loss op between), as a layer sees them.
    const dy = filt(x, k).onesLike(), dyh = dy.transpose([0, 2, 3, 1]);
    const oursGrad = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      filt(a as tf.Tensor4D, b as tf.Tensor4D)
    );
    const stockGrad = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "valid")
    );
    const ours = [run(() => [filt(x, k)]), run(() => oursGrad([x, k], dy))];
    const stock = [run(() => [tf.conv2d(xh, kh, 1, "valid")]), run(() => stockGrad([xh, kh], dyh))];
    let stockB = NaN;
    try {
      stock[1]();
    } catch (e) {
      if (!/not registered/.test(String(e))) throw e;
      stock.pop();
    }
    // Stock cpu's backward is tens of seconds: time it once, apart.
    if (backend === "cpu" && stock.length === 2) {
      stockB = timeInterleaved([stock.pop()!], 1, false)[0];
    }
    const [oursF, oursB, stockF, stockB2] = timeInterleaved([...ours, ...stock], reps);
    if (stockB2 !== undefined) stockB = stockB2;
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
    tf.dispose([x, k, xh, kh, dy, dyh]);
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
console.log(textTable(head, rows));
console.log("targets (wasm): fwd ours/stock <= 1.1x; (fwd+bwd)/fwd <= 3x");
