/**
 * Checks a function's registered (analytic) gradient against central finite differences.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { createRng } from "@convgrad/base";

/** Options for {@linkcode gradcheck}. */
export interface GradcheckOptions {
  /**
   * The same function in float64 on flat arrays (row-major, shapes as the inputs'), returning the
   * flat output. When given, finite differences run through it in float64 (step 1e-6), so the
   * only float32 error left is the analytic gradient's own; otherwise they run through `f` in
   * float32 with step `eps`.
   */
  reference?: (inputs: Float64Array[]) => Float64Array;
  /** Finite-difference step. Default 1e-6 with `reference`, 1e-2 without. */
  eps?: number;
  /** Entries checked per input, chosen at random (all when the input is smaller). Default 64. */
  samples?: number;
  /** Seed for the output weights and the sampled entries. Default 0. */
  seed?: number;
  /** Pass if the worst relative error is at most this. Default 1e-3 (reference) or 2e-2. */
  tolerance?: number;
}

/** What {@linkcode gradcheck} found. */
export interface GradcheckResult {
  /** Worst `|analytic − numeric| / max(|analytic|, |numeric|, 1e-3·scale)` over all checks. */
  maxRelError: number;
  /** Worst `|analytic − numeric|`. */
  maxAbsError: number;
  /** Per input: worst errors and the flat index where the relative one occurred. */
  perInput: { maxRelError: number; maxAbsError: number; worstIndex: number }[];
  /** `maxRelError <= tolerance`. */
  ok: boolean;
}

/**
 * Compares the gradient TF.js computes for `f` (through the registered gradients) with central
 * finite differences of the scalar `L = Σ w ⊙ f(inputs)`, `w` fixed random weights, so every
 * output component takes part.
 *
 * @param f the function to check; any output shape
 * @param inputs the point at which to check; float32 tensors
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { filt, gradcheck, setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const x = tf.randomNormal([1, 2, 5, 5]), k = tf.randomNormal([3, 2, 3, 3]);
 * const r = gradcheck((x, k) => filt(x as tf.Tensor4D, k as tf.Tensor4D), [x, k]);
 * console.log(r.ok, r.maxRelError);
 * ```
 */
export function gradcheck(
  f: (...inputs: tf.Tensor[]) => tf.Tensor,
  inputs: tf.Tensor[],
  opts: GradcheckOptions = {},
): GradcheckResult {
  if (typeof f !== "function") throw new TypeError(`gradcheck: f must be a function, got ${f}`);
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new TypeError("gradcheck: inputs must be a non-empty array of tensors");
  }
  inputs.forEach((t, i) => {
    if (!(t instanceof tf.Tensor) || t.dtype !== "float32") {
      throw new TypeError(`gradcheck: inputs[${i}] must be a float32 tf.Tensor`);
    }
  });
  const useRef = opts.reference !== undefined;
  const eps = opts.eps ?? (useRef ? 1e-6 : 1e-2);
  const samples = opts.samples ?? 64;
  const tolerance = opts.tolerance ?? (useRef ? 1e-3 : 2e-2);
  if (!(eps > 0)) throw new RangeError(`gradcheck: eps must be > 0, got ${eps}`);
  if (!(Number.isInteger(samples) && samples > 0)) {
    throw new RangeError(`gradcheck: samples must be a positive integer, got ${samples}`);
  }
  const rand = createRng(opts.seed ?? 0);

  const outShape = tf.tidy(() => f(...inputs).shape);
  const w64 = Float64Array.from(
    { length: outShape.reduce((a, b) => a * b, 1) },
    () => rand() - 0.5,
  );
  const w = tf.tensor(Float32Array.from(w64), outShape);
  const grads = tf.grads((...xs: tf.Tensor[]) => f(...xs).mul(w).sum())(inputs);
  const analytic = grads.map((g) => Float64Array.from(g.dataSync()));
  tf.dispose([w, ...grads]);

  const values = inputs.map((t) => Float64Array.from(t.dataSync()));
  const loss = (vals: Float64Array[]): number => {
    let out: ArrayLike<number>;
    if (useRef) out = opts.reference!(vals);
    else {
      out = tf.tidy(() =>
        f(...vals.map((v, i) => tf.tensor(Float32Array.from(v), inputs[i].shape))).dataSync()
      );
    }
    let s = 0;
    for (let i = 0; i < w64.length; i++) s += w64[i] * out[i];
    return s;
  };

  const perInput = values.map((v, ii) => {
    const n = v.length;
    const idx = n <= samples
      ? Array.from({ length: n }, (_, i) => i)
      : Array.from({ length: samples }, () => Math.floor(rand() * n));
    const num = idx.map((i) => {
      const orig = v[i];
      v[i] = orig + eps;
      const up = loss(values);
      v[i] = orig - eps;
      const down = loss(values);
      v[i] = orig;
      return (up - down) / (2 * eps);
    });
    const scale = Math.max(...num.map(Math.abs), ...idx.map((i) => Math.abs(analytic[ii][i])));
    let maxRelError = 0, maxAbsError = 0, worstIndex = -1;
    idx.forEach((i, j) => {
      const a = analytic[ii][i], d = Math.abs(a - num[j]);
      const rel = d / Math.max(Math.abs(a), Math.abs(num[j]), 1e-3 * scale, 1e-12);
      maxAbsError = Math.max(maxAbsError, d);
      if (rel > maxRelError || worstIndex < 0) [maxRelError, worstIndex] = [rel, i];
    });
    return { maxRelError, maxAbsError, worstIndex };
  });
  const maxRelError = Math.max(...perInput.map((p) => p.maxRelError));
  const maxAbsError = Math.max(...perInput.map((p) => p.maxAbsError));
  return { maxRelError, maxAbsError, perInput, ok: maxRelError <= tolerance };
}
