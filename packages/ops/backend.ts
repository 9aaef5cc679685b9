import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

/** The backends convgrad registers kernels for. */
export type BackendName = "cpu" | "wasm" | "webgl";

const BACKENDS: readonly BackendName[] = ["cpu", "wasm", "webgl"];

/** Options for {@linkcode setBackend}. */
export interface SetBackendOptions {
  /**
   * Where the tfjs-backend-wasm `.wasm` binaries are: a directory path or URL ending in `/`.
   * Default: in Deno, the installed npm package's `dist/` folder; in a browser, the page's folder.
   */
  wasmPaths?: string;
}

let wasmPathsSet = false;

function isBrowser(): boolean {
  return typeof (globalThis as { document?: unknown }).document !== "undefined";
}

/** The installed tfjs-backend-wasm package's dist/ folder (Deno), beside its entry point. */
function wasmDist(): URL {
  return new URL("./", import.meta.resolve("@tensorflow/tfjs-backend-wasm"));
}

/** Where the wasm binaries live when no path is given. */
function defaultWasmPaths(): string {
  if (isBrowser()) {
    return new URL("./", (globalThis as unknown as { location: { href: string } }).location.href)
      .href;
  }
  // The node build of the backend reads the binaries with fs: a plain path, not a file:// URL.
  return decodeURIComponent(wasmDist().pathname);
}

/**
 * The tfjs-backend-wasm `.wasm` binaries (plain, SIMD, threaded SIMD; TF.js picks one) of the
 * installed npm package, for copying beside a web page, where {@linkcode setBackend} looks for
 * them by default. Deno only.
 *
 * @example
 * ```ts
 * import { wasmBinaries } from "@convgrad/ops";
 * for (const url of await wasmBinaries()) console.log(url.pathname);
 * ```
 */
export async function wasmBinaries(): Promise<URL[]> {
  const dist = wasmDist(), found: URL[] = [];
  for await (const e of Deno.readDir(dist)) {
    if (e.isFile && e.name.endsWith(".wasm")) found.push(new URL(e.name, dist));
  }
  if (found.length === 0) throw new Error(`wasmBinaries: no .wasm files in ${dist.pathname}`);
  return found;
}

/**
 * Switches TF.js to `name`, waits until it is ready and throws if it did not become active
 * (stock `tf.setBackend` only returns `false`). For `wasm` it first points TF.js at the
 * backend's binaries, found by itself in Deno and in a browser.
 *
 * @example
 * ```ts
 * import { setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * ```
 */
export async function setBackend(name: BackendName, opts: SetBackendOptions = {}): Promise<void> {
  if (!BACKENDS.includes(name)) {
    throw new RangeError(
      `setBackend: name must be one of ${BACKENDS.join(", ")}, got ${JSON.stringify(name)}`,
    );
  }
  if (name === "wasm" && (!wasmPathsSet || opts.wasmPaths !== undefined)) {
    if (tf.findBackend("wasm") !== null && opts.wasmPaths !== undefined) {
      throw new Error("setBackend: wasmPaths cannot change after the wasm backend has started");
    }
    setWasmPaths(opts.wasmPaths ?? defaultWasmPaths());
    wasmPathsSet = true;
  }
  let ok = false, cause: unknown;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (e) {
    cause = e; // e.g. 'webgl' is not even registered where there is no DOM
  }
  if (!ok || tf.getBackend() !== name) {
    throw new Error(
      `setBackend: backend '${name}' did not become active (active: '${tf.getBackend()}')` +
        (name === "webgl" ? "; WebGL is not available here" : ""),
      { cause },
    );
  }
}
