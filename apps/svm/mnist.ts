/**
 * `deno task svm --mnist`: an rbf SVM (one against one, C = 5, γ = 0.05) on MNIST pixels in
 * [0, 1]: the first N training images, the full 10k test set. Prints test accuracy, fit time and
 * support vectors; writes the confusion matrix (PNG, SVG) and `metrics.json`.
 *
 * @module
 */
import { loadMnist } from "@convgrad/data";
import { ProgressBar } from "@convgrad/nn";
import { savePlot } from "@convgrad/plot";
import { fitSVM } from "@convgrad/svm";

/** The MNIST workload's hyperparameters (the benchmark gives scikit-learn the same). */
export const MNIST_SVM = { kernel: "rbf", C: 5, gamma: 0.05, tol: 1e-3 } as const;

/** Rows `[from, to)` of an image set as float64 feature vectors. */
export function pixelRows(images: Float32Array, from: number, to: number, hw: number) {
  return Array.from(
    { length: to - from },
    (_, i) => Float64Array.from(images.subarray((from + i) * hw, (from + i + 1) * hw)),
  );
}

/** `counts[t·k + p]`: test points of class t predicted as p. */
export function confusion(
  truth: ArrayLike<number>,
  pred: ArrayLike<number>,
  k: number,
): Int32Array {
  const counts = new Int32Array(k * k);
  for (let i = 0; i < truth.length; i++) counts[truth[i] * k + pred[i]]++;
  return counts;
}

/** The confusion matrix as a Vega-Lite heat map with the counts written in. */
export function confusionPlot(
  counts: Int32Array,
  k: number,
  title: string,
): Record<string, unknown> {
  const cells = Array.from(counts, (c, i) => ({ truth: Math.floor(i / k), pred: i % k, count: c }));
  const axis = (field: string, t: string) => ({ field, type: "ordinal", title: t });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    width: 360,
    height: 360,
    data: { values: cells },
    encoding: { x: axis("pred", "predicted"), y: axis("truth", "true digit") },
    layer: [
      {
        mark: "rect",
        encoding: {
          color: {
            field: "count",
            type: "quantitative",
            scale: { type: "symlog", scheme: "blues" },
          },
        },
      },
      {
        mark: { type: "text", fontSize: 9 },
        encoding: {
          text: { field: "count", type: "quantitative" },
          color: { condition: { test: "datum.count > 300", value: "white" }, value: "black" },
        },
      },
    ],
  };
}

/** Trains, evaluates and writes the outputs to `out`; returns the metrics. */
export async function runMnist(train: number, out: string): Promise<Record<string, number>> {
  const mnist = await loadMnist(), hw = mnist.train.height * mnist.train.width;
  if (train > mnist.train.n) {
    throw new RangeError(`--train must be at most ${mnist.train.n}, got ${train}`);
  }
  const X = pixelRows(mnist.train.images, 0, train, hw);
  const y = Array.from(mnist.train.labels.subarray(0, train));
  const bar = new ProgressBar("svm mnist: pairs", 45);
  const t0 = performance.now();
  const model = fitSVM(X, y, { ...MNIST_SVM, onProgress: (done) => bar.update(done) });
  const fitSeconds = (performance.now() - t0) / 1000;
  bar.done();
  const t1 = performance.now();
  const test = pixelRows(mnist.test.images, 0, mnist.test.n, hw);
  const pred = model.predict(test);
  const predictSeconds = (performance.now() - t1) / 1000;
  const correct = pred.filter((p, i) => p === mnist.test.labels[i]).length;
  const accuracy = correct / mnist.test.n;
  const metrics = {
    train,
    test: mnist.test.n,
    accuracy,
    fitSeconds,
    predictSeconds,
    supportVectors: model.supportIndices.length,
    C: MNIST_SVM.C,
    gamma: MNIST_SVM.gamma,
  };
  console.log(
    `MNIST rbf SVM (C = ${MNIST_SVM.C}, γ = ${MNIST_SVM.gamma}), ${train} training images: ` +
      `test accuracy ${(100 * accuracy).toFixed(2)}%, fit ${fitSeconds.toFixed(1)} s, ` +
      `predict ${predictSeconds.toFixed(1)} s, ${model.supportIndices.length} support vectors`,
  );
  await Deno.mkdir(out, { recursive: true });
  const counts = confusion(mnist.test.labels, pred, 10);
  await savePlot(
    `${out}/mnist-confusion`,
    confusionPlot(
      counts,
      10,
      `MNIST test: rbf SVM on ${train} images, ${(100 * accuracy).toFixed(2)}%`,
    ),
  );
  await Deno.writeTextFile(`${out}/metrics.json`, JSON.stringify(metrics, null, 2) + "\n");
  console.log(`wrote ${out}/mnist-confusion.png (.svg) and ${out}/metrics.json`);
  return metrics;
}
