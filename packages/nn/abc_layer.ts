/**
 * ABC-Net's binarized convolution as a `tf.layers` layer.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  ABC_GRADIENTS,
  abcActivation,
  abcConv2d,
  type AbcGradient,
  activationShifts,
} from "@convgrad/ops";
import { FiltConv2D, type FiltConv2DConfig } from "./layers.ts";

/** Configuration of {@linkcode ABCConv2D}: a {@linkcode FiltConv2D}'s plus the bases. */
export interface ABCConv2DConfig extends FiltConv2DConfig {
  /** Weight bases, `>= 1`. */
  M: number;
  /**
   * Activation bases: `0` (default) binarizes only the weights; `N >= 1` first replaces the
   * input by `Σ_n β_n H_{v_n}(x)` with trainable shifts `v` (initially thresholds `n/(N+1)`, for
   * inputs in [0, 1]) and scales `β` (initially `1/N`).
   */
  N?: number;
  /** The weight-gradient rule of `abcConv2d`. Default `'ste'`. */
  gradient?: AbcGradient;
}

/**
 * A conv layer over NCHW input whose real-valued kernel W is used only through ABC-Net's
 * binarization: `y = Σ_m α_m filt(A, B_m) + b` (`abcConv2d`), `A` the input or its `N` binary
 * activation bases. It is a {@linkcode FiltConv2D} (same options, initialisation, output shape and
 * kernel/bias weights, in that order) with `M`, `N` and `gradient` on top; the activation shifts
 * and scales follow as weights `shifts` and `scales`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { setBackend } from "@convgrad/ops";
 * import { ABCConv2D } from "@convgrad/nn";
 * await setBackend("wasm");
 * const layer = new ABCConv2D({ filters: 8, kernelSize: 3, M: 3, N: 3, gradient: "ste" });
 * const y = layer.apply(tf.randomUniform([2, 1, 28, 28])) as tf.Tensor; // [2, 8, 26, 26]
 * ```
 */
export class ABCConv2D extends FiltConv2D {
  /** Name under which the class is registered for (de)serialization. */
  static override className = "ABCConv2D";
  /** Weight bases. */
  readonly M: number;
  /** Activation bases; 0 when only the weights are binarized. */
  readonly N: number;
  /** The weight-gradient rule. */
  readonly gradient: AbcGradient;
  private latent?: tf.LayerVariable;
  private offset?: tf.LayerVariable;
  private shifts?: tf.LayerVariable;
  private scales?: tf.LayerVariable;

  /** Validates `config`; the weights are created on the first call (`build`). */
  constructor(config: ABCConv2DConfig) {
    super(config);
    if (!Number.isInteger(config.M) || config.M < 1) {
      throw new RangeError(`ABCConv2D: M must be an integer >= 1, got ${config.M}`);
    }
    const N = config.N ?? 0;
    if (!Number.isInteger(N) || N < 0) {
      throw new RangeError(`ABCConv2D: N must be an integer >= 0, got ${config.N}`);
    }
    const gradient = config.gradient ?? "ste";
    if (!ABC_GRADIENTS.includes(gradient)) {
      throw new RangeError(
        `ABCConv2D: gradient must be one of ${ABC_GRADIENTS.join(", ")}, got ${
          JSON.stringify(config.gradient)
        }`,
      );
    }
    this.M = config.M;
    this.N = N;
    this.gradient = gradient;
  }

  /** Creates FiltConv2D's kernel and bias, then the activation shifts and scales. */
  override build(inputShape: tf.Shape | tf.Shape[]): void {
    super.build(inputShape);
    // FiltConv2D's weights, in its (serialized) order: the kernel, then the bias if any.
    [this.latent, this.offset] = this.weights;
    if (this.N > 0) {
      this.shifts = this.addWeight("shifts", [this.N], "float32", tf.initializers.zeros());
      this.scales = this.addWeight(
        "scales",
        [this.N],
        "float32",
        tf.initializers.constant({ value: 1 / this.N }),
      );
      // No stock initializer takes a list of values: write the per-base shifts in.
      const shifts = tf.tensor1d(activationShifts(this.N));
      this.shifts.write(shifts);
      shifts.dispose();
    }
  }

  /** `[N,C,H,W]` → `[N,F,Ho,Wo]`: activation bases (if any), then `abcConv2d` plus the bias. */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      let x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D; // [N,C,H,W]
      if (this.shifts && this.scales) {
        x = abcActivation(
          x,
          this.shifts.read() as tf.Tensor1D,
          this.scales.read() as tf.Tensor1D,
        ) as tf.Tensor4D;
      }
      const y = abcConv2d(x, this.latent!.read() as tf.Tensor4D, {
        M: this.M,
        gradient: this.gradient,
        stride: this.stride,
        pad: this.pad,
      }); // [N,F,Ho,Wo]
      return this.offset ? y.add(this.offset.read().reshape([1, this.filters, 1, 1])) : y;
    });
  }

  /** FiltConv2D's configuration plus `M`, `N` and `gradient`. */
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), M: this.M, N: this.N, gradient: this.gradient };
  }

  /**
   * Builds the layer from a saved config. TF.js snake-cases config keys on save and camel-cases
   * keys and string values on load, which turns `M`, `N` into `m`, `n` and `'alpha_exact'` into
   * `'alphaExact'`: map them back.
   */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const { m, n, gradient, ...rest } = config;
    const rule = typeof gradient === "string"
      ? gradient.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
      : gradient;
    return new cls({ ...rest, M: rest.M ?? m, N: rest.N ?? n, gradient: rule });
  }
}
tf.serialization.registerClass(ABCConv2D);
