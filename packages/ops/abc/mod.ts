/**
 * ABC-Net (Lin et al. 2017) in convgrad: multi-base binarized weights `W ≈ Σ_m α_m B_m`, the
 * binarized convolution with each candidate weight-gradient rule named (`ste`, `paper_literal`,
 * `alpha_exact`, `ste_plus_alpha`), multiple binary activations with trainable shifts, and the
 * check of which rule is the derivative. The maths is in `abc_conv.ts` and
 * `docs/abc-gradients.md`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { abcActivation, abcConv2d, setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const x = tf.randomUniform([2, 1, 8, 8], 0, 1, "float32", 1) as tf.Tensor4D; // [N,C,H,W]
 * const w = tf.randomNormal([4, 1, 3, 3], 0, 1, "float32", 2) as tf.Tensor4D; // [F,C,kh,kw]
 * const a = abcActivation(x, tf.tensor1d([0.25, 0, -0.25]), tf.tensor1d([1, 1, 1])) as tf.Tensor4D;
 * const y = abcConv2d(a, w, { M: 3, gradient: "ste" }); // [2,4,6,6]
 * ```
 *
 * @module
 */
export {
  ABC_GRADIENTS,
  abcConv2d,
  type AbcConv2dOptions,
  type AbcGradient,
  abcWeights,
  type AbcWeightsOptions,
} from "./abc_conv.ts";
export { abcActivation, activationShifts } from "./activation.ts";
export { basisShifts, type BinarizedWeights, binarizeWeights } from "./binarize.ts";
export {
  compareGradientRules,
  type CompareGradientRulesOptions,
  type GradientRuleCheck,
} from "./compare.ts";
export { type MinNormSolver, minNormSolver } from "./lstsq.ts";
