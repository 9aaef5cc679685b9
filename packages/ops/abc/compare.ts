/**
 * Which ABC-Net gradient rule is the derivative? Each rule's weight gradient from
 * {@linkcode abcConv2d} against float64 central differences ({@linkcode gradcheck}) and against
 * the exact `P G` over the whole tensor. Shared by the tests and `apps/abc-mnist`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { gradcheck } from "../gradcheck.ts";
import { checkConv } from "../conv/options.ts";
import { filtGradRef, filtRef, fromTensor } from "../conv/reference.ts";
import { ABC_GRADIENTS, abcConv2d, type AbcGradient } from "./abc_conv.ts";
import { checkM } from "./binarize.ts";
import { abcWeightGradRef, abcWeightsRef } from "./reference.ts";

/** Options of {@linkcode compareGradientRules}. */
export interface CompareGradientRulesOptions {
  /** Input shape `[N,C,H,W]`. */
  xShape: [number, number, number, number];
  /** Kernel shape `[F,C,kh,kw]`. */
  wShape: [number, number, number, number];
  /** Number of weight bases. */
  M: number;
  /** filt's stride. Default 1. */
  stride?: number | [number, number];
  /** filt's zero padding. Default 0. */
  pad?: number | [number, number];
  /** Seeds x, w (standard normal) and the checks. Default 0. */
  seed?: number;
  /** Entries per input that gradcheck perturbs. Default 64. */
  samples?: number;
}

/** How one rule's weight gradient compares with the derivative. */
export interface GradientRuleCheck {
  /** The rule checked. */
  rule: AbcGradient;
  /** gradcheck's worst relative error of ∂/∂w against float64 central differences. */
  weightRelError: number;
  /** The same for ∂/∂x (filt's input gradient through Ŵ, under every rule). */
  inputRelError: number;
  /** `weightRelError <= 1e-3`: the rule is the derivative. */
  matchesFiniteDifferences: boolean;
  /** `‖g − P G‖ / ‖P G‖` over the whole kernel, `P G` the exact derivative in float64. */
  relDistance: number;
  /** Cosine of the angle between `g` and `P G`. */
  cosine: number;
  /** `‖g‖ / ‖P G‖`. */
  normRatio: number;
}

const TOLERANCE = 1e-3;

/**
 * Runs every rule of {@linkcode ABC_GRADIENTS} at one random point (x, w standard normal) and
 * reports how far its weight gradient is from the derivative.
 *
 * @example
 * ```ts
 * import { compareGradientRules, setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const rows = compareGradientRules({ xShape: [2, 2, 6, 6], wShape: [3, 2, 3, 3], M: 3 });
 * console.table(rows); // only alpha_exact has matchesFiniteDifferences: true
 * ```
 */
export function compareGradientRules(opts: CompareGradientRulesOptions): GradientRuleCheck[] {
  const op = "compareGradientRules";
  if (opts === null || typeof opts !== "object") {
    throw new TypeError(`${op}: options must be an object, got ${JSON.stringify(opts)}`);
  }
  const { xShape, wShape, seed = 0, samples = 64 } = opts;
  for (const [name, s] of [["xShape", xShape], ["wShape", wShape]] as const) {
    if (!Array.isArray(s) || s.length !== 4 || !s.every((d) => Number.isInteger(d) && d > 0)) {
      throw new RangeError(`${op}: ${name} must be 4 positive integers, got ${JSON.stringify(s)}`);
    }
  }
  const M = checkM(op, opts.M);
  return tf.tidy(() => {
    // tf.randomNormal takes seed 0 for "no seed": offset every seed by one.
    const x = tf.randomNormal(xShape, 0, 1, "float32", seed + 1) as tf.Tensor4D;
    const w = tf.randomNormal(wShape, 0, 1, "float32", seed + 2) as tf.Tensor4D;
    const attrs = checkConv(op, x, w, opts);
    const x64 = fromTensor(x), w64 = fromTensor(w);
    const reference = ([xs, ws]: Float64Array[]) =>
      filtRef({ data: xs, shape: xShape }, { data: abcWeightsRef(ws, M), shape: wShape }, attrs)
        .data;
    const wHat = { data: abcWeightsRef(w64.data, M), shape: wShape };
    const yShape = filtRef(x64, wHat, attrs).shape;
    const dy = tf.randomNormal(yShape, 0, 1, "float32", seed + 3);
    const G = filtGradRef(x64, wHat, fromTensor(dy), attrs).dk.data;
    const exact = abcWeightGradRef(w64.data, G, M, "alpha_exact");
    const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, e) => s + e * e, 0));
    const rows = ABC_GRADIENTS.map((rule) => {
      const f = (x: tf.Tensor, w: tf.Tensor) =>
        abcConv2d(x as tf.Tensor4D, w as tf.Tensor4D, { ...attrs, M, gradient: rule });
      const r = gradcheck(f, [x, w], { reference, seed, samples, tolerance: TOLERANCE });
      const gw = tf.grad((w) => f(x, w).mul(dy).sum())(w).dataSync();
      let dot = 0;
      gw.forEach((g, i) => (dot += g * exact[i]));
      const e = norm(exact), g = norm(gw);
      return {
        rule,
        weightRelError: r.perInput[1].maxRelError,
        inputRelError: r.perInput[0].maxRelError,
        matchesFiniteDifferences: r.perInput[1].maxRelError <= TOLERANCE,
        relDistance: norm(Array.from(gw, (v, i) => v - exact[i])) / e,
        cosine: dot / (g * e),
        normRatio: g / e,
      };
    });
    return rows;
  });
}
