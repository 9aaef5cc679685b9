/**
 * Rebuilds the package's WebAssembly from its `.wat` sources: `deno task build:wasm:svm`;
 * `--check` only verifies the committed outputs (exit 1 if stale).
 *
 * @module
 */
import { buildWasm, type WasmModuleSpec } from "@convgrad/base/wasm-build";

/** The package's modules. */
export const MODULES: WasmModuleSpec[] = [{ wat: "kernel.wat", out: "kernel_wasm.ts" }];

if (import.meta.main) {
  const ok = await buildWasm(
    new URL("./", import.meta.url),
    "packages/svm/build_wasm.ts",
    MODULES,
    Deno.args.includes("--check"),
  );
  if (!ok) Deno.exit(1);
}
