import * as tf from "@tensorflow/tfjs";
import { setBackend } from "@convgrad/ops";
import { assertClose, assertEquals, assertRejects } from "@convgrad/base/testing";
import { mnistCnn } from "./cnn.ts";
import { train, type TrainOptions } from "./trainer.ts";

/** 20 seeded 12x12 images, labels 0..4. */
const set = {
  images: Float32Array.from({ length: 20 * 144 }, (_, i) => (i * 7919 % 101) / 101),
  labels: Uint8Array.from({ length: 20 }, (_, i) => i % 5),
  n: 20,
  height: 12,
  width: 12,
};
const opts = (o: Partial<TrainOptions>): TrainOptions => ({
  model: () =>
    mnistCnn({ inputShape: [1, 12, 12], filters: 4, kernelSize: 3, hidden: 8, classes: 5 }),
  train: set,
  epochs: 2,
  batchSize: 5,
  optimizer: { name: "adam", lr: 0.01 },
  progress: { write: () => {} },
  log: () => {},
  ...o,
});

Deno.test("train: two threads take the one-thread steps; no tensors left behind", async () => {
  await setBackend("wasm");
  const before = tf.memory().numTensors;
  const one = await train(opts({ threads: 1 })), two = await train(opts({ threads: 2 }));
  assertClose(
    two.history.map((h) => h.trainLoss),
    one.history.map((h) => h.trainLoss),
    "train loss per epoch",
    1e-5,
  );
  tf.dispose([one, two].flatMap((r) => r.model.weights.map((w) => w.read())));
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("train: bad options are clear errors naming the option", async () => {
  await assertRejects(() => train(opts({ epochs: 0 })), RangeError, "epochs must be");
  await assertRejects(() => train(opts({ batchSize: 2.5 })), RangeError, "batchSize must be");
  await assertRejects(() => train(opts({ trainLimit: -1 })), RangeError, "trainLimit must be");
  await assertRejects(
    () => train(opts({ threads: 0 })),
    RangeError,
    "train: threads must be a positive integer, got 0",
  );
});

Deno.test("train: an unwritable checkpoint folder fails before the first epoch", async () => {
  let built = 0;
  await assertRejects(
    () =>
      train(
        opts({ checkpointDir: "/proc/convgrad-nope", model: () => (built++, opts({}).model()) }),
      ),
    Error,
    "train: checkpointDir: cannot write to /proc/convgrad-nope",
  );
  assertEquals(built, 0);
});

Deno.test("train: a damaged checkpoint is an error naming it and saying what to do", async () => {
  await setBackend("wasm");
  const dir = await Deno.makeTempDir({ prefix: "convgrad-ckpt-" });
  try {
    const first = await train(opts({ epochs: 1, checkpointDir: dir }));
    first.model.dispose();
    // Truncate the weights: the model no longer finds its values.
    const bin = `${dir}/current/model/weights.bin`;
    await Deno.writeFile(bin, (await Deno.readFile(bin)).slice(0, 1000));
    const before = tf.memory().numTensors;
    await assertRejects(
      () => train(opts({ epochs: 2, checkpointDir: dir, resume: true })),
      Error,
      `the checkpoint in ${dir}/current is damaged or belongs to another model`,
    );
    await assertRejects(
      () => train(opts({ epochs: 2, checkpointDir: dir, resume: true })),
      Error,
      `delete ${dir} to start afresh, or run without resume`,
    );
    assertEquals(tf.memory().numTensors, before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
