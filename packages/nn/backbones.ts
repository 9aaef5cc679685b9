/**
 * Pretrained TF.js layers models as backbones for transfer learning, offline: the Keras
 * MobileNetV2 that the npm package `nsfwjs` ships (read from the installed package, never
 * downloaded), or any TF.js layers model from a local `model.json`. The model is cut at a named
 * layer (the head dropped) and rebuilt for the requested input size.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { bytesPer, readModelArtifacts } from "./model_io.ts";
import { fromBase64 } from "@convgrad/base";

/** The backbones {@linkcode loadBackbone} knows by name. */
export const BACKBONES = {
  /**
   * Keras `MobileNetV2` (α 1.0, ImageNet weights, keras.applications layer names `Conv1` …
   * `out_relu`), 162 layers with the `nsfwjs` 4.4.0 head, input `[N,224,224,3]` in [0, 1]; the
   * weights are stored as uint8 (dequantized on load).
   */
  mobilenet_v2: { package: "nsfwjs", dir: "dist/models/mobilenet_v2", cut: "block_13_expand_relu" },
} as const;

/** A name in {@linkcode BACKBONES}. */
export type BackboneName = keyof typeof BACKBONES;

/** Options of {@linkcode loadBackbone}. */
export interface BackboneOptions {
  /**
   * The layer whose output the backbone returns; every layer after it (the head) is dropped.
   * Default: the named backbone's best cut (MobileNetV2: `block_13_expand_relu`, where a linear
   * probe on average- and max-pooled features separates birds from mammals best, 0.91 in 5-fold
   * cross-validation at 224x224), or the model's own output for a path; `null` keeps the whole
   * model, head included.
   */
  cut?: string | null;
  /** Input height and width (a number for a square), or `null` to keep the saved size. */
  inputSize?: number | [number, number] | null;
}

interface KerasLayerJson {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes?: unknown[];
}

interface KerasModelJson {
  class_name: string;
  config: {
    name?: string;
    layers: KerasLayerJson[];
    input_layers?: unknown[];
    output_layers?: unknown[];
  };
}

/**
 * Runs a UMD/browserify bundle of the kind `nsfwjs` ships its model in (a JS file that sets
 * `module.exports` to the model JSON, or to a base64 string of the weights) and returns what it
 * exports. The code is the pinned package's own, and it defines nothing but that value.
 */
function evalBundle(source: string, file: string): unknown {
  const mod: { exports: unknown } = { exports: {} };
  try {
    new Function("module", "exports", source)(mod, mod.exports);
  } catch (e) {
    throw new Error(`loadBackbone: cannot evaluate ${file}: ${(e as Error).message}`);
  }
  return mod.exports;
}

/** The folder of an installed npm package that this module's import map names. */
function packageDir(pkg: string): string {
  let entry: string;
  try {
    entry = import.meta.resolve(pkg);
  } catch (e) {
    throw new Error(
      `loadBackbone: npm package ${pkg} is not resolvable (${(e as Error).message}); ` +
        "run `deno install` in the repository",
    );
  }
  if (!entry.startsWith("file:")) {
    throw new Error(
      `loadBackbone: npm package ${pkg} resolved to ${entry}, not to a local file; run ` +
        "`deno install` in the repository (the root deno.json sets nodeModulesDir)",
    );
  }
  const path = new URL(entry).pathname;
  const at = path.lastIndexOf(`/node_modules/${pkg}/`);
  if (at < 0) throw new Error(`loadBackbone: cannot find the folder of ${pkg} in ${path}`);
  return path.slice(0, at + `/node_modules/${pkg}`.length);
}

/**
 * An `IOHandler` that loads a model bundled as in `nsfwjs`: `model.min.js` wraps the model JSON,
 * and every weight shard `<path>.min.js` wraps its bytes as base64.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { bundledModelHandler } from "@convgrad/nn";
 * const dir = new URL("../../node_modules/nsfwjs/dist/models/mobilenet_v2", import.meta.url);
 * const artifacts = await bundledModelHandler(dir.pathname).load();
 * console.log(artifacts.weightSpecs!.length); // 266
 * ```
 */
export function bundledModelHandler(
  dir: string,
): tf.io.IOHandler & { load(): Promise<tf.io.ModelArtifacts> } {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const read = async (file: string) => {
        try {
          return await Deno.readTextFile(`${dir}/${file}`);
        } catch (e) {
          throw new Error(`loadBackbone: cannot read ${dir}/${file}: ${(e as Error).message}`);
        }
      };
      const json = evalBundle(await read("model.min.js"), "model.min.js") as {
        modelTopology?: unknown;
        weightsManifest?: tf.io.WeightsManifestConfig;
      };
      if (!json?.modelTopology || !Array.isArray(json.weightsManifest)) {
        throw new Error(`loadBackbone: ${dir}/model.min.js holds no layers model`);
      }
      const parts: Uint8Array[] = [];
      for (const p of json.weightsManifest.flatMap((g) => g.paths)) {
        const b64 = evalBundle(await read(`${p}.min.js`), `${p}.min.js`);
        if (typeof b64 !== "string") throw new Error(`loadBackbone: ${p}.min.js holds no base64`);
        parts.push(fromBase64(b64));
      }
      return {
        modelTopology: json.modelTopology as tf.io.ModelArtifacts["modelTopology"],
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData: concat(parts).buffer as ArrayBuffer,
      };
    },
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((o, p) => (out.set(p, o), o + p.length), 0);
  return out;
}

/** Names of the layers `name`'s output depends on (itself included), via Keras inbound nodes. */
function ancestors(layers: Map<string, KerasLayerJson>, name: string): Set<string> {
  const seen = new Set<string>(), todo = [name];
  while (todo.length) {
    const n = todo.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    // inbound_nodes: [[["layer", nodeIndex, tensorIndex, kwargs], ...], ...]
    for (const node of (layers.get(n)!.inbound_nodes ?? []) as unknown[][]) {
      for (const inbound of node) todo.push((inbound as [string])[0]);
    }
  }
  return seen;
}

/**
 * Cuts a Keras model JSON at layer `cut` and sets its input size; returns the new JSON and the
 * names of the layers it keeps.
 */
function cutTopology(
  model: KerasModelJson,
  cut: string | undefined,
  size: [number, number] | null,
): { model: KerasModelJson; kept: Set<string> } {
  // Functional configs name each layer beside its config, Sequential ones only inside it.
  const list = model.config.layers.map((l) => ({ ...l, name: l.name ?? l.config.name as string }));
  const byName = new Map(list.map((l) => [l.name, l]));
  if (cut !== undefined && !byName.has(cut)) {
    const names = list.map((l) => l.name);
    const shown = names.length > 12
      ? [...names.slice(0, 6), "…", ...names.slice(-6)].join(", ")
      : names.join(", ");
    throw new RangeError(
      `loadBackbone: cut must name a layer of the model (${names.length} layers: ${shown}), ` +
        `got ${JSON.stringify(cut)}`,
    );
  }
  let layers: KerasLayerJson[], kept: Set<string>;
  const config = { ...model.config };
  if (model.class_name === "Sequential") {
    layers = cut === undefined ? list : list.slice(0, list.findIndex((l) => l.name === cut) + 1);
    kept = new Set(layers.map((l) => l.name));
  } else {
    const outputs = cut === undefined
      ? (model.config.output_layers as [string][]).map((o) => o[0])
      : [cut];
    kept = new Set(outputs.flatMap((o) => [...ancestors(byName, o)]));
    layers = list.filter((l) => kept.has(l.name));
    if (cut !== undefined) config.output_layers = [[cut, 0, 0]];
  }
  config.layers = layers.map((l) => {
    const shape = (l.config.batch_input_shape ?? l.config.batchInputShape) as
      | (number | null)[]
      | undefined;
    if (!size || !shape) return l;
    if (shape.length !== 4) {
      throw new RangeError(
        `loadBackbone: inputSize needs an image input [N,H,W,C], but layer ${l.name} takes ` +
          `[${shape}]`,
      );
    }
    const key = "batch_input_shape" in l.config ? "batch_input_shape" : "batchInputShape";
    return { ...l, config: { ...l.config, [key]: [shape[0], size[0], size[1], shape[3]] } };
  });
  return { model: { ...model, config }, kept };
}

/** The weights of the kept layers only (weights are named `layer/…`), bytes sliced to match. */
function keepWeights(
  specs: tf.io.WeightsManifestEntry[],
  data: ArrayBuffer,
  kept: Set<string>,
): { specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer } {
  const outSpecs: tf.io.WeightsManifestEntry[] = [], parts: Uint8Array[] = [];
  let offset = 0;
  for (const s of specs) {
    const bytes = s.shape.reduce((a, b) => a * b, 1) * bytesPer(s);
    if (kept.has(s.name.split("/")[0])) {
      outSpecs.push(s);
      parts.push(new Uint8Array(data, offset, bytes));
    }
    offset += bytes;
  }
  if (offset !== data.byteLength) {
    throw new Error(
      `loadBackbone: the weight specs need ${offset} bytes, the weight files hold ` +
        data.byteLength,
    );
  }
  return { specs: outSpecs, data: concat(parts).buffer as ArrayBuffer };
}

function checkSize(size: BackboneOptions["inputSize"]): [number, number] | null {
  if (size === undefined || size === null) return null;
  const hw: unknown[] = Array.isArray(size) ? size : [size, size];
  if (hw.length !== 2 || !hw.every((v) => Number.isInteger(v) && (v as number) >= 1)) {
    throw new RangeError(
      `loadBackbone: inputSize must be a positive integer or [height, width] of them, got ` +
        JSON.stringify(size),
    );
  }
  return hw as [number, number];
}

/**
 * Loads a pretrained layers model, drops everything after layer `cut` and rebuilds it for
 * `inputSize`. `source` is a name in {@linkcode BACKBONES} (read from the installed npm package)
 * or the path of a TF.js layers `model.json` (or its folder). The layers keep the `trainable`
 * flags they were saved with (MobileNetV2: the first 98 frozen); set `layer.trainable` to change.
 *
 * @example
 * ```ts
 * import { setBackend } from "@convgrad/ops";
 * import * as tf from "@tensorflow/tfjs";
 * import { loadBackbone } from "@convgrad/nn";
 * await setBackend("wasm");
 * const backbone = await loadBackbone("mobilenet_v2", { cut: "block_6_expand_relu", inputSize: 64 });
 * console.log(backbone.outputs[0].shape); // [null, 8, 8, 192]
 * ```
 */
export async function loadBackbone(
  source: BackboneName | string,
  opts: BackboneOptions = {},
): Promise<tf.LayersModel> {
  if (typeof source !== "string" || source === "") {
    throw new TypeError(
      `loadBackbone: source must be one of ${Object.keys(BACKBONES).join(", ")} or a ` +
        `model.json path, got ${JSON.stringify(source)}`,
    );
  }
  if (opts.cut !== undefined && opts.cut !== null && typeof opts.cut !== "string") {
    throw new TypeError(`loadBackbone: cut must be a layer name, got ${JSON.stringify(opts.cut)}`);
  }
  const size = checkSize(opts.inputSize);
  let artifacts: tf.io.ModelArtifacts, cut = opts.cut ?? undefined;
  if (source in BACKBONES) {
    const b = BACKBONES[source as BackboneName];
    artifacts = await bundledModelHandler(`${packageDir(b.package)}/${b.dir}`).load();
    if (opts.cut === undefined) cut = b.cut;
  } else if (/[/\\.]/.test(source)) {
    artifacts = await readModelArtifacts(source.replace(/\/?model\.json$/, "") || ".");
  } else {
    throw new RangeError(
      `loadBackbone: source must be one of ${Object.keys(BACKBONES).join(", ")} or a ` +
        `model.json path, got ${JSON.stringify(source)}`,
    );
  }
  const topology = artifacts.modelTopology as Record<string, unknown>;
  // Keras saves {model_config: …}; TF.js saves the model config itself.
  const config = (topology.model_config ?? topology) as KerasModelJson;
  if (!Array.isArray(config?.config?.layers)) {
    throw new Error(`loadBackbone: ${source} is not a layers model (no config.layers)`);
  }
  const { model, kept } = cutTopology(config, cut, size);
  const { specs, data } = keepWeights(
    artifacts.weightSpecs ?? [],
    artifacts.weightData as ArrayBuffer,
    kept,
  );
  return await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: topology.model_config ? { ...topology, model_config: model } : model,
    weightSpecs: specs,
    weightData: data,
  }));
}
