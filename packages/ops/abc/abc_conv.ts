/**
 * ABC-Net's multi-base binarized convolution `O = Σ_m α_m filt(x, B_m)` with every candidate
 * weight-gradient rule, named.
 *
 * By linearity of filt in its kernel, `O = filt(x, Ŵ)` with `Ŵ = Σ_m α_m B_m`, so the op is one
 * float convolution with the binarized-and-rescaled kernel (the bit-packed binary path is a
 * separate op). Write `G = ∂c/∂Ŵ = Σ_n x *filt dO` (the ordinary kernel gradient of filt at Ŵ)
 * and `B = [vec B_1 … vec B_M]` (`n × M`). Then `∂c/∂B_m = α_m G` (α held fixed) and the rules
 * are:
 *
 * | rule | ∂c/∂W | what it is |
 * | --- | --- | --- |
 * | `ste` | `(Σ_m α_m)·G` | `Σ_m ∂c/∂B_m`: α constant, straight-through `∂B_m/∂W = I` (the note's eq. 1; the paper's eq. 7 when its `∂O/∂B_m` already contains α) |
 * | `paper_literal` | `(Σ_m α_m²)·G` | eq. 7 read literally: `Σ_m α_m ∂c/∂B_m`, α applied twice |
 * | `alpha_exact` | `B(BᵀB)⁺Bᵀ vec(G)` | the exact derivative where it exists: B is piecewise constant in W, so `Ŵ = B B⁺ W` is locally the orthogonal projection `P` onto span(B), and `∂c/∂W = P G` |
 * | `ste_plus_alpha` | `(Σ_m α_m)·G + P G` | the note's eq. 2: the product rule through `α(W)` plus the straight-through term |
 *
 * For `alpha_exact`, `∂α/∂W = B⁺` (B fixed), so the note's α term `Σ_m (∂α_m/∂W)⟨G, B_m⟩` is
 * `(B⁺)ᵀBᵀG = B(BᵀB)⁺BᵀG = P G`. Only it equals finite differences (where no entry sits on a
 * threshold); the others are surrogates for training. The input gradient is always the ordinary
 * one through Ŵ: `dx = Σ_f Ŵ[f] *full dO[f]`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { filt } from "../conv/filt.ts";
import { checkConv, type ConvOptions } from "../conv/options.ts";
import { binarize, checkM, checkWeights } from "./binarize.ts";

/** The weight-gradient rules of {@linkcode abcConv2d}, in the order the docs discuss them. */
export const ABC_GRADIENTS = ["ste", "paper_literal", "alpha_exact", "ste_plus_alpha"] as const;

/** One of {@linkcode ABC_GRADIENTS}. */
export type AbcGradient = (typeof ABC_GRADIENTS)[number];

/** Options of {@linkcode abcWeights}. */
export interface AbcWeightsOptions {
  /** Number of weight bases, `>= 1`. */
  M: number;
  /** Which `∂c/∂W` the backward pass returns. Default `'ste'`. */
  gradient?: AbcGradient;
}

/** Options of {@linkcode abcConv2d}: the bases, the rule, and filt's stride and padding. */
export interface AbcConv2dOptions extends AbcWeightsOptions, ConvOptions {}

/** Throws unless `gradient` names a rule; returns it (default `'ste'`). */
export function checkGradient(op: string, gradient: unknown): AbcGradient {
  if (gradient === undefined) return "ste";
  if (!ABC_GRADIENTS.includes(gradient as AbcGradient)) {
    throw new RangeError(
      `${op}: gradient must be one of ${ABC_GRADIENTS.join(", ")}, got ${JSON.stringify(gradient)}`,
    );
  }
  return gradient as AbcGradient;
}

/** What the rules need besides `G`: `Σα`, `Σα²` and the projection `g ↦ P g`. */
interface RuleContext {
  sumAlpha: number;
  sumAlpha2: number;
  project(g: tf.Tensor): tf.Tensor;
}

/** `∂c/∂W` from `G = ∂c/∂Ŵ` under each rule. */
const RULES: Record<AbcGradient, (g: tf.Tensor, c: RuleContext) => tf.Tensor> = {
  ste: (g, c) => g.mul(c.sumAlpha),
  paper_literal: (g, c) => g.mul(c.sumAlpha2),
  alpha_exact: (g, c) => c.project(g),
  ste_plus_alpha: (g, c) => g.mul(c.sumAlpha).add(c.project(g)),
};

function binarizedWeights(op: string, w: tf.Tensor, M: number, rule: AbcGradient): tf.Tensor {
  return tf.customGrad((w, save) => {
    const wt = w as tf.Tensor;
    const b = binarize(op, wt, M);
    const alpha = tf.tensor2d(Float32Array.from(b.alpha), [1, M]);
    const value = tf.matMul(alpha, b.bases).reshape(wt.shape); // Ŵ = Σ_m α_m B_m
    (save as tf.GradSaveFunc)([b.bases, b.bins]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, [bases, bins]: tf.Tensor[]) =>
        RULES[rule](dy, {
          sumAlpha: b.alpha.reduce((s, a) => s + a, 0),
          sumAlpha2: b.alpha.reduce((s, a) => s + a * a, 0),
          // P g = B B⁺ g, with B⁺ g from g's bin sums (see Binarization).
          project: (g) => {
            const sums = tf.matMul(g.reshape([1, g.size]), bins).dataSync(); // [1,M+1]
            const beta = tf.tensor2d(Float32Array.from(b.coefficients(sums)), [1, M]);
            return tf.matMul(beta, bases).reshape(g.shape);
          },
        }),
    };
  })(w);
}

/**
 * The binarized weights `Ŵ = Σ_m α_m B_m` of {@linkcode binarizeWeights}, as a differentiable op
 * whose backward pass is the chosen rule (see the module docs): `ste` `(Σα)·G`, `paper_literal`
 * `(Σα²)·G`, `alpha_exact` `P G`, `ste_plus_alpha` `(Σα)·G + P G`, with `G = ∂c/∂Ŵ`.
 *
 * @param w weights of any shape, float32
 * @returns Ŵ, the shape of `w`
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { abcWeights, setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const w = tf.tensor1d([0.9, -1.1, 0.2, -0.1]);
 * const g = tf.grad((w) => abcWeights(w, { M: 2, gradient: "alpha_exact" }).mul([1, 0, 0, 0]).sum())(w);
 * g.print(); // the first column of the projector onto span(B): [0.5, -0.5, 0, 0]
 * ```
 */
export function abcWeights(w: tf.Tensor, opts: AbcWeightsOptions): tf.Tensor {
  return checkedWeights("abcWeights", w, opts);
}

function checkedWeights(op: string, w: tf.Tensor, opts: AbcWeightsOptions): tf.Tensor {
  checkWeights(op, w);
  if (opts === null || typeof opts !== "object") {
    throw new TypeError(`${op}: options must be an object with M, got ${JSON.stringify(opts)}`);
  }
  return binarizedWeights(op, w, checkM(op, opts.M), checkGradient(op, opts.gradient));
}

/**
 * ABC-Net's multi-base binarized convolution, NCHW: `O = Σ_m α_m filt(x, B_m) = filt(x, Ŵ)`,
 * `{B_m, α}` = {@linkcode binarizeWeights}`(w, M)`. The input gradient is filt's through Ŵ; the
 * weight gradient follows `gradient` (default `'ste'`; see the module docs for the formulas).
 * Uses only filt and stock TF.js ops, so it runs on every backend filt does.
 *
 * @param x input `[N,C,H,W]`, float32
 * @param w real-valued kernel `[F,C,kh,kw]`, float32
 * @returns `[N,F,Ho,Wo]`, as filt
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { abcConv2d, setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const x = tf.randomNormal([2, 3, 8, 8], 0, 1, "float32", 1) as tf.Tensor4D;
 * const w = tf.randomNormal([4, 3, 3, 3], 0, 1, "float32", 2) as tf.Tensor4D;
 * const y = abcConv2d(x, w, { M: 3, gradient: "ste", pad: 1 }); // [2,4,8,8]
 * const dw = tf.grad((w) => abcConv2d(x, w as tf.Tensor4D, { M: 3 }).sum())(w);
 * ```
 */
export function abcConv2d(x: tf.Tensor4D, w: tf.Tensor4D, opts: AbcConv2dOptions): tf.Tensor4D {
  const attrs = checkConv("abcConv2d", x, w, opts ?? {});
  return tf.tidy(() => filt(x, checkedWeights("abcConv2d", w, opts) as tf.Tensor4D, attrs));
}
