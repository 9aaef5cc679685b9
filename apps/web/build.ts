/**
 * `deno task demo:build`: writes the demo as a self-contained static site (default
 * `apps/web/dist/`): the page, its styles, `app.js` (`main.ts` bundled with `deno bundle
 * --platform browser`, TF.js and our kernels included), the model files and the tfjs-backend-wasm
 * binaries. Every URL in it is relative, so the folder works from any static host and sub-path.
 *
 *   deno task demo:build [--out DIR]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { wasmBinaries } from "@convgrad/ops";
import { commandArgs } from "@convgrad/base";

const WEB = new URL("./", import.meta.url);
const REPO = new URL("../../", import.meta.url);

/** The default output folder. */
export const DIST: string = new URL("./dist/", WEB).pathname;

/** The files copied as they are, relative to `apps/web/`. */
const STATIC = ["index.html", "style.css"];

/** What {@linkcode buildSite} wrote. */
export interface BuildResult {
  /** The output folder. */
  dir: string;
  /** Files written, relative to `dir`, with their sizes in bytes. */
  files: { path: string; bytes: number }[];
  /** Wall time of the build. */
  seconds: number;
}

async function copyTree(from: URL, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyTree(new URL(`${e.name}/`, from), `${to}/${e.name}`);
    else if (e.isFile) await Deno.copyFile(new URL(e.name, from), `${to}/${e.name}`);
  }
}

async function listTree(dir: string, prefix = ""): Promise<{ path: string; bytes: number }[]> {
  const out: { path: string; bytes: number }[] = [];
  for await (const e of Deno.readDir(`${dir}/${prefix}`)) {
    const path = prefix + e.name;
    if (e.isDirectory) out.push(...await listTree(dir, `${path}/`));
    else out.push({ path, bytes: (await Deno.stat(`${dir}/${path}`)).size });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Empties `dir` if it holds a previous build; refuses a non-empty folder that holds none. */
async function clearPreviousBuild(dir: string): Promise<void> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) names.push(e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  if (names.length > 0 && !names.includes("app.js")) {
    throw new Error(`buildSite: ${dir} is not empty and holds no previous build; not replacing it`);
  }
  await Deno.remove(dir, { recursive: true });
}

/**
 * Builds the site into `outDir` (replacing what was there) and returns what it wrote.
 *
 * @example
 * ```ts
 * import { buildSite } from "./build.ts";
 * const { files } = await buildSite(await Deno.makeTempDir());
 * ```
 */
export async function buildSite(outDir: string = DIST): Promise<BuildResult> {
  if (typeof outDir !== "string" || outDir.trim() === "") {
    throw new TypeError(`buildSite: outDir must be a folder path, got ${JSON.stringify(outDir)}`);
  }
  const t0 = performance.now();
  await clearPreviousBuild(outDir);
  await Deno.mkdir(outDir, { recursive: true });
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--minify",
      "-o",
      `${outDir}/app.js`,
      new URL("main.ts", WEB).pathname,
    ],
    cwd: REPO.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`demo:build: deno bundle failed:\n${new TextDecoder().decode(stderr)}`);
  }
  const nodeImports = (await Deno.readTextFile(`${outDir}/app.js`))
    .match(/(?:from|import)\s*\(?\s*["']node:[\w/]+["']/g);
  if (nodeImports) {
    throw new Error(
      `demo:build: the bundle imports Node built-ins a browser cannot load: ${nodeImports}; ` +
        "some module main.ts imports reaches Deno-only code",
    );
  }
  for (const f of STATIC) await Deno.copyFile(new URL(f, WEB), `${outDir}/${f}`);
  for (const wasm of await wasmBinaries()) {
    await Deno.copyFile(wasm, `${outDir}/${wasm.pathname.split("/").pop()}`);
  }
  await copyTree(new URL("./model/", WEB), `${outDir}/model`);
  return {
    dir: outDir,
    files: await listTree(outDir),
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * True when `outDir` holds no build or one older than some source it is made of (anything under
 * `apps/web/` outside `dist/`, or a `.ts` file of `packages/`).
 *
 * @example
 * ```ts
 * import { buildSite, DIST, isStale } from "./build.ts";
 * if (await isStale(DIST)) await buildSite(DIST);
 * ```
 */
export async function isStale(outDir: string = DIST): Promise<boolean> {
  let built: number;
  try {
    built = (await Deno.stat(`${outDir}/app.js`)).mtime?.getTime() ?? 0;
  } catch {
    return true;
  }
  const newer = async (dir: URL, keep: (name: string) => boolean): Promise<boolean> => {
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory) {
        if (
          e.name !== "dist" && e.name !== "node_modules" &&
          await newer(new URL(`${e.name}/`, dir), keep)
        ) {
          return true;
        }
      } else if (
        keep(e.name) && ((await Deno.stat(new URL(e.name, dir))).mtime?.getTime() ?? 0) > built
      ) {
        return true;
      }
    }
    return false;
  };
  return await newer(WEB, () => true) ||
    await newer(new URL("packages/", REPO), (n) => n.endsWith(".ts"));
}

if (import.meta.main) {
  try {
    const { values } = parseArgs({ args: commandArgs(), options: { out: { type: "string" } } });
    const r = await buildSite(values.out ?? DIST);
    const total = r.files.reduce((s, f) => s + f.bytes, 0);
    for (const f of r.files) console.error(`  ${f.path}  ${(f.bytes / 1024).toFixed(0)} KiB`);
    console.error(
      `demo:build: ${r.files.length} files, ${(total / 2 ** 20).toFixed(1)} MiB in ${r.dir} ` +
        `(${r.seconds.toFixed(1)} s)`,
    );
  } catch (e) {
    console.error((e as Error).message);
    Deno.exit(1);
  }
}
