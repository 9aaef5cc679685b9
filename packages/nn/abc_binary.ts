/**
 * A trained {@linkcode ABCConv2D} layer in its inference form: weight bases packed to bits (32x
 * smaller than the float kernel) and the convolution run as XNOR-popcounts,
 * `y = Σ_n Σ_m β_n α_m binaryConv2d(H_n, B_m) + b`, which equals the layer's float simulation up
 * to float32 rounding (every binary convolution is an exact integer).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  binarizeWeights,
  binaryConvSum,
  decodePackedBases,
  encodePackedBases,
  packBases,
  type PackedBases,
} from "@convgrad/ops";
import type { ABCConv2D } from "./abc_layer.ts";

/** An {@linkcode ABCConv2D} layer as packed bits plus its small float parameters. */
export interface BinaryABC {
  /** `B_m` as bits and `α_m`. */
  weights: PackedBases;
  /** Activation shifts `v_n`. */
  shifts: Float32Array;
  /** Activation scales `β_n`. */
  scales: Float32Array;
  /** Per-filter bias, if the layer has one. */
  bias: Float32Array | null;
  stride: [number, number];
  pad: [number, number];
}

/**
 * Packs a trained layer. It needs activation bases (`N >= 1`): with real-valued activations
 * there is nothing to XNOR.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { ABCConv2D, toBinaryABC } from "@convgrad/nn";
 * import { setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const layer = new ABCConv2D({ filters: 8, kernelSize: 3, M: 3, N: 3 });
 * layer.apply(tf.zeros([1, 1, 8, 8]));
 * const packed = toBinaryABC(layer);
 * ```
 */
export function toBinaryABC(layer: ABCConv2D): BinaryABC {
  if (!layer?.built) throw new TypeError("toBinaryABC: layer must be a built ABCConv2D");
  if (layer.N < 1) {
    throw new RangeError(
      `toBinaryABC: layer has N = ${layer.N} activation bases; binary inference needs N >= 1`,
    );
  }
  const byName = (suffix: string) =>
    layer.weights.find((w) => w.originalName.endsWith(`/${suffix}`))?.read();
  const kernel = byName("kernel")!, bias = byName("bias");
  const binarized = binarizeWeights(kernel, layer.M);
  const weights = packBases(binarized);
  tf.dispose(Object.values(binarized).filter((t) => t instanceof tf.Tensor));
  return {
    weights,
    shifts: Float32Array.from(byName("shifts")!.dataSync()),
    scales: Float32Array.from(byName("scales")!.dataSync()),
    bias: bias ? Float32Array.from(bias.dataSync()) : null,
    stride: layer.stride,
    pad: layer.pad,
  };
}

/**
 * The packed layer applied to NCHW `x` `[B,C,H,W]`: `H_n = sign(x + v_n − 0.5)` (ABC-Net's
 * `2·[clip(x + v_n, 0, 1) ≥ 0.5] − 1`), then {@linkcode binaryConvSum} and the bias.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { ABCConv2D, binaryABCConv2D, toBinaryABC } from "@convgrad/nn";
 * import { setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const layer = new ABCConv2D({ filters: 8, kernelSize: 3, M: 3, N: 3 });
 * const x = tf.randomUniform([2, 1, 8, 8]) as tf.Tensor4D;
 * layer.apply(x);
 * const y = binaryABCConv2D(x, toBinaryABC(layer)); // ≈ layer.apply(x)
 * ```
 */
export function binaryABCConv2D(x: tf.Tensor4D, packed: BinaryABC): tf.Tensor4D {
  return tf.tidy(() => {
    const activations = Array.from(packed.shifts, (v) => x.add(v - 0.5) as tf.Tensor4D);
    const y = binaryConvSum(
      { activations, beta: packed.scales, weights: packed.weights },
      { stride: packed.stride, pad: packed.pad },
    ); // [B,F,Ho,Wo]
    const F = y.shape[1];
    return packed.bias ? y.add(tf.tensor4d(packed.bias, [1, F, 1, 1])) : y;
  });
}

/**
 * Saves a packed layer as bytes: `u32` length of a JSON header (shifts, scales, bias, stride,
 * pad), the header, then the packed bases (`encodePackedBases`).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { ABCConv2D, decodeBinaryABC, encodeBinaryABC, toBinaryABC } from "@convgrad/nn";
 * import { setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const layer = new ABCConv2D({ filters: 8, kernelSize: 3, M: 3, N: 3 });
 * layer.apply(tf.zeros([1, 1, 8, 8]));
 * const again = decodeBinaryABC(encodeBinaryABC(toBinaryABC(layer)));
 * ```
 */
export function encodeBinaryABC(p: BinaryABC): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({
    format: "convgrad-binary-abc",
    version: 1,
    shifts: Array.from(p.shifts),
    scales: Array.from(p.scales),
    bias: p.bias && Array.from(p.bias),
    stride: p.stride,
    pad: p.pad,
  }));
  const bases = encodePackedBases(p.weights);
  const out = new Uint8Array(4 + header.length + bases.length);
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 4);
  out.set(bases, 4 + header.length);
  return out;
}

/**
 * Reads bytes written by {@linkcode encodeBinaryABC}; a clear error if they are not such bytes.
 *
 * @example
 * ```ts
 * import { decodeBinaryABC } from "@convgrad/nn";
 * try {
 *   decodeBinaryABC(new Uint8Array(3));
 * } catch (e) {
 *   console.log((e as Error).message);
 * }
 * ```
 */
export function decodeBinaryABC(bytes: Uint8Array): BinaryABC {
  const fail = (why: string): never => {
    throw new RangeError(
      `decodeBinaryABC: not a packed ABC layer (${bytes?.length} bytes): ${why}`,
    );
  };
  if (!(bytes instanceof Uint8Array) || bytes.length < 4) fail("too short");
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  if (4 + n > bytes.length) fail("header runs past the end");
  let h;
  try {
    h = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + n)));
  } catch {
    fail("header is not JSON");
  }
  if (h.format !== "convgrad-binary-abc" || h.version !== 1) {
    fail(`format ${h.format} v${h.version}`);
  }
  return {
    weights: decodePackedBases(bytes.slice(4 + n)),
    shifts: Float32Array.from(h.shifts),
    scales: Float32Array.from(h.scales),
    bias: h.bias ? Float32Array.from(h.bias) : null,
    stride: h.stride,
    pad: h.pad,
  };
}
