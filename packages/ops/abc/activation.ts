/**
 * ABC-Net's multiple binary activations (§3.2): `A ≈ Σ_n β_n H_{v_n}(R)` with
 * `H_v(R) = 2·[clip(R + v, 0, 1) ≥ 0.5] − 1` and trainable shifts `v` and scales `β`.
 *
 * `H_v` is a step at `R = 0.5 − v`, so its true derivative in R and v is zero almost everywhere.
 * The backward pass is straight-through inside the clip range: `∂H_v(R)/∂R = ∂H_v(R)/∂v =
 * 1[0 ≤ R + v ≤ 1]` (the slope of the clip, 1; outside the range the clip is flat and so is the
 * gradient). `β` enters linearly, so `∂A/∂β_n = H_{v_n}(R)` is exact.
 *
 * Since `clip` is monotone and `0.5 ∈ [0, 1]`, `clip(s, 0, 1) ≥ 0.5 ⇔ s ≥ 0.5`: the forward pass
 * compares directly.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

function checkParams(op: string, name: string, t: unknown): tf.Tensor1D {
  if (!(t instanceof tf.Tensor)) {
    throw new TypeError(`${op}: ${name} must be a tf.Tensor, got ${t}`);
  }
  if (t.rank !== 1 || t.size === 0) {
    throw new RangeError(`${op}: ${name} must have shape [N] with N >= 1, got [${t.shape}]`);
  }
  if (t.dtype !== "float32") {
    throw new TypeError(`${op}: ${name} must have dtype float32, got ${t.dtype}`);
  }
  return t as tf.Tensor1D;
}

/**
 * `Σ_n β_n H_{v_n}(r)`, the ABC-Net approximation of an activation by `N` shifted binary ones,
 * with the straight-through gradient described in the module docs for `r` and `v` and the exact
 * one for `beta`.
 *
 * @param r real activation, any shape, float32
 * @param v shifts `[N]`, float32
 * @param beta scales `[N]`, float32
 * @returns the shape of `r`
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { abcActivation, setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const r = tf.tensor1d([0.1, 0.4, 0.9]);
 * // thresholds 0.5 − v = 0.25 and 0.75
 * abcActivation(r, tf.tensor1d([0.25, -0.25]), tf.tensor1d([0.5, 0.5])).print(); // [-1, 0, 1]
 * ```
 */
export function abcActivation(r: tf.Tensor, v: tf.Tensor1D, beta: tf.Tensor1D): tf.Tensor {
  const op = "abcActivation";
  if (!(r instanceof tf.Tensor)) throw new TypeError(`${op}: r must be a tf.Tensor, got ${r}`);
  if (r.dtype !== "float32") {
    throw new TypeError(`${op}: r must have dtype float32, got ${r.dtype}`);
  }
  checkParams(op, "v", v);
  checkParams(op, "beta", beta);
  if (v.size !== beta.size) {
    throw new RangeError(
      `${op}: v and beta must have the same length N, got [${v.shape}] and [${beta.shape}]`,
    );
  }
  const N = v.size, n = r.size;
  return tf.customGrad((r, v, beta, save) => {
    const rt = r as tf.Tensor, vt = v as tf.Tensor, bt = beta as tf.Tensor;
    const s = rt.reshape([1, n]).add(vt.reshape([N, 1])); // [N,n]: R + v_n
    const h = s.greaterEqual(0.5).cast("float32").mul(2).sub(1); // [N,n]: H_{v_n}(R)
    const inside = s.greaterEqual(0).logicalAnd(s.lessEqual(1)).cast("float32"); // [N,n]
    (save as tf.GradSaveFunc)([bt, h, inside]);
    return {
      value: tf.matMul(bt.reshape([1, N]), h).reshape(rt.shape),
      gradFunc: (dy: tf.Tensor, [beta, h, inside]: tf.Tensor[]) => {
        const g = dy.reshape([n, 1]);
        return [
          tf.matMul(beta.reshape([1, N]), inside).reshape(dy.shape).mul(dy), // Σ_n β_n 1_n ⊙ dy
          tf.matMul(inside, g).reshape([N]).mul(beta), // β_n Σ 1_n ⊙ dy
          tf.matMul(h, g).reshape([N]), // Σ H_n ⊙ dy
        ];
      },
    };
  })(r, v, beta);
}

/**
 * Default shifts for `N` activation bases on inputs in `[0, 1]` (e.g. pixels): thresholds
 * `0.5 − v_n = n/(N+1)`, evenly inside the range.
 *
 * @example
 * ```ts
 * import { activationShifts } from "@convgrad/ops";
 * activationShifts(3); // [0.25, 0, -0.25]
 * ```
 */
export function activationShifts(N: number): number[] {
  if (!Number.isInteger(N) || N < 1) {
    throw new RangeError(`activationShifts: N must be an integer >= 1, got ${N}`);
  }
  return Array.from({ length: N }, (_, i) => 0.5 - (i + 1) / (N + 1));
}
