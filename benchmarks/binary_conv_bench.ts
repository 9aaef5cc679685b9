/**
 * Binary XNOR-popcount convolution vs float convolution, same run, same backend, batch 1:
 * `binaryConv2dPacked` (weights packed once, as a model runs), `binaryConv2d` (packs the weights
 * every call), our float `filt` and stock `tf.conv2d` (NHWC copies of the same data), all with
 * zero padding 1; plus the weight bytes, and what the wasm kernel's copy of x from the backend's
 * heap into our module's memory costs (vs `readSync`). Medians of interleaved rounds, warm.
 *
 *   deno task bench:binary [--backends wasm,cpu] [--reps N]
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import {
  type BackendName,
  binaryConv2d,
  binaryConv2dPacked,
  encodePackedBases,
  filt,
  packBases,
  packSigns,
  setBackend,
} from "@convgrad/ops";
import { commandArgs } from "@convgrad/base";

const { values: flags } = parseArgs({
  args: commandArgs(),
  options: { backends: { type: "string", default: "wasm" }, reps: { type: "string" } },
});

const SHAPES: [number[], number[]][] = [
  [[1, 256, 14, 14], [256, 256, 3, 3]],
  [[1, 64, 56, 56], [64, 64, 3, 3]],
];

/**
 * Median milliseconds of each function, timed in interleaved rounds so that load from other
 * processes falls on all of them alike. In a round each runs twice and the second run is timed:
 * warm caches for all, not only for whichever follows itself. Each must block until its result
 * exists.
 */
function timeAll(fs: Record<string, () => void>, reps: number): Record<string, number> {
  const t: Record<string, number[]> = {};
  for (let r = 0; r < reps; r++) {
    for (const [name, f] of Object.entries(fs)) {
      f();
      const t0 = performance.now();
      f();
      (t[name] ??= []).push(performance.now() - t0);
    }
  }
  return Object.fromEntries(
    Object.entries(t).map(([k, v]) => [k, v.sort((a, b) => a - b)[Math.floor(v.length / 2)]]),
  );
}

/**
 * Runs `f` and frees its result. On `wasm` and `cpu` every kernel runs synchronously, so the result
 * exists when `f` returns; reading it back would add the same copy to every row.
 */
function run(f: () => tf.Tensor): () => void {
  return () => f().dispose();
}

interface WasmHeap {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  readSync(dataId: object): Float32Array;
}

const ms = (v: number) => v.toFixed(3);
const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const table: string[][] = [];
const copies: string[][] = [];
for (const backend of flags.backends.split(",") as BackendName[]) {
  await setBackend(backend);
  const reps = Number(flags.reps ?? (backend === "cpu" ? 3 : 30));
  for (const [xs, ws] of SHAPES) {
    console.error(`${backend} [${xs}]*[${ws}] …`);
    const x = tf.randomNormal(xs, 0, 1, "float32", 1).sign() as tf.Tensor4D; // [N,C,H,W]
    const w = tf.randomNormal(ws, 0, 1, "float32", 2).sign() as tf.Tensor4D; // [F,C,kh,kw]
    const xh = x.transpose([0, 2, 3, 1]) as tf.Tensor4D; // [N,H,W,C]
    const wh = w.transpose([2, 3, 1, 0]) as tf.Tensor4D; // [kh,kw,C,F]
    const packed = packSigns(w, 1);
    const opts = { pad: 1 };
    const heap = tf.backend() as unknown as WasmHeap;
    const dst = new Float32Array(x.size);
    const t = timeAll({
      packed: run(() => binaryConv2dPacked(x, packed, opts)),
      ones: run(() => binaryConv2dPacked(x, packed, { pad: 1, padValue: 1 })),
      binary: run(() => binaryConv2d(x, w, opts)),
      filt: run(() => filt(x, w, opts)),
      stock: run(() => tf.conv2d(xh, wh, 1, "same")),
      // What the wasm kernel pays to reach x: it copies the heap view into its own memory.
      ...(backend === "wasm"
        ? {
          copy: () => dst.set(heap.typedArrayFromHeap(x)),
          read: () => dst.set(heap.readSync(x.dataId)),
        }
        : {}),
    }, reps);
    const wb = w.expandDims(0);
    const savedBytes = encodePackedBases(packBases({ bases: wb, alpha: [1] })).length;
    wb.dispose();
    table.push([
      backend,
      `[${xs}]*[${ws}]`,
      ms(t.packed),
      ms(t.ones),
      ms(t.binary),
      ms(t.filt),
      ms(t.stock),
      (t.filt / t.packed).toFixed(1) + "x",
      (t.stock / t.packed).toFixed(1) + "x",
      `${kb(w.size * 4)} → ${kb(packed.words.byteLength)} (file ${kb(savedBytes)})`,
    ]);
    if (backend === "wasm") {
      copies.push([`[${xs}]`, kb(x.size * 4), ms(t.copy), ms(t.read), ms(t.packed)]);
    }
    tf.dispose([x, w, xh, wh]);
  }
}

const show = (head: string[], rows: string[][]) => {
  console.log(`| ${head.join(" | ")} |`);
  console.log(`| ${head.map(() => "---").join(" | ")} |`);
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
};
show([
  "backend",
  "x*w (pad 1)",
  "binary packed ms",
  "… padValue 1 ms",
  "binary (packs w) ms",
  "float filt ms",
  "tf.conv2d ms",
  "filt / binary",
  "conv2d / binary",
  "weight KiB float → packed",
], table);
if (copies.length > 0) {
  console.log();
  show(["x", "KiB", "copy heap view ms", "readSync + copy ms", "whole binary conv ms"], copies);
}
