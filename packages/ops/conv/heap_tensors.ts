/**
 * Tensors on the TF.js wasm backend's heap, as our conv kernels handle them: NCHW ⇄ NHWC
 * relayouts (our SIMD transpose `relayout.wat` for activations, a strided copy for the small
 * kernels), stock wasm kernels run on TensorInfos, a GEMM as a 1x1 XNNPACK convolution, and a
 * scope that frees a computation's temporaries.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { heapFloats, type Shape4, type WasmBackend } from "../backend_types.ts";
import { WASM_BASE64 } from "./relayout_wasm.ts";
import { heapModule, heapOffset } from "../wasm_heap.ts";

/** Registers a temporary of the enclosing {@linkcode withTemps} and returns it. */
export type Temp = (t: tf.TensorInfo) => tf.TensorInfo;

/** Relayouts that needed no copy: they share their source's data and must not be freed. */
const aliases = new WeakSet<tf.TensorInfo>();

type Transpose = (src: number, dst: number, B: number, R: number, C: number) => void;

/** Batched 2-D transpose `[B,R,C] → [B,C,R]` of `src` into a new tensor of `shape`. */
export function transposed(
  b: WasmBackend,
  src: tf.TensorInfo,
  [B, R, C]: [number, number, number],
  shape: Shape4,
): tf.TensorInfo {
  if (R === 1 || C === 1) {
    const alias = { dataId: src.dataId, shape, dtype: "float32" as const }; // same bytes
    aliases.add(alias);
    return alias;
  }
  const { transpose } = heapModule<{ transpose: Transpose }>(b, WASM_BASE64);
  const out = b.makeOutput(shape, "float32");
  transpose(heapOffset(b, src), heapOffset(b, out), B, R, C);
  return out;
}

/** NCHW → NHWC. */
export function channelsLast(b: WasmBackend, t: tf.TensorInfo): tf.TensorInfo {
  const [N, C, H, W] = t.shape;
  return transposed(b, t, [N, C, H * W], [N, H, W, C]);
}

/** NHWC → NCHW. */
export function channelsFirst(b: WasmBackend, t: tf.TensorInfo): tf.TensorInfo {
  const [N, H, W, C] = t.shape;
  return transposed(b, t, [N, H * W, C], [N, C, H, W]);
}

/**
 * A relayout: `out[a,b,c,d] = src[off + a·s0 + b·s1 + c·s2 + d·s3]` for `out` of `shape`. Negative
 * strides read an axis reversed (the kernel flip), a shape smaller than the source crops it.
 */
export interface View {
  shape: Shape4;
  strides: Shape4;
  offset: number;
}

/** Kernels are small: a plain strided copy on the heap does for their relayouts. */
export function copyView(b: WasmBackend, src: tf.TensorInfo, v: View): tf.TensorInfo {
  const out = b.makeOutput(v.shape, "float32");
  // Read both views after allocating: allocation may grow (and so detach) the heap.
  const s = heapFloats(b, src), d = heapFloats(b, out);
  const [A, B, C, D] = v.shape, [s0, s1, s2, s3] = v.strides;
  let o = 0;
  for (let a = 0; a < A; a++) {
    for (let bb = 0; bb < B; bb++) {
      for (let c = 0; c < C; c++) {
        let i = v.offset + a * s0 + bb * s1 + c * s2;
        for (let e = 0; e < D; e++, i += s3) d[o++] = s[i];
      }
    }
  }
  return out;
}

/** Row-major strides of a contiguous rank-4 shape. */
export function stridesOf([, b, c, d]: readonly number[]): Shape4 {
  return [b * c * d, c * d, d, 1];
}

/** Runs a stock wasm kernel by name on TensorInfos. */
export function stock(
  name: string,
  b: WasmBackend,
  inputs: Record<string, tf.TensorInfo>,
  attrs: Record<string, unknown>,
): tf.TensorInfo {
  const k = tf.getKernel(name, "wasm");
  if (k === undefined) throw new Error(`convgrad: the wasm backend has no '${name}' kernel`);
  return k.kernelFunc({
    inputs,
    backend: b as never,
    attrs: attrs as tf.NamedAttrMap,
  }) as tf.TensorInfo;
}

/**
 * Runs `body` and frees every temporary it registered with `temp`, also on error — except
 * aliases (they share an input's or another temporary's data) and the data of the result, which
 * may itself be a free relayout of a temporary.
 */
export function withTemps(
  b: WasmBackend,
  body: (temp: Temp) => tf.TensorInfo,
): tf.TensorInfo {
  const temps: tf.TensorInfo[] = [];
  let result: tf.TensorInfo | undefined;
  try {
    result = body((t) => (temps.push(t), t));
    return result;
  } finally {
    for (const t of temps) {
      if (!aliases.has(t) && t.dataId !== result?.dataId) b.disposeData(t.dataId);
    }
  }
}

/** `x [1,1,R,K] · filter [1,1,K,Cols]` (any leading shape with K innermost) as a 1x1 XNNPACK convolution. */
export function gemm(b: WasmBackend, x: tf.TensorInfo, filter: tf.TensorInfo): tf.TensorInfo {
  return stock("Conv2D", b, { x, filter }, {
    strides: [1, 1],
    pad: "valid",
    dilations: [1, 1],
    dataFormat: "NHWC",
  });
}
