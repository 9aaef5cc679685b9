/**
 * The worker side of {@linkcode GradientWorkers}: a replica of the model that answers each step
 * (the current weights and a batch share) with the share's mean loss and gradients.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type BackendName, setBackend } from "@convgrad/ops";
// The layer classes a replica may need, registered for deserialization on import.
import "./layers.ts";
import "./abc_layer.ts";
import { shareGradients, type WorkerReply, type WorkerRequest } from "./parallel.ts";

const scope = self as unknown as {
  onmessage: (e: MessageEvent<WorkerRequest>) => void;
  postMessage(m: WorkerReply, transfer?: Transferable[]): void;
};
let model: tf.LayersModel | undefined;

async function handle(msg: WorkerRequest): Promise<void> {
  if (msg.type === "init") {
    await setBackend(msg.backend as BackendName);
    model = await tf.models.modelFromJSON(
      msg.topology as Parameters<typeof tf.models.modelFromJSON>[0],
    );
    return scope.postMessage({ type: "ready" });
  }
  if (!model) throw new Error("step before init");
  const m = model;
  tf.tidy(() =>
    m.setWeights(msg.weights.map((w, i) => tf.tensor(w, m.weights[i].shape as number[])))
  );
  const { loss, grads } = shareGradients(m, msg.share);
  const arrays = grads.map((g) => g.dataSync() as Float32Array);
  const value = loss.dataSync()[0];
  tf.dispose([loss, ...grads]);
  scope.postMessage(
    { type: "grads", loss: value, grads: arrays },
    arrays.map((a) => a.buffer as ArrayBuffer),
  );
}

// Messages can arrive while the module still loads: handle them in order, one at a time.
let queue = Promise.resolve();
scope.onmessage = (e) => {
  queue = queue.then(() => handle(e.data)).catch((err) =>
    scope.postMessage({ type: "error", message: (err as Error).message })
  );
};
