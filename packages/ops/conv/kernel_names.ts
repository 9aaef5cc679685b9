/**
 * Names of the kernels every backend implements. The forward ones take inputs `{x, k}` and
 * {@linkcode ConvAttrs}; the backprop ones are the two gradient formulas of `docs/convolutions.md`,
 * used by every forward op's gradient.
 */
export const FILT = "ConvgradFilt";
export const VALID = "ConvgradValid";
export const FULL = "ConvgradFull";
/** dX[n,c] = Σ_f K[f,c] *full dY[n,f]; inputs `{dy, k}`, attrs ConvAttrs + `inputShape`. */
export const FILT_BACKPROP_INPUT = "ConvgradFiltBackpropInput";
/** dK[f,c] = Σ_n X[n,c] *filt dY[n,f]; inputs `{x, dy}`, attrs ConvAttrs + `kernelShape`. */
export const FILT_BACKPROP_FILTER = "ConvgradFiltBackpropFilter";
