/**
 * Ours vs stock `tf.conv2d` inside headless Chromium, same page, same shapes as `conv_bench.ts`:
 * forward and forward+backward (dX and dK) on webgl and wasm, with ratios. Stock works on NHWC
 * copies of the same data. WebGL here is SwiftShader (software), so compare ratios, not times.
 *
 *   deno task bench:browser [--backends webgl,wasm] [--reps N]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { withPage } from "@convgrad/browser";
import { wasmBinaries } from "@convgrad/ops";
import type { BenchArgs, BenchRow } from "./browser_bench_page.ts";
import { commandArgs, textTable } from "@convgrad/base";

const { values: flags } = parseArgs({
  args: commandArgs(),
  options: {
    backends: { type: "string", default: "webgl,wasm" },
    reps: { type: "string", default: "5" },
  },
});

const args: BenchArgs = {
  backends: flags.backends.split(",") as BenchArgs["backends"],
  shapes: [
    [[50, 1, 28, 28], [32, 1, 7, 7]],
    [[32, 64, 14, 14], [64, 64, 3, 3]],
  ],
  reps: Number(flags.reps),
};

const rows = await withPage(
  new URL("./browser_bench_page.ts", import.meta.url),
  (page) => page.call<BenchRow[]>("bench", args),
  { callTimeoutMs: 1_800_000, files: await wasmBinaries() },
);

const ms = (v: number | null) => (v === null ? "n/a" : v.toFixed(1));
const ratio = (a: number, b: number | null) => (b === null ? "n/a" : `${(a / b).toFixed(2)}x`);
const head = [
  "backend",
  "shape x*k",
  "ours fwd ms",
  "stock fwd ms",
  "fwd ours/stock",
  "ours fwd+bwd ms",
  "stock fwd+bwd ms",
  "fwd+bwd ours/stock",
];
const body = rows.map((r) => [
  r.backend,
  r.shape,
  ms(r.oursFwd),
  ms(r.stockFwd),
  ratio(r.oursFwd, r.stockFwd),
  ms(r.oursFwdBwd),
  r.stockFwdBwd === null ? "n/a (no stock dK)" : ms(r.stockFwdBwd),
  ratio(r.oursFwdBwd, r.stockFwdBwd),
]);
console.log(textTable(head, body));
console.log(`median of ${args.reps} runs each; target: webgl fwd ours/stock <= 1.0x`);
