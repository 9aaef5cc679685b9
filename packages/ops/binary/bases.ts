/**
 * Multi-base binary convolution (ABC-Net's inference form): weights `W ≈ Σ_m α_m B_m` and
 * activations `A ≈ Σ_n β_n H_n` with every `B_m`, `H_n` ±1, so
 * `filt(A, W) ≈ Σ_n Σ_m β_n α_m filt(H_n, B_m)`: M·N binary convolutions, run here as one.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { checkOperand } from "../checks.ts";
import { runBinaryConv } from "./binary_conv.ts";
import { type BinaryConvOptions, checkBinaryConv } from "./options.ts";
import { checkPacked, type PackedSigns, packSigns, wordsFor } from "./pack.ts";

/** M weight bases `B_m [F,C,kh,kw]` as bits, with their scales `α_m`. */
export interface PackedBases {
  /** `[M,F,C,kh,kw]` packed along C (axis 2): bits `[M,F,kh,kw,⌈C/32⌉]`. */
  readonly bases: PackedSigns;
  /** `α_m`, one per base. */
  readonly alpha: Float32Array;
}

function checkScales(op: string, name: string, v: unknown, n: number): Float32Array {
  const ok = v !== null && typeof v === "object" && "length" in v &&
    (v as ArrayLike<unknown>).length === n &&
    Array.from(v as ArrayLike<unknown>).every((e) => typeof e === "number" && Number.isFinite(e));
  if (!ok) {
    throw new RangeError(
      `${op}: ${name} must be ${n} finite numbers (one per base), got ${
        Array.isArray(v) || ArrayBuffer.isView(v) ? `[${Array.from(v as ArrayLike<unknown>)}]` : v
      }`,
    );
  }
  return Float32Array.from(v as ArrayLike<number>);
}

/** Weight bases as `binarizeWeights(w, M)` returns them. */
export interface WeightBases {
  /** `B_m` stacked: `[M,F,C,kh,kw]`, ±1 (read as signs). */
  bases: tf.Tensor;
  /** `α_m`: `[M]`, a tensor or numbers. */
  alpha: tf.Tensor | ArrayLike<number>;
}

/**
 * Packs M weight bases and their scales, e.g. `binarizeWeights(w, M)` of a trained ABC-Net
 * layer: the saved form of a multi-base binary convolution (see `encodePackedBases` for bytes).
 * Reads the tensors synchronously and does not dispose them.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { binarizeWeights, packBases, setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const w = tf.randomNormal([8, 32, 3, 3], 0, 1, "float32", 1);
 * const p = packBases(binarizeWeights(w, 3)); // bits [3,8,3,3,1], alpha [3]
 * ```
 */
export function packBases(weights: WeightBases): PackedBases {
  const op = "packBases";
  if (weights === null || typeof weights !== "object" || !(weights.bases instanceof tf.Tensor)) {
    throw new TypeError(`${op}: weights must be {bases: tf.Tensor [M,F,C,kh,kw], alpha}`);
  }
  const { bases, alpha } = weights;
  if (bases.rank !== 5 || bases.dtype !== "float32") {
    throw new RangeError(
      `${op}: bases must be float32 [M,F,C,kh,kw], got ${bases.dtype} [${bases.shape}]`,
    );
  }
  const a = alpha instanceof tf.Tensor ? alpha.dataSync() : alpha;
  return { bases: packSigns(bases, 2), alpha: checkScales(op, "alpha", a, bases.shape[0]) };
}

/** Checks a {@linkcode PackedBases}; returns its `[M,F,C,kh,kw]`. */
export function checkPackedBases(
  op: string,
  p: unknown,
): [number, number, number, number, number] {
  const q = p as Partial<PackedBases> | null;
  if (q === null || typeof q !== "object" || !(q.alpha instanceof Float32Array)) {
    throw new TypeError(`${op}: weights must be PackedBases {bases, alpha: Float32Array}`);
  }
  const b = checkPacked(op, "weights.bases", q.bases);
  if (b.shape.length !== 5 || b.axis !== 2) {
    throw new RangeError(
      `${op}: weights.bases must be [M,F,C,kh,kw] packed along axis 2, got shape [${b.shape}] ` +
        `packed along axis ${b.axis}`,
    );
  }
  checkScales(op, "weights.alpha", q.alpha, b.shape[0]);
  return b.shape as [number, number, number, number, number];
}

/** The inputs of {@linkcode binaryConvSum}. */
export interface BinaryConvSumInputs {
  /**
   * Activation bases `H_n [B,C,H,W]`, all the same shape, read as signs (`sign(0) = +1`): ABC-Net's
   * `H_{v_n}(R) = sign(R + v_n − 0.5)` can be passed as `R + v_n − 0.5`, unbinarized.
   */
  activations: tf.Tensor4D[];
  /** `β_n`, one per activation base. */
  beta: ArrayLike<number>;
  /** Weight bases `B_m` and `α_m`, from {@linkcode packBases}. */
  weights: PackedBases;
}

/**
 * `Σ_n β_n Σ_m α_m binaryConv2d(H_n, B_m)`: the inference form of ABC-Net's convolution
 * `filt(Σ_n β_n H_n, Σ_m α_m B_m)` (`abcConv2d` of `abcActivation`, without bias). Each binary
 * convolution is an exact integer, so the result equals that float computation up to float32
 * rounding. One kernel call runs all M·N binary convolutions: the activation bases go in as one
 * batch, the weight bases as one stack of M·F filters, each packed once.
 *
 * @returns `[B,F,Ho,Wo]` float32
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { binaryConvSum, packBases, setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const weights = packBases({ bases: tf.ones([1, 2, 3, 3, 3]), alpha: [0.5] }); // M=1, F=2
 * const h = tf.ones([1, 3, 5, 5]) as tf.Tensor4D;
 * binaryConvSum({ activations: [h, h.neg()], beta: [1, 0.5], weights }, { pad: 1 }); // [1,2,5,5]
 * ```
 */
export function binaryConvSum(
  inputs: BinaryConvSumInputs,
  opts: BinaryConvOptions = {},
): tf.Tensor4D {
  const op = "binaryConvSum";
  if (inputs === null || typeof inputs !== "object") {
    throw new TypeError(`${op}: inputs must be {activations, beta, weights}, got ${inputs}`);
  }
  const { activations, beta, weights } = inputs;
  const [M, F, C, kh, kw] = checkPackedBases(op, weights);
  if (!Array.isArray(activations) || activations.length === 0) {
    throw new TypeError(`${op}: activations must be a non-empty array of tf.Tensor4D`);
  }
  const attrs = checkBinaryConv(op, activations[0], [F, C, kh, kw], opts);
  const shape = activations[0].shape;
  activations.forEach((h, n) => {
    const s = checkOperand(op, `activations[${n}]`, h, "[B,C,H,W]").shape;
    if (s.some((d, i) => d !== shape[i])) {
      throw new RangeError(`${op}: activations[${n}] has shape [${s}], activations[0] [${shape}]`);
    }
  });
  const b = checkScales(op, "beta", beta, activations.length);
  const Nb = activations.length, B = shape[0];
  const coef = new Float32Array(Nb * M); // [Nb, M]: β_n α_m
  for (let n = 0; n < Nb; n++) {
    for (let m = 0; m < M; m++) coef[n * M + m] = b[n] * weights.alpha[m];
  }
  return tf.tidy(() => {
    const x = Nb === 1 ? activations[0] : tf.concat(activations, 0); // [Nb·B,C,H,W]
    const y = runBinaryConv(x, weights.bases.words, [M * F, kh, kw, wordsFor(C)], attrs); // [Nb·B,M·F,Ho,Wo]
    const [, , Ho, Wo] = y.shape;
    return y.reshape([Nb, B, M, F * Ho * Wo])
      .mul(tf.tensor4d(coef, [Nb, 1, M, 1]))
      .sum([0, 2])
      .reshape([B, F, Ho, Wo]) as tf.Tensor4D;
  });
}
