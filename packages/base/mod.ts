/**
 * convgrad's base layer, which imports nothing of ours: the seeded PRNG every package draws from
 * and the command-line flag parsing of the apps and benchmarks. Test assertions are in
 * `@convgrad/base/testing`; the float comparators alone, which also run in a browser bundle (no
 * `node:` import), in `@convgrad/base/compare`.
 *
 * @example
 * ```ts
 * import { createRng, intFlag } from "@convgrad/base";
 * const rand = createRng(7);
 * const epochs = intFlag("epochs", "3", 1); // 3
 * ```
 *
 * @module
 */
export { createRng } from "./rng.ts";
export { commandArgs, intFlag, runMain } from "./flags.ts";
export { textTable } from "./table.ts";
export { fromBase64 } from "./base64.ts";
