/**
 * The binary conv kernel's name, options and attributes, their checks, and the geometry every
 * backend's kernel derives from them.
 *
 * @module
 */
import { checkOperand, toPair } from "../checks.ts";
import { geometry } from "../conv/geometry.ts";
import type { Geometry } from "../conv/loops.ts";
import { wordsFor } from "./pack.ts";

/**
 * Kernel `ConvgradBinaryConv2D`: inputs `{x, w}` with `x [N,C,H,W]` float32 (read as signs) and
 * either `w [F,kh,kw,⌈C/32⌉]` int32, packed weight bits, or `w [F,C,kh,kw]` float32 (read as
 * signs, packed by the kernel); attrs {@linkcode BinaryConvAttrs}. Output `[N,F,Ho,Wo]` float32,
 * integer-valued.
 */
export const BINARY_CONV2D = "ConvgradBinaryConv2D";

/** Options of the binary convolutions. */
export interface BinaryConvOptions {
  /** Step between output positions, `>= 1`, a number or `[h, w]`. Default 1. */
  stride?: number | [number, number];
  /** Rows/columns added on each side of the input, `>= 0`, a number or `[h, w]`. Default 0. */
  pad?: number | [number, number];
  /**
   * What the padding holds. `0` (default): zeros, so the result equals `filt` with the same
   * `pad`; the kernels pad with +1 and subtract what those +1s added at the border (as Larq
   * does), so the inner loop stays branch-free. `1`: +1, i.e. `filt` of the input padded with
   * ones; skips that correction.
   */
  padValue?: 0 | 1;
}

/** The attributes of the binary conv kernel, already validated. */
export interface BinaryConvAttrs {
  stride: [number, number];
  pad: [number, number];
  padValue: 0 | 1;
}

/** Sizes of one binary convolution: the float convolution's, plus the packing's. */
export interface BinaryGeometry extends Geometry {
  /** Words per pixel: ⌈C/32⌉. */
  cw: number;
  /** Signs per output: C·kh·kw; the dot product is K − 2·popcount. */
  K: number;
}

/** The geometry from x `[N,C,H,W]` and the kernel's `w`, packed or not (see BINARY_CONV2D). */
export function binaryGeometry(
  xShape: readonly number[],
  w: { shape: readonly number[]; dtype: string },
  a: BinaryConvAttrs,
): BinaryGeometry {
  const C = xShape[1];
  const [F, kh, kw] = w.dtype === "int32" ? w.shape : [w.shape[0], w.shape[2], w.shape[3]];
  return { ...geometry(xShape, [F, C, kh, kw], a), cw: wordsFor(C), K: C * kh * kw };
}

/**
 * Validates `x [N,C,H,W]` against weights of (unpacked) shape `[F,C,kh,kw]` and the options;
 * returns the kernel attributes.
 */
export function checkBinaryConv(
  op: string,
  x: unknown,
  wShape: readonly number[],
  opts: BinaryConvOptions,
): BinaryConvAttrs {
  const xt = checkOperand(op, "x", x, "[N,C,H,W]");
  if (opts === null || typeof opts !== "object") {
    throw new TypeError(`${op}: options must be an object, got ${JSON.stringify(opts)}`);
  }
  const stride = toPair(op, "stride", opts.stride, 1, 1);
  const pad = toPair(op, "pad", opts.pad, 0, 0);
  const padValue = opts.padValue ?? 0;
  if (padValue !== 0 && padValue !== 1) {
    throw new RangeError(`${op}: padValue must be 0 or 1, got ${JSON.stringify(opts.padValue)}`);
  }
  const [, C, H, W] = xt.shape, [, WC, kh, kw] = wShape;
  if (WC !== C) {
    throw new RangeError(
      `${op}: channel mismatch: x [N,C,H,W] has C=${C} but the weights [F,C,kh,kw] have C=${WC}`,
    );
  }
  if (C === 0 || H === 0 || W === 0 || kh === 0 || kw === 0) {
    throw new RangeError(
      `${op}: no channels or empty spatial size: x [${xt.shape}], weights [${wShape}]`,
    );
  }
  if (kh > H + 2 * pad[0] || kw > W + 2 * pad[1]) {
    throw new RangeError(
      `${op}: kernel ${kh}x${kw} is larger than the padded input ` +
        `${H + 2 * pad[0]}x${W + 2 * pad[1]} (x [${xt.shape}], pad [${pad}])`,
    );
  }
  return { stride, pad, padValue };
}
