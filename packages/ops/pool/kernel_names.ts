/**
 * Names of the max-pool kernels every backend implements: forward `{x}` → y, backward
 * `{x, dy}` → dx; attrs `{size}`, the window's side (also its stride).
 */
export const MAX_POOL = "ConvgradMaxPool";
export const MAX_POOL_BACKPROP = "ConvgradMaxPoolBackprop";
