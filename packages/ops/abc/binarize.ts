/**
 * ABC-Net's weight binarization (Lin et al. 2017, §3.1; `docs/abc-gradients.md`):
 * `W ≈ Σ_m α_m B_m` with `B_m = sign(W − mean(W) + u_m·std(W))` and `α` the least-squares
 * coefficients.
 *
 * A note on the paper writes `std(W) = Σ (W_i − mean(W)) / n`, which is identically zero; we use
 * the real population standard deviation `sqrt(Σ (W_i − mean(W))² / n)`, as the paper intends.
 *
 * Computed with stock TF.js ops on whatever backend is active (so on webgl too); only the small
 * least-squares system travels to the CPU, where it is solved in float64.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { minNormSolver } from "./lstsq.ts";

/** Counts per bin travel through a float32 matmul: exact only below 2^24. */
const MAX_ENTRIES = 2 ** 24;

/**
 * The shifts `u_m = −1 + 2(m−1)/(M−1)`, `m = 1..M`, spread evenly over `[−1, 1]`; `[0]` for
 * `M = 1` (the formula divides by zero there; a single base is plain `sign(W − mean)`).
 *
 * @example
 * ```ts
 * import { basisShifts } from "@convgrad/ops";
 * basisShifts(3); // [-1, 0, 1]
 * ```
 */
export function basisShifts(M: number): number[] {
  checkM("basisShifts", M);
  return M === 1 ? [0] : Array.from({ length: M }, (_, m) => -1 + (2 * m) / (M - 1));
}

/** Throws unless `M` is a positive integer. */
export function checkM(op: string, M: unknown): number {
  if (!Number.isInteger(M) || (M as number) < 1) {
    throw new RangeError(`${op}: M (number of weight bases) must be an integer >= 1, got ${M}`);
  }
  return M as number;
}

/** Throws unless `w` is a non-empty float32 tensor small enough to binarize exactly. */
export function checkWeights(op: string, w: unknown): tf.Tensor {
  if (!(w instanceof tf.Tensor)) throw new TypeError(`${op}: w must be a tf.Tensor, got ${w}`);
  if (w.dtype !== "float32") {
    throw new TypeError(`${op}: w must have dtype float32, got ${w.dtype}`);
  }
  if (w.size === 0 || w.size >= MAX_ENTRIES) {
    throw new RangeError(
      `${op}: w must have between 1 and ${MAX_ENTRIES - 1} entries, got shape [${w.shape}]`,
    );
  }
  return w;
}

/**
 * Everything the forward and backward passes need about one binarization.
 *
 * Because `u` is increasing, the thresholds are nested: an entry that is `+1` in base `m` is `+1`
 * in every later base. So each entry falls in one of `M + 1` bins, `k` = its number of `+1`s, and
 * its row of `B` is the fixed pattern `s(k)` (`−1` in the first `M − k` bases, `+1` after). Then
 * `‖v − Bα‖² = Σ_k n_k (v̄_k − s(k)ᵀα)² + const` (`n_k` entries in bin k, `v̄_k` their mean):
 * the `n × M` least squares shrinks to `(M+1) × M` rows `√n_k s(k)` — the same Gram matrix, the
 * same minimum-norm solution, and only `2(M+1)` numbers to read back from the device.
 */
export interface Binarization {
  u: number[];
  /** `[M, n]`: `B_m` flattened, ±1. */
  bases: tf.Tensor2D;
  /** `[n, M+1]`: one-hot bin of every entry. */
  bins: tf.Tensor2D;
  /** `α = B⁺ vec(W)` in float64. */
  alpha: Float64Array;
  /** `B⁺ v` for any `v` of w's size, from its bin sums `Σ_{i∈k} v_i` (`[M+1]`). */
  coefficients(binSums: ArrayLike<number>): Float64Array;
}

/**
 * Binarizes `w` (already checked) into `M` bases. The tensors it returns belong to the caller's
 * scope; it reads `2(M+1)` numbers back from the device.
 */
export function binarize(op: string, w: tf.Tensor, M: number): Binarization {
  const u = basisShifts(M), n = w.size;
  const flat = w.reshape([1, n]); // [1,n]
  const z = flat.sub(flat.mean()); // [1,n]
  const std = z.square().mean().sqrt();
  const plus = z.add(tf.tensor2d(u, [M, 1]).mul(std)).greaterEqual(0); // [M,n]; sign(0) = +1
  const bases = plus.cast("float32").mul(2).sub(1) as tf.Tensor2D; // [M,n]
  const bin = plus.cast("int32").sum(0) as tf.Tensor1D; // [n]: number of +1s
  // oneHot's own float32 output is wrong on wasm (tfjs 4.22 writes integer bits): cast instead.
  const bins = tf.oneHot(bin, M + 1).cast("float32") as tf.Tensor2D; // [n,M+1]
  const stats = tf.matMul(tf.concat([tf.onesLike(flat), flat], 0), bins).dataSync(); // [2,M+1]
  const counts = stats.subarray(0, M + 1), sums = stats.subarray(M + 1);
  if (!sums.every(Number.isFinite)) {
    throw new RangeError(`${op}: w must be finite, got NaN or ±Infinity among its entries`);
  }
  const used = [...counts.keys()].filter((k) => counts[k] > 0);
  // Row √n_k s(k) for every non-empty bin k.
  const rows = used.flatMap((k) =>
    Array.from({ length: M }, (_, m) => (m >= M - k ? 1 : -1) * Math.sqrt(counts[k]))
  );
  const solver = minNormSolver(rows, used.length, M);
  const coefficients = (binSums: ArrayLike<number>) =>
    solver.solve(used.map((k) => binSums[k] / Math.sqrt(counts[k])));
  return { u, bases, bins, alpha: coefficients(sums), coefficients };
}

/** What {@linkcode binarizeWeights} returns. */
export interface BinarizedWeights {
  /** `[M, ...w.shape]`: the bases `B_m`, entries ±1. */
  bases: tf.Tensor;
  /** `[M]`: least-squares coefficients (minimum-norm where the bases are dependent). */
  alpha: tf.Tensor1D;
  /** The shifts `u_m` of {@linkcode basisShifts}. */
  u: number[];
}

/**
 * ABC-Net's approximation `W ≈ Σ_m α_m B_m` of a weight tensor by `M` binary bases:
 * `B_m = sign(W − mean(W) + u_m·std(W))` (population std, `sign(0) = +1`), `u` from
 * {@linkcode basisShifts}, and `α = argmin ‖W − Σ α_m B_m‖²`. Bases coincide when no entry lies
 * between two thresholds (small tensors, large `M`); `α` is then the minimum-norm solution,
 * found by an SVD in float64, never by the (singular) normal equations.
 *
 * @param w weights of any shape, float32
 * @param M number of bases, `>= 1`
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { binarizeWeights, setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const { bases, alpha, u } = binarizeWeights(tf.tensor1d([0.9, -1.1, 0.2, -0.1]), 2);
 * bases.print(); // [[1, -1, -1, -1], [1, -1, 1, 1]]
 * alpha.print(); // [0.475, 0.525]
 * ```
 */
export function binarizeWeights(w: tf.Tensor, M: number): BinarizedWeights {
  checkWeights("binarizeWeights", w);
  checkM("binarizeWeights", M);
  return tf.tidy(() => {
    const b = binarize("binarizeWeights", w, M);
    return {
      bases: b.bases.reshape([M, ...w.shape]),
      alpha: tf.tensor1d(Float32Array.from(b.alpha)),
      u: b.u,
    };
  });
}
