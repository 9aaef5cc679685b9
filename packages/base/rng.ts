/**
 * A small deterministic PRNG (mulberry32): the same seed gives the same stream everywhere.
 *
 * @example
 * ```ts
 * import { createRng } from "@convgrad/base";
 * const rand = createRng(42);
 * rand(); // in [0, 1)
 * ```
 */
export function createRng(seed: number): () => number {
  if (!Number.isInteger(seed)) {
    throw new TypeError(`createRng: seed must be an integer, got ${seed}`);
  }
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
