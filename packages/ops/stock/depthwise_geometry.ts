/**
 * The geometry both depthwise backprop kernels read from their stock attributes.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { checkNoDilation } from "./wasm.ts";

/** The stock attributes of the depthwise backprop kernels (besides the shape they produce). */
export interface DepthwiseAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/**
 * Stock's conv geometry for a depthwise filter [kh,kw,C,mult] on x [N,H,W,C]; checks that dy is
 * [N,Ho,Wo,C·mult].
 */
export function depthwiseInfo(
  kernel: string,
  xShape: readonly number[],
  filterShape: readonly number[],
  dyShape: readonly number[],
  a: DepthwiseAttrs,
): tf.backend_util.Conv2DInfo {
  checkNoDilation(kernel, a.dilations);
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    true,
  );
  const expected = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  if (dyShape.join() !== expected.join()) {
    throw new RangeError(`${kernel} (wasm): dy must have shape [${expected}], got [${dyShape}]`);
  }
  return info;
}
