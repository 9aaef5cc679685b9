import { checkOperand, toPair } from "../checks.ts";

/** Stride and zero padding of {@linkcode filt} and {@linkcode valid}: a number or `[h, w]`. */
export interface ConvOptions {
  /** Step between output positions, `>= 1`. Default 1. */
  stride?: number | [number, number];
  /** Zero rows/columns added on each side of the input, `>= 0`. Default 0. */
  pad?: number | [number, number];
}

/** The attributes every Convgrad conv kernel receives, already validated. */
export interface ConvAttrs {
  stride: [number, number];
  pad: [number, number];
}

/**
 * Validates `x [N,C,H,W]`, `k [F,C,kh,kw]` and the options shared by filt and valid; returns the
 * kernel attributes.
 */
export function checkConv(op: string, x: unknown, k: unknown, opts: ConvOptions): ConvAttrs {
  const xt = checkOperand(op, "x", x, "[N,C,H,W]");
  const kt = checkOperand(op, "k", k, "[F,C,kh,kw]");
  if (opts === null || typeof opts !== "object") {
    throw new TypeError(`${op}: options must be an object, got ${JSON.stringify(opts)}`);
  }
  const stride = toPair(op, "stride", opts.stride, 1, 1);
  const pad = toPair(op, "pad", opts.pad, 0, 0);
  const [, C, H, W] = xt.shape;
  const [, KC, kh, kw] = kt.shape;
  if (KC !== C) {
    throw new RangeError(
      `${op}: channel mismatch: x [N,C,H,W] has C=${C} but k [F,C,kh,kw] has C=${KC}`,
    );
  }
  if (kh > H + 2 * pad[0] || kw > W + 2 * pad[1]) {
    throw new RangeError(
      `${op}: kernel ${kh}x${kw} is larger than the padded input ` +
        `${H + 2 * pad[0]}x${W + 2 * pad[1]} (x [${xt.shape}], pad [${pad}])`,
    );
  }
  if (kh === 0 || kw === 0 || H === 0 || W === 0) {
    throw new RangeError(`${op}: empty spatial size: x [${xt.shape}], k [${kt.shape}]`);
  }
  return { stride, pad };
}
