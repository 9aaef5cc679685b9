import * as tf from "@tensorflow/tfjs";

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
 * Normalises a size option given as a number or `[h, w]` to `[h, w]` of integers `>= min`
 * (`[dflt, dflt]` when absent), or throws a RangeError naming `op` and `name`.
 *
 * @example
 * ```ts
 * import { toPair } from "@convgrad/ops";
 * toPair("myLayer", "stride", 2, 1, 1); // [2, 2]
 * ```
 */
export function toPair(
  op: string,
  name: string,
  v: unknown,
  dflt: number | undefined,
  min: number,
): [number, number] {
  const p: unknown[] = v === undefined && dflt !== undefined
    ? [dflt, dflt]
    : Array.isArray(v)
    ? v
    : [v, v];
  if (p.length !== 2 || !p.every((e) => Number.isInteger(e) && (e as number) >= min)) {
    throw new RangeError(
      `${op}: ${name} must be an integer >= ${min} or a pair [h, w] of them, got ${
        JSON.stringify(v)
      }`,
    );
  }
  return p as [number, number];
}

/** Checks one conv operand: a float32 tensor of rank 4. */
export function checkOperand(op: string, name: string, t: unknown, layout: string): tf.Tensor4D {
  if (!(t instanceof tf.Tensor)) {
    throw new TypeError(`${op}: ${name} must be a tf.Tensor ${layout}, got ${typeof t}`);
  }
  if (t.rank !== 4) {
    throw new RangeError(
      `${op}: ${name} must have rank 4 ${layout}, got shape [${t.shape.join(",")}]`,
    );
  }
  if (t.dtype !== "float32") {
    throw new TypeError(`${op}: ${name} must have dtype float32, got ${t.dtype}`);
  }
  return t as tf.Tensor4D;
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

/** Output size of a strided, padded correlation along one axis. */
export function outSize(size: number, kernel: number, stride: number, pad: number): number {
  return Math.floor((size + 2 * pad - kernel) / stride) + 1;
}
