/**
 * Parsing of the apps' numeric command-line flags, with errors that name the flag.
 *
 * @module
 */

/**
 * The integer value of flag `--name`, at least `min`; `dflt` when the flag is absent.
 *
 * @example
 * ```ts
 * import { intFlag } from "@convgrad/base";
 * intFlag("epochs", "5", 1); // 5
 * intFlag("epochs", undefined, 1, 3); // 3
 * ```
 */
export function intFlag(name: string, v: string | undefined, min: number, dflt?: number): number {
  if (v === undefined && dflt !== undefined) return dflt;
  const n = Number(v);
  if (v === undefined || v.trim() === "" || !Number.isInteger(n) || n < min) {
    throw new RangeError(`--${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  }
  return n;
}

/**
 * The command line's arguments without a leading `--`: `deno task mnist -- --epochs 1` passes the
 * `--` on, and `parseArgs` would read it as the end of the flags.
 *
 * @example
 * ```ts
 * import { commandArgs } from "@convgrad/base";
 * commandArgs(["--", "--epochs", "1"]); // ["--epochs", "1"]
 * ```
 */
export function commandArgs(args: readonly string[] = Deno.args): string[] {
  return args[0] === "--" ? args.slice(1) : [...args];
}

/**
 * Runs a program's `main` and turns a thrown error into one line on standard error, prefixed by
 * the program's name, and exit status 1: the apps' and benchmarks' entry point.
 *
 * @example
 * ```ts
 * import { runMain } from "@convgrad/base";
 * if (import.meta.main) await runMain("demo", async () => console.log("hello"));
 * ```
 */
export async function runMain(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    console.error(`${name}: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}
