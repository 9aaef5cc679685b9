/**
 * Ours vs stock `tf.conv2d`, same run, same backend: forward and forward+backward (dX and dK) of
 * the MNIST CNN's conv layer and a mid-network 3x3 layer. Stock works on NHWC copies of the same
 * data; on wasm its backward runs on the kernels `@convgrad/ops` registers (stock 4.22 has no
 * `Conv2DBackpropFilter` there).
 *
 * A second table times stock `tf.conv2d` / `tf.depthwiseConv2d` themselves at MobileNetV2 shapes
 * (batch 8, 56x56: the 1x1 expansion 24→144 and projection 144→24, the 3x3 depthwise on 144
 * channels at stride 1 and 2), forward and forward+backward, on wasm with our kernels and on
 * stock cpu, with our NCHW `filt` on the same 1x1 layer beside them.
 *
 *   deno task bench [--backends wasm,cpu] [--reps N] [--mobilenet-only]
 *
 * Ours and stock run in turns, round after round, so load changes hit both alike. Stock cpu's
 * backward takes seconds to tens of seconds per call on these shapes, so it runs once, apart.
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { type BackendName, filt, setBackend } from "@convgrad/ops";
import { commandArgs, textTable } from "@convgrad/base";

const { values: flags } = parseArgs({
  args: commandArgs(),
  options: {
    backends: { type: "string", default: "wasm" },
    reps: { type: "string" },
    "mobilenet-only": { type: "boolean", default: false },
  },
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
  for (const [xs, ks] of flags["mobilenet-only"] ? [] : SHAPES) {
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

type S4 = [number, number, number, number];

/** A stock layer at a MobileNetV2 shape: its forward on x [N,H,W,C] and weights w. */
interface StockLayer {
  name: string;
  x: S4;
  w: S4;
  f: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D;
}

const conv = (s: number) => (x: tf.Tensor4D, w: tf.Tensor4D) => tf.conv2d(x, w, s, "same");
const depthwise = (s: number) => (x: tf.Tensor4D, w: tf.Tensor4D) =>
  tf.depthwiseConv2d(x, w, s, "same");

const MOBILENET: StockLayer[] = [
  { name: "conv2d 1x1 24->144", x: [8, 56, 56, 24], w: [1, 1, 24, 144], f: conv(1) },
  { name: "conv2d 1x1 144->24", x: [8, 56, 56, 144], w: [1, 1, 144, 24], f: conv(1) },
  { name: "depthwise 3x3 s1", x: [8, 56, 56, 144], w: [3, 3, 144, 1], f: depthwise(1) },
  { name: "depthwise 3x3 s2", x: [8, 56, 56, 144], w: [3, 3, 144, 1], f: depthwise(2) },
  { name: "conv2d 3x3 s2 3->32 (Conv1)", x: [8, 112, 112, 3], w: [3, 3, 3, 32], f: conv(2) },
];

/** Median ms of forward and forward+backward (dX and dW for a given dY) of `f`. */
function timeLayer(
  f: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D,
  xs: S4,
  ws: S4,
  reps: number,
): [number, number] {
  const x = tf.randomNormal(xs) as tf.Tensor4D, w = tf.randomNormal(ws, 0, 0.1) as tf.Tensor4D;
  const dy = tf.tidy(() => f(x, w).onesLike());
  const grad = tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a as tf.Tensor4D, b as tf.Tensor4D));
  // tf.grads runs the forward pass itself: one forward and both gradients.
  const fwd = run(() => [f(x, w)]), both = run(() => grad([x, w], dy));
  const t = reps === 1
    ? [...timeInterleaved([fwd], 1), ...timeInterleaved([both], 1)]
    : timeInterleaved([fwd, both], reps);
  tf.dispose([x, w, dy]);
  return t as [number, number];
}

const mobileRows: string[][] = [];
for (const backend of flags.backends.split(",") as BackendName[]) {
  await setBackend(backend);
  const reps = Number(flags.reps ?? (backend === "cpu" ? 1 : 10));
  const f = (v: number) => v.toFixed(1);
  for (const l of MOBILENET) {
    const [fwd, both] = timeLayer(l.f, l.x, l.w, reps);
    mobileRows.push([backend, `stock ${l.name}`, `[${l.x}]`, f(fwd), f(both), `${f(both / fwd)}x`]);
  }
  // Our NCHW filt on the same 1x1 expansion: x [8,24,56,56], k [144,24,1,1].
  const [fwd, both] = timeLayer(
    (x, k) => filt(x, k),
    [8, 24, 56, 56],
    [144, 24, 1, 1],
    reps,
  );
  mobileRows.push([
    backend,
    "ours filt 1x1 24->144 (NCHW)",
    "[8,24,56,56]",
    f(fwd),
    f(both),
    `${f(both / fwd)}x`,
  ]);
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
if (rows.length > 0) {
  console.log(textTable(head, rows));
  console.log("targets (wasm): fwd ours/stock <= 1.1x; (fwd+bwd)/fwd <= 3x\n");
}
console.log("MobileNetV2 shapes, batch 8 (wasm: stock ops on the kernels @convgrad/ops registers)");
console.log(textTable(["backend", "op", "x", "fwd ms", "fwd+bwd ms", "(fwd+bwd)/fwd"], mobileRows));
