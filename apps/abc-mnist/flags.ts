/**
 * The command line of `deno task abc-mnist`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ABC_GRADIENTS, type AbcGradient, type BackendName } from "@convgrad/ops";
import { intFlag as int } from "@convgrad/base";

/** Printed for `--help`. */
export const USAGE = "usage: deno task abc-mnist [--train-limit N] [--test-limit N] [--epochs N] " +
  "[--M 1,3,5] [--N 0,3] [--rules ste,paper_literal,alpha_exact,ste_plus_alpha] " +
  "[--skip-baseline] [--optimizer adam|sgd] [--lr X] [--batch-size N] [--seed N] " +
  "[--backend wasm|cpu] [--out DIR]";

/** The parsed command line. */
export interface Flags {
  trainLimit: number;
  testLimit: number;
  epochs: number;
  Ms: number[];
  Ns: number[];
  rules: AbcGradient[];
  baseline: boolean;
  /** `train`'s optimizer settings. */
  optimizer: { name: "adam" | "sgd"; lr: number };
  batchSize: number;
  seed: number;
  backend: BackendName;
  out: string;
}

function intList(name: string, v: string, min: number): number[] {
  return v.split(",").map((s) => int(name, s, min));
}

/**
 * Parses the command line (see the module docs); throws a RangeError naming the flag on bad
 * values. Returns `null` for `--help`.
 *
 * @example
 * ```ts
 * import { parseFlags } from "./flags.ts";
 * parseFlags(["--M", "1,3", "--rules", "ste"])!.Ms; // [1, 3]
 * ```
 */
export function parseFlags(args: string[]): Flags | null {
  const { values: f } = parseArgs({
    args,
    options: {
      "train-limit": { type: "string", default: "2000" },
      "test-limit": { type: "string", default: "2000" },
      epochs: { type: "string", default: "1" },
      M: { type: "string", default: "1,3,5" },
      N: { type: "string", default: "0,3" },
      rules: { type: "string", default: ABC_GRADIENTS.join(",") },
      "skip-baseline": { type: "boolean", default: false },
      optimizer: { type: "string", default: "adam" },
      lr: { type: "string" },
      "batch-size": { type: "string", default: "50" },
      seed: { type: "string", default: "0" },
      backend: { type: "string", default: "wasm" },
      out: { type: "string", default: "runs/abc-mnist" },
      help: { type: "boolean", default: false },
    },
  });
  if (f.help) return null;
  const rules = f.rules.split(",").map((r) => {
    if (!ABC_GRADIENTS.includes(r as AbcGradient)) {
      throw new RangeError(`--rules: each must be one of ${ABC_GRADIENTS.join(", ")}, got ${r}`);
    }
    return r as AbcGradient;
  });
  if (f.optimizer !== "adam" && f.optimizer !== "sgd") {
    throw new RangeError(`--optimizer must be adam or sgd, got ${f.optimizer}`);
  }
  const lr = f.lr === undefined ? (f.optimizer === "adam" ? 1e-3 : 0.05) : Number(f.lr);
  if (!(lr > 0)) throw new RangeError(`--lr must be a number > 0, got ${f.lr}`);
  if (f.backend !== "wasm" && f.backend !== "cpu") {
    throw new RangeError(`--backend must be wasm or cpu, got ${f.backend}`);
  }
  return {
    trainLimit: int("train-limit", f["train-limit"], 1),
    testLimit: int("test-limit", f["test-limit"], 1),
    epochs: int("epochs", f.epochs, 1),
    Ms: intList("M", f.M, 1),
    Ns: intList("N", f.N, 0),
    rules,
    baseline: !f["skip-baseline"],
    optimizer: { name: f.optimizer, lr },
    batchSize: int("batch-size", f["batch-size"], 1),
    seed: int("seed", f.seed, 0),
    backend: f.backend,
    out: f.out,
  };
}
