/**
 * The backend-parity suite: every case of `cases.ts` on cpu and wasm under Deno and on cpu, wasm
 * and webgl inside headless Chromium, each compared with the float64 oracle. Prints one table and
 * exits non-zero on any failure (including a backend that does not come up, or no Chromium).
 *
 *   deno task parity
 *
 * @module
 */
import { formatTable, parityCases, type ParityRow, runParity } from "./cases.ts";
import { withPage } from "@convgrad/browser";
import { wasmBinaries } from "@convgrad/ops";

/** The backends each runtime checks. */
export const DENO_BACKENDS = ["cpu", "wasm"] as const;
export const BROWSER_BACKENDS = ["cpu", "wasm", "webgl"] as const;

/**
 * Runs the whole suite and returns its rows; throws if a runtime or backend cannot run it.
 *
 * @example
 * ```ts
 * import { runParitySuite } from "./parity.ts";
 * const rows = await runParitySuite();
 * console.log(rows.filter((r) => !r.pass).length, "failures");
 * ```
 */
export async function runParitySuite(
  log: (line: string) => void = (l) => console.error(l),
): Promise<ParityRow[]> {
  const rows = await runParity(DENO_BACKENDS, "deno", parityCases(), log);
  const browserRows = await withPage(
    new URL("./page.ts", import.meta.url),
    (page) => page.call<ParityRow[]>("parity", { backends: BROWSER_BACKENDS }),
    { onLog: log, files: await wasmBinaries() },
  );
  return [...rows, ...browserRows];
}

if (import.meta.main) {
  try {
    const rows = await runParitySuite();
    console.log(formatTable(rows));
    const failed = rows.filter((r) => !r.pass).length;
    console.log(`\nparity: ${rows.length - failed} passed, ${failed} failed`);
    Deno.exitCode = failed === 0 ? 0 : 1;
  } catch (e) {
    console.error(`parity: ${e instanceof Error ? e.message : e}`);
    Deno.exitCode = 1;
  }
}
