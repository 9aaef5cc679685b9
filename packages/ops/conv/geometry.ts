import type { ConvAttrs } from "./options.ts";
import { outSize } from "../checks.ts";
import type { Geometry } from "./loops.ts";

/** The geometry of filt(x, k) with `attrs`, from the shapes of x [N,C,H,W] and k [F,C,kh,kw]. */
export function geometry(
  xShape: readonly number[],
  kShape: readonly number[],
  attrs: ConvAttrs,
): Geometry {
  const [N, C, H, W] = xShape;
  const [F, , kh, kw] = kShape;
  const [sh, sw] = attrs.stride, [ph, pw] = attrs.pad;
  return {
    N,
    C,
    H,
    W,
    F,
    kh,
    kw,
    Ho: outSize(H, kh, sh, ph),
    Wo: outSize(W, kw, sw, pw),
    sh,
    sw,
    ph,
    pw,
  };
}

/** full(x, k) is filt(x, flip(k)) with kernel-size−1 zero padding and stride 1. */
export function fullAttrs(kShape: readonly number[]): ConvAttrs {
  return { stride: [1, 1], pad: [kShape[2] - 1, kShape[3] - 1] };
}
