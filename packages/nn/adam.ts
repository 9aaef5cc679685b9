/**
 * `tf.train.adam` with each weight's update fused into one kernel (`adamUpdate` of
 * `@convgrad/ops`): the same optimizer class, state and checkpoint format, the same float32
 * result to the bit, and 17 fewer kernels and tensors per weight and step.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { adamUpdate } from "@convgrad/ops";

/** The state of `tf.AdamOptimizer` that its typings keep private. */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
}

/**
 * Adam whose step runs one fused kernel per weight. A `tf.AdamOptimizer`: `getWeights`,
 * `setWeights` and serialization are the stock ones, so checkpoints are interchangeable.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { setBackend } from "@convgrad/ops";
 * import { FusedAdam } from "@convgrad/nn";
 * await setBackend("wasm");
 * const w = tf.variable(tf.ones([2]));
 * const opt = new FusedAdam(0.1);
 * opt.minimize(() => w.square().sum());
 * w.print(); // [0.9, 0.9]
 * ```
 */
export class FusedAdam extends tf.AdamOptimizer {
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number) {
    if (!(learningRate > 0)) {
      throw new RangeError(`FusedAdam: learningRate must be > 0, got ${learningRate}`);
    }
    super(learningRate, beta1, beta2, epsilon);
  }

  override applyGradients(
    variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[],
  ): void {
    const s = this as unknown as AdamState;
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    tf.tidy(() => {
      const opts = {
        learningRate: this.learningRate,
        beta1: this.beta1,
        beta2: this.beta2,
        epsilon: this.epsilon,
        accBeta1: s.accBeta1.dataSync()[0],
        accBeta2: s.accBeta2.dataSync()[0],
      };
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        // Moments are made on first use, named as the stock optimizer names them.
        const moments = [s.accumulatedFirstMoment, s.accumulatedSecondMoment];
        moments.forEach((slots, j) => {
          slots[i] ??= {
            originalName: `${name}/${"mv"[j]}`,
            variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
          };
        });
        const g = Array.isArray(variableGradients)
          ? variableGradients[i].tensor
          : variableGradients[name];
        if (g == null) return;
        const m = s.accumulatedFirstMoment[i].variable, v = s.accumulatedSecondMoment[i].variable;
        const [x1, m1, v1] = adamUpdate(value, m, v, g, opts);
        m.assign(m1);
        v.assign(v1);
        value.assign(x1);
      });
      s.accBeta1.assign(tf.mul(s.accBeta1, this.beta1));
      s.accBeta2.assign(tf.mul(s.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}
