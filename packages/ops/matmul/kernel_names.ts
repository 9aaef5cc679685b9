/**
 * Name of the matrix-product kernel every backend implements: `{a, b}` → c, attrs
 * `{transposeA, transposeB}` (c = op(a)·op(b), op transposing when its flag is set).
 */
export const MAT_MUL = "ConvgradMatMul";
