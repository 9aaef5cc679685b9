/**
 * Data-parallel training steps over several cores. TF.js's wasm backend runs every op on one
 * thread in Deno, so {@linkcode GradientWorkers} splits each batch: Web Workers hold replicas of
 * the model (sent the current weights with every step) and compute the gradient of their share
 * while the calling thread computes the first share; the shares' gradients, weighted by their
 * sizes, average to the whole batch's mean gradient, which the caller's optimizer applies. The
 * result is the same step as on one thread, up to float32 rounding.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type Share, shareLoss } from "./loss.ts";

/**
 * The mean loss of `share` and its gradients with respect to `model.trainableWeights` (in that
 * order), still as tensors: the caller disposes them.
 */
export function shareGradients(
  model: tf.LayersModel,
  share: Share,
): { loss: tf.Scalar; grads: tf.Tensor[] } {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => shareLoss(model, share), vars);
    return { loss: value, grads: vars.map((v) => grads[v.name]) };
  });
}

/** Throws, naming `op` and the field, unless `share` is a well-formed batch of images. */
function checkShare(op: string, share: Share): void {
  const { size, height, width, classes, images, labels } = share;
  for (const [name, v] of Object.entries({ size, height, width, classes })) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`${op}: batch.${name} must be a positive integer, got ${v}`);
    }
  }
  if (!(images instanceof Float32Array) || images.length !== size * height * width) {
    throw new RangeError(
      `${op}: batch.images must be a Float32Array of size·height·width = ` +
        `${size * height * width} values, got ${images?.length ?? images}`,
    );
  }
  if (labels?.length !== size || labels.some((l) => !(l >= 0 && l < classes))) {
    throw new RangeError(
      `${op}: batch.labels must hold ${size} integers in [0, ${classes}), got ` +
        (labels?.length === size ? `one outside` : `${labels?.length ?? labels} of them`),
    );
  }
}

/** What a worker is sent (after `init`) and what it answers. */
export type WorkerRequest =
  | { type: "init"; backend: string; topology: object }
  | { type: "step"; weights: Float32Array[]; share: Share };
export type WorkerReply =
  | { type: "ready" }
  | { type: "grads"; loss: number; grads: Float32Array[] }
  | { type: "error"; message: string };

/** Splits `size` into `parts` sizes that differ by at most one, larger first. */
export function splitSizes(size: number, parts: number): number[] {
  return Array.from(
    { length: parts },
    (_, i) => Math.floor(size / parts) + (i < size % parts ? 1 : 0),
  );
}

/** One worker and its request in flight. */
class Replica {
  #worker: Worker;
  #pending?: { resolve: (r: WorkerReply) => void; reject: (e: Error) => void };

  constructor() {
    this.#worker = new Worker(new URL("./grad_worker.ts", import.meta.url), { type: "module" });
    this.#worker.onmessage = (e: MessageEvent<WorkerReply>) => {
      const p = this.#pending;
      this.#pending = undefined;
      if (e.data.type === "error") p?.reject(new Error(`gradient worker: ${e.data.message}`));
      else p?.resolve(e.data);
    };
    this.#worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.#pending?.reject(new Error(`gradient worker failed: ${e.message}`));
      this.#pending = undefined;
    };
  }

  request(msg: WorkerRequest, transfer: Transferable[] = []): Promise<WorkerReply> {
    if (this.#pending) throw new Error("gradient worker: a request is already in flight");
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#worker.postMessage(msg, transfer);
    });
  }

  terminate(): void {
    this.#worker.terminate();
  }
}

/**
 * Worker threads that share each training step's batch with the calling thread.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { GradientWorkers, mnistCnn } from "@convgrad/nn";
 * import { setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const model = mnistCnn(), optimizer = tf.train.adam(1e-3);
 * const workers = await GradientWorkers.start(model, 2);
 * const images = new Float32Array(100 * 784), labels = new Int32Array(100);
 * const share = { images, labels, size: 100, height: 28, width: 28, classes: 10 };
 * console.log(await workers.step(optimizer, share)); // the batch's mean loss
 * workers.close();
 * ```
 */
export class GradientWorkers {
  readonly #model: tf.LayersModel;
  readonly #replicas: Replica[];

  private constructor(model: tf.LayersModel, replicas: Replica[]) {
    this.#model = model;
    this.#replicas = replicas;
  }

  /**
   * Starts `threads − 1` workers (the calling thread is the first), each with a replica of
   * `model` on the current TF.js backend. The model's layers must be registered for
   * serialization (every layer of `@convgrad/nn` and `tf.layers` is).
   */
  static async start(model: tf.LayersModel, threads: number): Promise<GradientWorkers> {
    if (!Number.isInteger(threads) || threads < 2) {
      throw new RangeError(
        `GradientWorkers.start: threads must be an integer >= 2, got ${threads}`,
      );
    }
    const replicas = Array.from({ length: threads - 1 }, () => new Replica());
    const init: WorkerRequest = {
      type: "init",
      backend: tf.getBackend(),
      topology: model.toJSON(null, false) as object,
    };
    try {
      await Promise.all(replicas.map((r) => r.request(init)));
    } catch (e) {
      replicas.forEach((r) => r.terminate());
      throw e;
    }
    return new GradientWorkers(model, replicas);
  }

  /**
   * One optimisation step on `batch`: the gradient of each share, averaged, applied with
   * `optimizer` to the model. Returns the batch's mean loss.
   */
  async step(optimizer: tf.Optimizer, batch: Share): Promise<number> {
    checkShare("GradientWorkers.step", batch);
    // No empty shares: a batch smaller than the thread count leaves some workers idle.
    const sizes = splitSizes(batch.size, Math.min(this.#replicas.length + 1, batch.size));
    const weights = this.#model.getWeights().map((w) => w.dataSync() as Float32Array);
    const pixels = batch.height * batch.width;
    let start = sizes[0];
    const replies = this.#replicas.slice(0, sizes.length - 1).map((r, i) => {
      const size = sizes[i + 1], end = start + size;
      const share = {
        ...batch,
        images: batch.images.slice(start * pixels, end * pixels),
        labels: batch.labels.slice(start, end),
        size,
      };
      start = end;
      const copies = weights.map((w) => w.slice());
      return r.request({ type: "step", weights: copies, share }, [
        share.images.buffer as ArrayBuffer,
        share.labels.buffer as ArrayBuffer,
        ...copies.map((c) => c.buffer as ArrayBuffer),
      ]);
    });
    let mine: ReturnType<typeof shareGradients>;
    try {
      mine = shareGradients(this.#model, {
        ...batch,
        images: batch.images.subarray(0, sizes[0] * pixels),
        labels: batch.labels.subarray(0, sizes[0]),
        size: sizes[0],
      });
    } catch (e) {
      await Promise.allSettled(replies); // leave no request in flight
      throw e;
    }
    try {
      const theirs = (await Promise.all(replies)) as Extract<WorkerReply, { type: "grads" }>[];
      const w0 = sizes[0] / batch.size;
      let loss = mine.loss.dataSync()[0] * w0;
      theirs.forEach((t, i) => loss += t.loss * sizes[i + 1] / batch.size);
      tf.tidy(() => {
        const vars = this.#model.trainableWeights.map((w) => w.read() as tf.Variable);
        const mean: tf.NamedTensorMap = {};
        vars.forEach((v, j) => {
          mean[v.name] = theirs.reduce(
            (g, t, i) => g.add(tf.tensor(t.grads[j], v.shape).mul(sizes[i + 1] / batch.size)),
            mine.grads[j].mul(w0),
          );
        });
        optimizer.applyGradients(mean);
      });
      return loss;
    } finally {
      tf.dispose([mine.loss, ...mine.grads]);
    }
  }

  /** Stops the workers. */
  close(): void {
    this.#replicas.forEach((r) => r.terminate());
  }
}
