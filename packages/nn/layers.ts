/**
 * `tf.layers` layers over convgrad's ops, NCHW inside, serializable so that a trained model saves
 * as a standard TF.js `model.json` + weights and loads back with `tf.loadLayersModel`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { filt, matMul, maxPool, outSize, toPair } from "@convgrad/ops";

type Pair = [number, number];

/** Configuration of {@linkcode FiltConv2D}. */
export interface FiltConv2DConfig {
  /** Number of filters F. */
  filters: number;
  /** Kernel size: a number or `[kh, kw]`. */
  kernelSize: number | Pair;
  /** Default 1. */
  stride?: number | Pair;
  /** Zero padding on each side. Default 0 ("valid"). */
  pad?: number | Pair;
  /** Add a per-filter bias. Default true. */
  useBias?: boolean;
  /**
   * Half-width of the uniform initialisation `U(−b, b)` of the kernel. Default
   * `sqrt(6 / (fanIn + fanOut))` (Glorot uniform). The bias starts at zero.
   */
  initScale?: number;
  /** Seed of the kernel initialisation. */
  seed?: number;
  /** Input shape without the batch, `[C,H,W]`, for the first layer of a model. */
  inputShape?: number[];
  name?: string;
  trainable?: boolean;
}

/**
 * A conv layer computing `y = filt(x, K) + b` on NCHW input `[N,C,H,W]` → `[N,F,Ho,Wo]`, with
 * convgrad's kernels and gradients on whatever backend is active.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { FiltConv2D } from "@convgrad/nn";
 * import { setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const model = tf.sequential({
 *   layers: [new FiltConv2D({ filters: 8, kernelSize: 3, inputShape: [1, 28, 28] })],
 * });
 * model.predict(tf.zeros([2, 1, 28, 28])); // [2, 8, 26, 26]
 * ```
 */
export class FiltConv2D extends tf.layers.Layer {
  /** Name under which the class is registered for (de)serialization. */
  static className = "FiltConv2D";
  readonly filters: number;
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly pad: Pair;
  readonly useBias: boolean;
  readonly initScale?: number;
  readonly seed?: number;
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(config: FiltConv2DConfig) {
    super(config);
    if (config === null || typeof config !== "object") {
      throw new TypeError(`FiltConv2D: config must be an object, got ${config}`);
    }
    if (!Number.isInteger(config.filters) || config.filters < 1) {
      throw new RangeError(
        `FiltConv2D: filters must be a positive integer, got ${config.filters}`,
      );
    }
    if (config.initScale !== undefined && !(config.initScale > 0)) {
      throw new RangeError(`FiltConv2D: initScale must be > 0, got ${config.initScale}`);
    }
    this.filters = config.filters;
    this.kernelSize = toPair("FiltConv2D", "kernelSize", config.kernelSize, undefined, 1);
    this.stride = toPair("FiltConv2D", "stride", config.stride, 1, 1);
    this.pad = toPair("FiltConv2D", "pad", config.pad, 0, 0);
    this.useBias = config.useBias ?? true;
    this.initScale = config.initScale;
    this.seed = config.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (shape.length !== 4 || shape[1] === null) {
      throw new RangeError(
        `FiltConv2D: input must be [N,C,H,W] with known C, got [${shape.join(",")}]`,
      );
    }
    const C = shape[1] as number, [kh, kw] = this.kernelSize;
    const fanIn = C * kh * kw, fanOut = this.filters * kh * kw;
    const b = this.initScale ?? Math.sqrt(6 / (fanIn + fanOut));
    this.kernel = this.addWeight(
      "kernel",
      [this.filters, C, kh, kw],
      "float32",
      tf.initializers.randomUniform({ minval: -b, maxval: b, seed: this.seed }),
    );
    if (this.useBias) {
      this.bias = this.addWeight("bias", [this.filters], "float32", tf.initializers.zeros());
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [N, , H, W] = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const [kh, kw] = this.kernelSize, [sh, sw] = this.stride, [ph, pw] = this.pad;
    const out = (s: number | null, k: number, st: number, p: number) =>
      s === null ? null : outSize(s, k, st, p);
    return [N, this.filters, out(H, kh, sh, ph), out(W, kw, sw, pw)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D; // [N,C,H,W]
      const y = filt(x, this.kernel!.read() as tf.Tensor4D, { stride: this.stride, pad: this.pad });
      return this.bias ? y.add(this.bias.read().reshape([1, this.filters, 1, 1])) : y; // [N,F,Ho,Wo]
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      stride: this.stride,
      pad: this.pad,
      useBias: this.useBias,
      ...(this.initScale === undefined ? {} : { initScale: this.initScale }),
      ...(this.seed === undefined ? {} : { seed: this.seed }),
    };
  }
}
tf.serialization.registerClass(FiltConv2D);

/** Configuration of {@linkcode MaxPoolNCHW}. */
export interface MaxPoolNCHWConfig {
  /** Window size and stride (non-overlapping windows). */
  poolSize: number;
  name?: string;
}

/**
 * Non-overlapping max-pooling on NCHW input, `[N,C,H,W]` → `[N,C,⌊H/k⌋,⌊W/k⌋]`, over convgrad's
 * `maxPool` kernel (stock pooling layers are NHWC only, and stock wasm's pooling gradient is wrong
 * for all-negative windows).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { MaxPoolNCHW } from "@convgrad/nn";
 * import { setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const y = new MaxPoolNCHW({ poolSize: 2 }).apply(tf.ones([1, 3, 4, 4])) as tf.Tensor; // [1,3,2,2]
 * ```
 */
export class MaxPoolNCHW extends tf.layers.Layer {
  /** Name under which the class is registered for (de)serialization. */
  static className = "MaxPoolNCHW";
  readonly poolSize: number;

  constructor(config: MaxPoolNCHWConfig) {
    super(config);
    if (!Number.isInteger(config?.poolSize) || config.poolSize < 1) {
      throw new RangeError(
        `MaxPoolNCHW: poolSize must be a positive integer, got ${config?.poolSize}`,
      );
    }
    this.poolSize = config.poolSize;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [N, C, H, W] = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const k = this.poolSize;
    const out = (s: number | null) => s === null ? null : outSize(s, k, k, 0); // ⌊s/k⌋
    return [N, C, out(H), out(W)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D; // [N,C,H,W]
    return maxPool(x, this.poolSize); // [N,C,H/k,W/k]
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), poolSize: this.poolSize };
  }
}
tf.serialization.registerClass(MaxPoolNCHW);

/** Configuration of {@linkcode Dense}. */
export interface DenseConfig {
  units: number;
  /** `"relu"`, `"softmax"` or none. */
  activation?: "relu" | "softmax" | "linear";
  /** Seed of the Glorot-uniform initialisation. */
  seed?: number;
  name?: string;
}

/**
 * A fully connected layer `y = act(x W + b)` on `[B, in]`, like `tf.layers.dense` but through
 * convgrad's `matMul`, whose products (the gradient's transposed ones too) are our GEMM on wasm.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { Dense } from "@convgrad/nn/layers";
 * import { setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const y = new Dense({ units: 10, activation: "softmax" }).apply(tf.ones([2, 5])) as tf.Tensor;
 * ```
 */
export class Dense extends tf.layers.Layer {
  /** Name under which the class is registered for (de)serialization. */
  static className = "ConvgradDense";
  readonly units: number;
  readonly activation: "relu" | "softmax" | "linear";
  readonly seed?: number;
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(config: DenseConfig) {
    super(config);
    if (!Number.isInteger(config?.units) || config.units < 1) {
      throw new RangeError(`Dense: units must be a positive integer, got ${config?.units}`);
    }
    const act = config.activation ?? "linear";
    if (!["relu", "softmax", "linear"].includes(act)) {
      throw new RangeError(`Dense: activation must be relu, softmax or linear, got ${act}`);
    }
    this.units = config.units;
    this.activation = act;
    this.seed = config.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (shape.length !== 2 || shape[1] === null) {
      throw new RangeError(`Dense: input must be [B, in] with known in, got [${shape}]`);
    }
    const init = tf.initializers.glorotUniform({ seed: this.seed });
    this.kernel = this.addWeight("kernel", [shape[1] as number, this.units], "float32", init);
    this.bias = this.addWeight("bias", [this.units], "float32", tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0], this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D; // [B,in]
      const z = matMul(x, this.kernel!.read() as tf.Tensor2D).add(this.bias!.read());
      return this.activation === "relu"
        ? tf.relu(z)
        : this.activation === "softmax"
        ? tf.softmax(z)
        : z; // [B,units]
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation,
      ...(this.seed === undefined ? {} : { seed: this.seed }),
    };
  }
}
tf.serialization.registerClass(Dense);

/**
 * `x [N,C,H,W] + b [C]` per channel, with db = Σ dY over N, H and W taken as a sum over the last
 * axis of dY as [N·C, H·W], then over the first of the [N, C] result: stock wasm's `Sum` over
 * axes [0,2,3] (the stock gradient of the broadcast add) transposes all of dY first.
 */
const addChannelBias = tf.customGrad(
  ((x: tf.Tensor4D, b: tf.Tensor1D) => {
    const [N, C, H, W] = x.shape;
    return {
      value: x.add(b.reshape([1, C, 1, 1])), // [N,C,H,W]
      gradFunc: (dy: tf.Tensor4D) => [
        dy.reshape(x.shape), // dX
        dy.reshape([N * C, H * W]).sum(1).reshape([N, C]).sum(0), // db [C]
      ],
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0],
) as unknown as (x: tf.Tensor4D, b: tf.Tensor1D) => tf.Tensor4D;

/**
 * Adds a learned per-channel bias to NCHW input: `y[n,c] = x[n,c] + b[c]`, `b` starting at 0.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { ChannelBias } from "@convgrad/nn/layers";
 * import { setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const y = new ChannelBias({}).apply(tf.ones([2, 3, 4, 4])) as tf.Tensor; // [2,3,4,4]
 * ```
 */
export class ChannelBias extends tf.layers.Layer {
  /** Name under which the class is registered for (de)serialization. */
  static className = "ChannelBias";
  private bias?: tf.LayerVariable;

  constructor(config: { name?: string } = {}) {
    super(config);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (shape.length !== 4 || shape[1] === null) {
      throw new RangeError(`ChannelBias: input must be [N,C,H,W] with known C, got [${shape}]`);
    }
    this.bias = this.addWeight("bias", [shape[1] as number], "float32", tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D; // [N,C,H,W]
      return addChannelBias(x, this.bias!.read() as tf.Tensor1D);
    });
  }
}
tf.serialization.registerClass(ChannelBias);
