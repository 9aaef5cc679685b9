/**
 * Saving and loading TF.js models and named tensors as files: the standard `model.json` +
 * `weights.bin` layout that `tf.loadLayersModel` reads over HTTP, written with Deno's file API.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** A tensor with a name, as optimizers' `getWeights()` return them. */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/**
 * Saves `model` to `dir/model.json` and `dir/weights.bin` (the format `tf.loadLayersModel` and
 * the converter's tools read).
 *
 * @example
 * ```ts
 * import { mnistCnn, saveModel } from "@convgrad/nn";
 * import { setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * await saveModel(mnistCnn(), "/tmp/cnn");
 * ```
 */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const json = {
      modelTopology: artifacts.modelTopology,
      format: "layers-model",
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
      convertedBy: "convgrad",
      weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs }],
    };
    const data = artifacts.weightData as ArrayBuffer;
    // Write the weights first and rename into place, so a kill never leaves a half model.
    await Deno.writeFile(`${dir}/weights.bin.tmp`, new Uint8Array(data));
    await Deno.writeTextFile(`${dir}/model.json.tmp`, JSON.stringify(json));
    await Deno.rename(`${dir}/weights.bin.tmp`, `${dir}/weights.bin`);
    await Deno.rename(`${dir}/model.json.tmp`, `${dir}/model.json`);
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
  }));
}

/**
 * Loads a model saved by {@linkcode saveModel} (or any `model.json` with one weights file) with
 * `tf.loadLayersModel`. Custom layers must be registered first (import `@convgrad/nn`).
 *
 * @example
 * ```ts
 * import { loadModel, mnistCnn, saveModel } from "@convgrad/nn";
 * import { setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * await saveModel(mnistCnn(), "/tmp/convgrad-example-cnn");
 * const model = await loadModel("/tmp/convgrad-example-cnn");
 * ```
 */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  return await tf.loadLayersModel(tf.io.fromMemory(await readModelArtifacts(dir)));
}

/** The topology and weights of `dir/model.json` and the weight files its manifest lists. */
export async function readModelArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  let json;
  try {
    json = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
  } catch (e) {
    throw new Error(`loadModel: cannot read ${dir}/model.json: ${(e as Error).message}`);
  }
  const manifest = json.weightsManifest as tf.io.WeightsManifestConfig;
  const weightSpecs = manifest.flatMap((g) => g.weights);
  const parts = await Promise.all(
    manifest.flatMap((g) => g.paths).map((p) => Deno.readFile(`${dir}/${p}`)),
  );
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((off, p) => (bytes.set(p, off), off + p.length), 0);
  // Checked here: TF.js would first build the model, then fail and leave its tensors behind.
  const expected = weightSpecs.reduce(
    (n, w) => n + w.shape.reduce((a, b) => a * b, 1) * bytesPer(w),
    0,
  );
  if (bytes.length !== expected) {
    throw new Error(
      `loadModel: the weights in ${dir} have ${bytes.length} bytes, model.json describes ${expected}`,
    );
  }
  return { modelTopology: json.modelTopology, weightSpecs, weightData: bytes.buffer };
}

/** Bytes per value of a stored weight: its quantized type's if quantized, else its dtype's. */
export function bytesPer(w: tf.io.WeightsManifestEntry): number {
  const q = w.quantization?.dtype;
  if (q) return q === "uint8" ? 1 : 2;
  return w.dtype === "bool" ? 1 : 4;
}

/**
 * Writes named tensors (e.g. an optimizer's state) to `path.json` + `path.bin`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { saveTensors } from "@convgrad/nn";
 * import { setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * await saveTensors([{ name: "a", tensor: tf.ones([2]) }], "/tmp/convgrad-example-state");
 * ```
 */
export async function saveTensors(named: NamedTensor[], path: string): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(named);
  await Deno.writeFile(`${path}.bin.tmp`, new Uint8Array(data as ArrayBuffer));
  await Deno.writeTextFile(`${path}.json.tmp`, JSON.stringify(specs));
  await Deno.rename(`${path}.bin.tmp`, `${path}.bin`);
  await Deno.rename(`${path}.json.tmp`, `${path}.json`);
}

/**
 * Reads tensors written by {@linkcode saveTensors}.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { loadTensors, saveTensors } from "@convgrad/nn";
 * import { setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * await saveTensors([{ name: "a", tensor: tf.ones([2]) }], "/tmp/convgrad-example-state");
 * const named = await loadTensors("/tmp/convgrad-example-state"); // [{ name: "a", tensor }]
 * ```
 */
export async function loadTensors(path: string): Promise<NamedTensor[]> {
  const specs = JSON.parse(await Deno.readTextFile(`${path}.json`));
  const data = await Deno.readFile(`${path}.bin`);
  const map = tf.io.decodeWeights(data.buffer, specs);
  return specs.map((s: tf.io.WeightsManifestEntry) => ({ name: s.name, tensor: map[s.name] }));
}

/**
 * Creates `dir` (with its parents) and checks that a file can be written there, so that a run
 * fails at once on a bad output folder instead of after its first epoch. `what` names the folder
 * in the error (e.g. `"--out"`).
 *
 * @example
 * ```ts
 * import { ensureWritableDir } from "@convgrad/nn";
 * await ensureWritableDir("/tmp/convgrad-run", "--out");
 * ```
 */
export async function ensureWritableDir(dir: string, what: string): Promise<void> {
  if (typeof dir !== "string" || dir === "") {
    throw new TypeError(`${what} must be a folder path, got ${JSON.stringify(dir)}`);
  }
  const probe = `${dir}/.convgrad-write-test`;
  try {
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(probe, "");
    await Deno.remove(probe);
  } catch (e) {
    throw new Error(`${what}: cannot write to ${dir}: ${(e as Error).message}`);
  }
}
