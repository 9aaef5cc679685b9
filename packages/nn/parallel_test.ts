import * as tf from "@tensorflow/tfjs";
import { setBackend } from "@convgrad/ops";
import { assertClose, assertEquals, assertRejects } from "@convgrad/base/testing";
import { mnistCnn } from "./cnn.ts";
import { GradientWorkers, splitSizes } from "./parallel.ts";
import { shareLoss } from "./loss.ts";

/** A batch of `size` seeded 12x12 images with labels 0..4. */
function batch(size: number, seed: number) {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return {
    images: Float32Array.from({ length: size * 144 }, rand),
    labels: Int32Array.from({ length: size }, (_, i) => (i * 3 + seed) % 5),
    size,
    height: 12,
    width: 12,
    classes: 5,
  };
}

const small = () =>
  mnistCnn({ inputShape: [1, 12, 12], filters: 4, kernelSize: 3, hidden: 8, classes: 5, seed: 1 });

Deno.test("splitSizes: shares differ by at most one and add up", () => {
  assertEquals(splitSizes(100, 2), [50, 50]);
  assertEquals(splitSizes(7, 3), [3, 2, 2]);
  assertEquals(splitSizes(2, 3), [1, 1, 0]);
});

Deno.test("GradientWorkers: a step over 3 threads is the one-thread step", async () => {
  await setBackend("wasm");
  const serial = small(), parallel = small();
  const optS = tf.train.adam(0.01), optP = tf.train.adam(0.01);
  const workers = await GradientWorkers.start(parallel, 3);
  try {
    // Uneven shares (7 = 3 + 2 + 2): the average must weight them by size; a batch of 2 leaves
    // one worker idle.
    for (const [i, size] of [7, 7, 2].entries()) {
      const b = batch(size, i + 1);
      const lossS = tf.tidy(() => optS.minimize(() => shareLoss(serial, b), true)!.dataSync()[0]);
      const lossP = await workers.step(optP, b);
      assertClose([lossP], [lossS], `loss of step ${i}`, 1e-6);
      serial.getWeights().forEach((w, j) =>
        assertClose(parallel.getWeights()[j], w.dataSync(), `weight ${j} after step ${i}`, 1e-5)
      );
    }
    // Repeated steps leave no tensors behind on this thread.
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await workers.step(optP, batch(8, 10 + i));
    assertEquals(tf.memory().numTensors, before);
  } finally {
    workers.close();
    tf.dispose([serial, parallel].flatMap((m) => m.weights.map((w) => w.read())));
    optS.dispose();
    optP.dispose();
  }
});

Deno.test("GradientWorkers: bad thread counts and worker failures are clear errors", async () => {
  await setBackend("wasm");
  const model = small();
  await assertRejects(() => GradientWorkers.start(model, 1), RangeError, "threads must be");
  // A layer the workers do not know: their error reaches the caller.
  class Unregistered extends tf.layers.Layer {
    static className = "ConvgradTestUnregistered";
  }
  tf.serialization.registerClass(Unregistered);
  const odd = tf.sequential({ layers: [new Unregistered({ inputShape: [1, 12, 12] })] });
  await assertRejects(() => GradientWorkers.start(odd, 2), Error, "gradient worker: ");
  const workers = await GradientWorkers.start(model, 2);
  const opt = tf.train.sgd(0.1);
  try {
    const step = (b: Partial<ReturnType<typeof batch>>) =>
      workers.step(opt, { ...batch(4, 1), ...b } as ReturnType<typeof batch>);
    await assertRejects(() => step({ size: 0 }), RangeError, "batch.size must be a positive");
    await assertRejects(
      () => step({ images: new Float32Array(2 * 144 + 10) }),
      RangeError,
      "batch.images must be a Float32Array of size·height·width = 576 values, got 298",
    );
    await assertRejects(() => step({ labels: new Int32Array(3) }), RangeError, "got 3 of them");
    await assertRejects(
      () => step({ labels: Int32Array.of(0, 1, 5, 2) }),
      RangeError,
      "batch.labels must hold 4 integers in [0, 5), got one outside",
    );
    await step({}); // the workers still serve steps
  } finally {
    workers.close();
    opt.dispose();
  }
});
