/**
 * One Adam step of a weight as one kernel: on cpu and wasm the update of the weight and both
 * moments is a single pass over memory, where TF.js's AdamOptimizer runs 14 elementwise kernels
 * (each allocating its output). Other backends run those kernels, in the same order.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { ADAM_UPDATE, type AdamAttrs } from "./kernel_names.ts";

/** Settings of {@linkcode adamUpdate}: the optimizer's, and where it is in its run. */
export interface AdamStepOptions {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** β1^t for step t (1-based), as the optimizer keeps it. */
  accBeta1: number;
  /** β2^t for step t. */
  accBeta2: number;
}

const f32 = Math.fround;

/** The attrs of the kernel: each constant rounded to float32 as the stock optimizer rounds it. */
function adamAttrs(o: AdamStepOptions): AdamAttrs {
  return {
    b1: f32(o.beta1),
    c1: f32(1 - o.beta1),
    b2: f32(o.beta2),
    c2: f32(1 - o.beta2),
    d1: f32(1 - f32(o.accBeta1)),
    d2: f32(1 - f32(o.accBeta2)),
    eps: f32(o.epsilon),
    nlr: f32(-o.learningRate),
  };
}

function checkOptions(o: AdamStepOptions): void {
  if (o === null || typeof o !== "object") {
    throw new TypeError(`adamUpdate: options must be an object, got ${JSON.stringify(o)}`);
  }
  const open01 = (v: number) => v > 0 && v < 1;
  const checks: [keyof AdamStepOptions, (v: number) => boolean, string][] = [
    ["learningRate", (v) => v > 0 && Number.isFinite(v), "a finite number > 0"],
    ["beta1", (v) => v >= 0 && v < 1, "in [0, 1)"],
    ["beta2", (v) => v >= 0 && v < 1, "in [0, 1)"],
    ["epsilon", (v) => v > 0 && Number.isFinite(v), "a finite number > 0"],
    ["accBeta1", (v) => open01(v) || (v === 0 && o.beta1 === 0), "β1^t in (0, 1)"],
    ["accBeta2", (v) => open01(v) || (v === 0 && o.beta2 === 0), "β2^t in (0, 1)"],
  ];
  for (const [name, ok, what] of checks) {
    if (typeof o[name] !== "number" || !ok(o[name])) {
      throw new RangeError(`adamUpdate: ${name} must be ${what}, got ${o[name]}`);
    }
  }
}

/**
 * One Adam step of weight `x` with gradient `g` and moments `m`, `v` (all float32, one shape):
 * `m' = β1·m + (1−β1)·g`, `v' = β2·v + (1−β2)·g²`,
 * `x' = x − lr · (m'/(1−β1^t)) / (√(v'/(1−β2^t)) + ε)`, in float32 with the same operations in
 * the same order as TF.js's `tf.train.adam`, so the result equals its step to the bit. Returns
 * `[x', m', v']`; not differentiable.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { adamUpdate, setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const [x, m, v] = adamUpdate(tf.ones([3]), tf.zeros([3]), tf.zeros([3]), tf.ones([3]), {
 *   learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, accBeta1: 0.9, accBeta2: 0.999,
 * });
 * x.print(); // [0.9, 0.9, 0.9]
 * ```
 */
export function adamUpdate(
  x: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  g: tf.Tensor,
  opts: AdamStepOptions,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  for (const [name, t] of Object.entries({ x, m, v, g })) {
    if (!(t instanceof tf.Tensor)) {
      throw new TypeError(`adamUpdate: ${name} must be a tf.Tensor, got ${typeof t}`);
    }
    if (t.dtype !== "float32") {
      throw new TypeError(`adamUpdate: ${name} must have dtype float32, got ${t.dtype}`);
    }
    if (!tf.util.arraysEqual(t.shape, x.shape)) {
      throw new RangeError(
        `adamUpdate: ${name} must have x's shape [${x.shape}], got [${t.shape}]`,
      );
    }
  }
  checkOptions(opts);
  const a = adamAttrs(opts);
  if (tf.getKernel(ADAM_UPDATE, tf.getBackend()) !== undefined) {
    return tf.engine().runKernel(ADAM_UPDATE, { x, m, v, g }, { ...a }) as unknown as [
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
    ];
  }
  return tf.tidy(() => {
    const m1 = tf.add(tf.mul(m, a.b1), tf.mul(g, a.c1));
    const v1 = tf.add(tf.mul(v, a.b2), tf.mul(tf.square(g), a.c2));
    const step = tf.div(tf.div(m1, a.d1), tf.add(tf.sqrt(tf.div(v1, a.d2)), a.eps));
    return [tf.add(tf.mul(step, a.nlr), x), m1, v1];
  });
}
