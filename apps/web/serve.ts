/**
 * `deno task demo`: builds the demo when its build is missing or older than its sources, then
 * serves it on http://127.0.0.1:8000 (or `--port`).
 *
 *   deno task demo [--port N]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { buildSite, DIST, isStale } from "./build.ts";
import { commandArgs, runMain } from "@convgrad/base";

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json",
  wasm: "application/wasm",
  bin: "application/octet-stream",
  png: "image/png",
  svg: "image/svg+xml",
};

/** Options of {@linkcode serveSite}. */
export interface ServeOptions {
  /** Port; 0 picks a free one. Default 8000. */
  port?: number;
  /** Default 127.0.0.1. */
  hostname?: string;
  /** URL path the site lives under, starting and ending with `/` (e.g. `/demo/`). Default `/`. */
  base?: string;
}

/**
 * Serves the static site in `dir` under `base`: `base` itself is `index.html`, a path without
 * `..` maps to the file below `dir`, anything else is a 404.
 *
 * @example
 * ```ts
 * import { serveSite } from "./serve.ts";
 * const server = serveSite("apps/web/dist", { port: 0 });
 * console.log(`http://127.0.0.1:${server.addr.port}/`);
 * await server.shutdown();
 * ```
 */
export function serveSite(dir: string, opts: ServeOptions = {}): Deno.HttpServer<Deno.NetAddr> {
  const { port = 8000, hostname = "127.0.0.1", base = "/" } = opts;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`serveSite: port must be an integer in 0..65535, got ${port}`);
  }
  if (!base.startsWith("/") || !base.endsWith("/")) {
    throw new RangeError(
      `serveSite: base must start and end with '/', got ${JSON.stringify(base)}`,
    );
  }
  return Deno.serve({ hostname, port, onListen() {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    if (path === base.slice(0, -1)) return Response.redirect(new URL(base, req.url), 301);
    if (!path.startsWith(base)) return new Response("not found", { status: 404 });
    const rel = path.slice(base.length) || "index.html";
    const type = TYPES[rel.split(".").pop() ?? ""];
    if (type === undefined || rel.split("/").some((s) => s === "" || s === "." || s === "..")) {
      return new Response("not found", { status: 404 });
    }
    try {
      const file = await Deno.open(`${dir}/${rel}`);
      return new Response(file.readable, { headers: { "content-type": type } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ args: commandArgs(), options: { port: { type: "string" } } });
  const port = Number(values.port ?? 8000);
  if (await isStale(DIST)) {
    console.error("demo: building apps/web/dist …");
    await buildSite(DIST);
  }
  const server = serveSite(DIST, { port });
  console.error(`demo: serving ${DIST} at http://127.0.0.1:${server.addr.port}/ (Ctrl-C stops)`);
  await server.finished;
}

if (import.meta.main) await runMain("demo", main);
