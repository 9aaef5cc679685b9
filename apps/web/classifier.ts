/**
 * The demo's model side, free of the DOM: a loaded digit classifier that returns, for one 28x28
 * image, the class probabilities, the activation maps of its first conv layer and the time the
 * forward pass took, on whatever backend is active.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** One entry of `model/models.json`, the list behind the page's model switch. */
export interface ModelEntry {
  /** Stable id (the `<option>` value). */
  id: string;
  /** Name shown in the switch. */
  name: string;
  /** `model.json`, relative to `models.json`. */
  path: string;
  /** One line on the architecture. */
  description: string;
  /** Accuracy on the 10k MNIST test images. */
  testAccuracy: number;
  /** The command that trained it. */
  command: string;
}

/** `model/samples.json`: a few MNIST test digits for the sample buttons. */
export interface SampleFile {
  /** Where the images come from. */
  source: string;
  /** One per digit. */
  samples: {
    /** Index in the test set. */
    index: number;
    /** The true digit. */
    label: number;
    /** 28·28 bytes, row-major, base64. */
    pixels: string;
  }[];
}

/** Side length of the images the classifier takes. */
export const IMAGE_SIZE = 28;

/** What {@linkcode Classifier.predict} returns. */
export interface Prediction {
  /** P(digit = d) for d = 0..9. */
  probabilities: Float32Array;
  /** The most probable digit. */
  digit: number;
  /** The first conv layer's output maps (after its activation, if one follows), `[F,Ho,Wo]`. */
  maps: Float32Array;
  /** `[F,Ho,Wo]`. */
  mapShape: [number, number, number];
  /** Milliseconds from input to both results read back on the CPU. */
  ms: number;
  /** The TF.js backend it ran on. */
  backend: string;
}

/**
 * The first conv layer of `model` (the first layer with a rank-4 kernel `[F,C,kh,kw]`) and the
 * layer whose output the activation maps show: the one right after it when that is a weightless
 * layer keeping its shape (the ReLU), else the conv itself.
 */
function firstConv(model: tf.LayersModel): { conv: tf.layers.Layer; maps: tf.layers.Layer } {
  const i = model.layers.findIndex((l) => l.getWeights()[0]?.rank === 4);
  if (i < 0) {
    throw new TypeError("Classifier: the model has no conv layer with a [F,C,kh,kw] kernel");
  }
  const conv = model.layers[i], next = model.layers[i + 1];
  const sameShape = next !== undefined &&
    JSON.stringify(next.outputShape) === JSON.stringify(conv.outputShape);
  return { conv, maps: sameShape && next.getWeights().length === 0 ? next : conv };
}

/**
 * A digit classifier over a Keras-style model that maps `[N,1,28,28]` in [0, 1] to `[N,10]`
 * probabilities (the models of `deno task mnist`).
 *
 * @example
 * ```ts
 * import { mnistCnn } from "@convgrad/nn";
 * import { Classifier } from "./classifier.ts";
 * import { setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const c = new Classifier(mnistCnn({ hidden: 32 }));
 * const p = await c.predict(new Float32Array(28 * 28));
 * console.log(p.digit, p.probabilities, p.ms);
 * c.dispose();
 * ```
 */
export class Classifier {
  /** The model it wraps (disposed with the classifier). */
  readonly model: tf.LayersModel;
  /** Shape `[F,Ho,Wo]` of the activation maps {@linkcode Classifier.predict} returns. */
  readonly mapShape: [number, number, number];
  private readonly probe: tf.LayersModel;
  private readonly conv: tf.layers.Layer;

  /** Wraps `model`; throws unless it maps `[N,1,28,28]` to `[N,10]` through a conv layer. */
  constructor(model: tf.LayersModel) {
    if (!(model instanceof tf.LayersModel)) {
      throw new TypeError(`Classifier: model must be a tf.LayersModel, got ${model}`);
    }
    const inShape = model.inputs[0]?.shape, outShape = model.outputs[0]?.shape;
    if (JSON.stringify(inShape?.slice(1)) !== "[1,28,28]" || outShape?.[1] !== 10) {
      throw new RangeError(
        `Classifier: model must map [N,1,28,28] to [N,10], got [${inShape}] → [${outShape}]`,
      );
    }
    const { conv, maps } = firstConv(model);
    this.model = model;
    this.conv = conv;
    // One pass gives both what the page shows: the maps and the probabilities.
    this.probe = tf.model({
      inputs: model.inputs,
      outputs: [maps.output as tf.SymbolicTensor, model.outputs[0]],
    });
    const [, F, Ho, Wo] = this.probe.outputs[0].shape as number[];
    this.mapShape = [F, Ho, Wo];
  }

  /**
   * Loads a model saved by `deno task mnist` (`tf.loadLayersModel`; import `@convgrad/nn` first
   * so that its layers are registered).
   *
   * @example
   * ```ts
   * import "@convgrad/nn";
   * import { setBackend } from "@convgrad/ops";
   * import { Classifier } from "./classifier.ts";
   * await setBackend("wasm");
   * // In the page a relative URL; here the committed model's file URL.
   * const c = await Classifier.load(new URL("./model/cnn/model.json", import.meta.url).href);
   * c.dispose();
   * ```
   */
  static async load(url: string | tf.io.IOHandler): Promise<Classifier> {
    return new Classifier(await tf.loadLayersModel(url));
  }

  /** The first conv layer's kernel, `[F,C,kh,kw]`, copied to the CPU. */
  filters(): { data: Float32Array; shape: [number, number, number, number] } {
    const k = this.conv.getWeights()[0];
    return {
      data: k.dataSync() as Float32Array,
      shape: k.shape as [number, number, number, number],
    };
  }

  /**
   * Classifies one image: 28·28 values in [0, 1], row-major, white digit on black (MNIST's
   * convention).
   */
  async predict(image: Float32Array): Promise<Prediction> {
    if (!(image instanceof Float32Array) || image.length !== IMAGE_SIZE * IMAGE_SIZE) {
      throw new RangeError(
        `Classifier.predict: image must be a Float32Array of ${IMAGE_SIZE * IMAGE_SIZE} values, ` +
          `got ${image instanceof Float32Array ? image.length + " values" : image}`,
      );
    }
    const t0 = performance.now();
    const [maps, probs] = tf.tidy(() => {
      const x = tf.tensor4d(image, [1, 1, IMAGE_SIZE, IMAGE_SIZE]); // [1,1,28,28]
      return this.probe.predict(x) as tf.Tensor[]; // [1,F,Ho,Wo], [1,10]
    });
    try {
      const [m, p] = await Promise.all([maps.data(), probs.data()]) as Float32Array[];
      const ms = performance.now() - t0;
      let digit = 0;
      for (let d = 1; d < p.length; d++) if (p[d] > p[digit]) digit = d;
      const [, F, Ho, Wo] = maps.shape;
      return {
        probabilities: p,
        digit,
        maps: m,
        mapShape: [F, Ho, Wo],
        ms,
        backend: tf.getBackend(),
      };
    } finally {
      tf.dispose([maps, probs]);
    }
  }

  /** Frees the model's weights. */
  dispose(): void {
    this.model.dispose();
  }
}
