/**
 * Rebuilds the package's WebAssembly from its `.wat` sources: `deno task build:wasm` (with the ops' modules);
 * `--check` only verifies the committed outputs (exit 1 if stale).
 *
 * @module
 */
import { buildWasm, type WasmModuleSpec } from "@convgrad/base/wasm-build";

/** The package's modules. */
export const MODULES: WasmModuleSpec[] = [{ wat: "kernel.wat", out: "kernel_wasm.ts" }];

/** This script, as the generated files name it. */
export const BUILDER = "packages/svm/build_wasm.ts";

if (import.meta.main) {
  const ok = await buildWasm(
    new URL("./", import.meta.url),
    BUILDER,
    MODULES,
    Deno.args.includes("--check"),
  );
  if (!ok) Deno.exit(1);
}
