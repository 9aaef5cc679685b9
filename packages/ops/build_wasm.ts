/**
 * Rebuilds the ops' WebAssembly from its hand-written `.wat` sources with
 * `@convgrad/base/wasm-build`, byte for byte: `deno task build:wasm`; `--check` only verifies the
 * committed outputs (exit 1 if stale).
 *
 * @module
 */
import { buildWasm, type WasmModuleSpec } from "@convgrad/base/wasm-build";

/** Every module of ours, paths relative to `packages/ops/`. */
export const MODULES: WasmModuleSpec[] = [
  { wat: "conv/relayout.wat", out: "conv/relayout_wasm.ts" },
  { wat: "conv/patches.wat", out: "conv/patches_wasm.ts" },
  { wat: "conv/winograd.wat", out: "conv/winograd_wasm.ts" },
  { wat: "conv/dk_direct.wat", out: "conv/dk_direct_wasm.ts" },
  { wat: "conv/filt_direct.wat", out: "conv/filt_direct_wasm.ts" },
  { wat: "binary/binary_conv.wat", out: "binary/binary_conv_wasm.ts" },
  { wat: "pool/max_pool.wat", out: "pool/max_pool_wasm.ts" },
  { wat: "adam/adam.wat", out: "adam/adam_wasm.ts" },
  { wat: "matmul/gemm.wat", out: "matmul/gemm_wasm.ts" },
  { wat: "stock/depthwise.wat", out: "stock/depthwise_wasm.ts" },
];

/** This script, as the generated files name it. */
export const BUILDER = "packages/ops/build_wasm.ts";

if (import.meta.main) {
  const fresh = await buildWasm(
    new URL("./", import.meta.url),
    BUILDER,
    MODULES,
    Deno.args.includes("--check"),
  );
  if (!fresh) Deno.exit(1);
}
