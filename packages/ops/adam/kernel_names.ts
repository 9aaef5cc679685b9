/**
 * Name of the fused Adam kernel: inputs `{x, m, v, g}` (float32, one shape), attrs
 * {@linkcode AdamAttrs}; outputs `[x', m', v']`.
 */
export const ADAM_UPDATE = "ConvgradAdamUpdate";

/**
 * The constants of one Adam step, each already a float32 value, as TF.js's AdamOptimizer makes
 * them: `c = 1 − β`, `d = 1 − β^t` (β^t as the optimizer accumulates it), `nlr = −lr`.
 */
export interface AdamAttrs {
  b1: number;
  c1: number;
  b2: number;
  c2: number;
  d1: number;
  d2: number;
  eps: number;
  nlr: number;
}
