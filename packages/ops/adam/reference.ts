/**
 * The float64 oracle of one Adam step, from the formulas of Kingma & Ba (2015, Algorithm 1) with
 * ε added to the square root of the bias-corrected second moment, as TF.js does.
 *
 * @module
 */
import type { AdamStepOptions } from "./adam_update.ts";

/**
 * `m' = β1·m + (1−β1)·g`, `v' = β2·v + (1−β2)·g²`,
 * `x' = x − lr · (m'/(1−β1^t)) / (√(v'/(1−β2^t)) + ε)`, elementwise in float64.
 *
 * @example
 * ```ts
 * import { adamRef } from "@convgrad/ops/adam-reference";
 * const one = Float64Array.of(1), zero = Float64Array.of(0);
 * adamRef(one, zero, zero, one, {
 *   learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, accBeta1: 0.9, accBeta2: 0.999,
 * }).x; // [0.9000000099999999]
 * ```
 */
export function adamRef(
  x: Float64Array,
  m: Float64Array,
  v: Float64Array,
  g: Float64Array,
  o: AdamStepOptions,
): { x: Float64Array; m: Float64Array; v: Float64Array } {
  if ([m, v, g].some((a) => a.length !== x.length)) {
    throw new RangeError(
      `adamRef: x, m, v and g must have one length, got ${[x, m, v, g].map((a) => a.length)}`,
    );
  }
  const m1 = m.map((mi, i) => o.beta1 * mi + (1 - o.beta1) * g[i]);
  const v1 = v.map((vi, i) => o.beta2 * vi + (1 - o.beta2) * g[i] * g[i]);
  const x1 = x.map((xi, i) =>
    xi -
    o.learningRate * (m1[i] / (1 - o.accBeta1)) / (Math.sqrt(v1[i] / (1 - o.accBeta2)) + o.epsilon)
  );
  return { x: x1, m: m1, v: v1 };
}
