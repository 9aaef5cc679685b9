/**
 * A correct `MaxPoolGrad` for the wasm backend, replacing stock's: stock 4.22 routes the gradient
 * to the wrong place when a window holds only negative values (found by our tests), so every
 * `tf.layers.maxPooling2d` after an unactivated layer trained wrongly there.
 *
 * Each window's gradient goes to its first maximum in row-major order, padding excluded — where
 * stock `cpu` sends it, and the value `MaxPool` returned. NHWC, any window, stride and padding.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { heapFloats } from "../backend_types.ts";
import { input } from "../register.ts";
import { type KernelArgs, wasmOf } from "./wasm.ts";

/** The stock attributes of `MaxPoolGrad`. */
interface Attrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

function maxPoolGrad(args: KernelArgs): tf.TensorInfo {
  const b = wasmOf(args), dy = input(args.inputs, "dy"), x = input(args.inputs, "input");
  const a = args.attrs as unknown as Attrs;
  const info = tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: Ho, outWidth: Wo } =
    info;
  const expected = [N, Ho, Wo, C];
  if (dy.shape.join() !== expected.join()) {
    throw new RangeError(`MaxPoolGrad (wasm): dy must have shape [${expected}], got [${dy.shape}]`);
  }
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const dx = b.makeOutput(x.shape, "float32");
  const out = heapFloats(b, dx), xv = heapFloats(b, x), dv = heapFloats(b, dy);
  out.fill(0);
  // Per output pixel, all channels at once (contiguous in NHWC): the best value and where it is.
  const best = new Float32Array(C), at = new Int32Array(C);
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < Ho; i++) {
      const r0 = Math.max(0, i * sh - top), r1 = Math.min(H, i * sh - top + kh);
      for (let j = 0; j < Wo; j++) {
        const s0 = Math.max(0, j * sw - left), s1 = Math.min(W, j * sw - left + kw);
        best.fill(-Infinity);
        at.fill(-1);
        for (let r = r0; r < r1; r++) {
          for (let s = s0; s < s1; s++) {
            const xb = ((n * H + r) * W + s) * C;
            for (let c = 0; c < C; c++) {
              const v = xv[xb + c];
              if (v > best[c]) {
                best[c] = v;
                at[c] = xb + c;
              }
            }
          }
        }
        const db = ((n * Ho + i) * Wo + j) * C;
        for (let c = 0; c < C; c++) if (at[c] >= 0) out[at[c]] += dv[db + c];
      }
    }
  }
  return dx;
}

/** The kernel's registration record (registered by `register.ts`, replacing stock's). */
export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: "MaxPoolGrad",
  backendName: "wasm",
  kernelFunc: maxPoolGrad as tf.KernelFunc,
};
