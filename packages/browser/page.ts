/**
 * Runs a module of ours inside headless Chromium: bundles it with `deno bundle --platform
 * browser`, serves the bundle, a page and any extra files (the tfjs-backend-wasm binaries, say)
 * from a `Deno.serve` on 127.0.0.1 (a free port), drives Chromium (./chromium.ts) with
 * playwright-core and calls the functions the module exposed with `expose` (./expose.ts). Everything started is stopped again, also when a
 * step fails.
 *
 * WebGL there runs on SwiftShader (software), so keep browser workloads small.
 *
 * @module
 */
import type { Browser } from "playwright-core";
import { launchChromium } from "./chromium.ts";
import { GLOBAL } from "./expose.ts";

/** Options for {@linkcode openPage}. */
export interface OpenPageOptions {
  /** Called with every line the page logs (progress); default: write to stderr. */
  onLog?: (line: string) => void;
  /** Milliseconds one {@linkcode BrowserPage.call} may take. Default 5 minutes. */
  callTimeoutMs?: number;
  /** Files served beside the bundle under their own names (e.g. `await wasmBinaries()`). */
  files?: readonly URL[];
}

/** A page running a bundled module; {@linkcode BrowserPage.close} stops everything. */
export interface BrowserPage {
  /** Calls the function the page exposed under `name` with a JSON-serialisable `arg`. */
  call<T>(name: string, arg?: unknown): Promise<T>;
  /** Closes the browser, stops the server and deletes the bundle. Idempotent. */
  close(): Promise<void>;
}

async function bundle(entry: URL, outFile: string): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform", "browser", "-o", outFile, entry.pathname],
    // Run where the entry lives, so that its workspace's deno.json resolves the imports.
    cwd: new URL(".", entry).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`deno bundle ${entry.pathname} failed:\n${new TextDecoder().decode(stderr)}`);
  }
}

async function copyFiles(files: readonly URL[], dir: string): Promise<void> {
  for (const url of files) {
    await Deno.copyFile(url, `${dir}/${url.pathname.split("/").at(-1)}`);
  }
}

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  wasm: "application/wasm",
};

/** Serves the files directly inside `dir` (no subpaths) on 127.0.0.1, a free port. */
function serve(dir: string): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const name = new URL(req.url).pathname.slice(1) || "index.html";
    const type = TYPES[name.split(".").pop() ?? ""];
    if (!/^[\w.-]+$/.test(name) || type === undefined) return new Response(null, { status: 404 });
    try {
      return new Response(await Deno.readFile(`${dir}/${name}`), {
        headers: { "content-type": type },
      });
    } catch {
      return new Response(null, { status: 404 });
    }
  });
}

/**
 * Bundles `entry` (a module that calls `expose` from `@convgrad/browser/expose`), opens it in headless Chromium and
 * returns a handle to call what it exposed. Prefer {@linkcode withPage}, which always closes.
 *
 * @example
 * ```ts
 * import { openPage } from "@convgrad/browser";
 * // example_page.ts: expose({ add: ({ a, b }) => a + b, … })
 * const page = await openPage(new URL("./example_page.ts", import.meta.url));
 * try {
 *   console.log(await page.call("add", { a: 1, b: 2 })); // 3
 * } finally {
 *   await page.close();
 * }
 * ```
 */
export async function openPage(entry: URL, opts: OpenPageOptions = {}): Promise<BrowserPage> {
  const log = opts.onLog ?? ((line: string) => console.error(line));
  const timeout = opts.callTimeoutMs ?? 300_000;
  const dir = await Deno.makeTempDir({ prefix: "convgrad-browser-" });
  let server: Deno.HttpServer<Deno.NetAddr> | undefined;
  let browser: Browser | undefined;
  let closed = false;
  const errors: string[] = [];
  const close = async () => {
    if (closed) return;
    closed = true;
    await browser?.close().catch(() => {});
    await server?.shutdown().catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    await bundle(entry, `${dir}/bundle.js`);
    await copyFiles(opts.files ?? [], dir);
    await Deno.writeTextFile(
      `${dir}/index.html`,
      '<!doctype html><meta charset="utf-8"><title>convgrad</title><link rel="icon" href="data:,">' +
        '<script type="module" src="./bundle.js"></script>\n',
    );
    server = serve(dir);
    browser = await launchChromium();
    const page = await browser.newPage();
    page.on("console", (m) => {
      // Chromium's own GL notes ("GPU stall due to ReadPixels") are not the page's output.
      if (!m.text().includes("GL Driver Message")) log(`[chromium] ${m.text()}`);
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${server.addr.port}/`);
    await page.waitForFunction((g) => g in globalThis, GLOBAL, { timeout: 60_000 }).catch((e) => {
      throw new Error(`the page did not start: ${errors.join("; ") || e}`);
    });
    return {
      async call<T>(name: string, arg?: unknown): Promise<T> {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const limit = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`${name} took longer than ${timeout} ms in Chromium`)),
            timeout,
          );
        });
        try {
          return await Promise.race([
            page.evaluate(
              ([g, n, a]) => {
                const fns = (globalThis as unknown as Record<string, Record<string, unknown>>)[g];
                const f = fns[n];
                if (typeof f !== "function") throw new Error(`the page exposes no '${n}'`);
                return f(a);
              },
              [GLOBAL, name, arg] as const,
            ) as Promise<T>,
            limit,
          ]);
        } finally {
          clearTimeout(timer);
        }
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Opens `entry` in Chromium, runs `body` with the page and always closes it.
 *
 * @example
 * ```ts
 * import { withPage } from "@convgrad/browser";
 * const sum = await withPage(
 *   new URL("./example_page.ts", import.meta.url),
 *   (page) => page.call<number>("add", { a: 1, b: 2 }),
 * ); // 3
 * ```
 */
export async function withPage<T>(
  entry: URL,
  body: (page: BrowserPage) => Promise<T>,
  opts: OpenPageOptions = {},
): Promise<T> {
  const page = await openPage(entry, opts);
  try {
    return await body(page);
  } finally {
    await page.close();
  }
}
