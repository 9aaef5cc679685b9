/**
 * Charts as files without a DOM: Vega-Lite (or Vega) specs rendered to SVG by Vega's headless
 * view, and to PNG by resvg (WebAssembly) with a bundled DejaVu font, so nothing depends on the
 * machine's fonts.
 *
 * @module
 */
import * as vega from "vega";
import * as vl from "vega-lite";
import { initWasm, Resvg } from "@resvg/resvg-wasm";
import { createRequire } from "node:module";
// Imported only so the font package is installed with ours; its TTF files are read below.
import "dejavu-fonts-ttf/package.json" with { type: "json" };

let ready: Promise<Uint8Array[]> | undefined;

/** Loads resvg's wasm and the fonts once. */
function init(): Promise<Uint8Array[]> {
  ready ??= (async () => {
    const require = createRequire(import.meta.url);
    await initWasm(await Deno.readFile(require.resolve("@resvg/resvg-wasm/index_bg.wasm")));
    const ttf = new URL("./ttf/", import.meta.resolve("dejavu-fonts-ttf/package.json"));
    return await Promise.all(
      ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"].map((f) => Deno.readFile(new URL(f, ttf))),
    );
  })();
  return ready;
}

/** A Vega-Lite or Vega specification (plain JSON). */
export type ChartSpec = Record<string, unknown>;

/**
 * Which grammar `spec` is written in: its `$schema` says, else a Vega-Lite `mark` or a Vega
 * `marks` key; composite Vega-Lite specs (`layer`, `hconcat`, `facet`…) have neither.
 */
function isVegaLite(spec: ChartSpec): boolean {
  const schema = String(spec.$schema ?? "");
  const lite = schema ? schema.includes("vega-lite") : !("marks" in spec);
  if (lite ? "marks" in spec : "mark" in spec) {
    throw new TypeError(
      `renderVega: a ${lite ? "Vega-Lite" : "Vega"} spec ($schema ${schema || "absent"}) ` +
        `cannot have a "${lite ? "marks" : "mark"}" key`,
    );
  }
  return lite;
}

/**
 * `spec` as SVG text by Vega's headless view. Vega's dataflow only logs its errors (the SVG then
 * comes out empty), so a logger collects them to throw; warnings still go to the console.
 */
async function toSvg(spec: ChartSpec): Promise<string> {
  const lite = isVegaLite(spec), errors: string[] = [];
  const logger = vega.logger(vega.Warn, undefined, (method, level, args) => {
    if (method === "error") errors.push(args.map(String).join(" "));
    else console.warn(level, ...args);
  });
  let svg = "";
  try {
    const vgSpec = lite
      ? vl.compile({ background: "white", ...spec } as vl.TopLevelSpec, { logger }).spec
      : { background: "white", ...spec };
    const view = new vega.View(vega.parse(vgSpec as vega.Spec), { renderer: "none", logger });
    svg = await view.toSVG();
    view.finalize();
  } catch (e) {
    errors.push((e as Error).message);
  }
  if (errors.length > 0) {
    const grammar = lite ? "Vega-Lite" : "Vega";
    throw new Error(`renderVega: cannot render the ${grammar} spec: ${errors.join("; ")}`);
  }
  return svg;
}

/**
 * Renders a chart to SVG text and PNG bytes.
 *
 * @param spec a Vega-Lite or Vega specification, told apart by its `$schema`, else by a `mark`
 *   (Vega-Lite) or `marks` (Vega) key.
 * @param opts.scale PNG pixels per SVG pixel. Default 2.
 *
 * @example
 * ```ts
 * import { renderVega } from "@convgrad/plot";
 * const { svg, png } = await renderVega({
 *   data: { values: [{ x: 1, y: 2 }, { x: 2, y: 3 }] },
 *   mark: "line",
 *   encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
 * });
 * ```
 */
export async function renderVega(
  spec: ChartSpec,
  opts: { scale?: number } = {},
): Promise<{ svg: string; png: Uint8Array }> {
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
    throw new TypeError(`renderVega: spec must be a Vega or Vega-Lite object, got ${spec}`);
  }
  const scale = opts.scale ?? 2;
  if (!(scale > 0)) throw new RangeError(`renderVega: scale must be > 0, got ${scale}`);
  const fonts = await init();
  const svg = await toSvg(spec);
  const resvg = new Resvg(svg, {
    font: { fontBuffers: fonts, defaultFontFamily: "DejaVu Sans", loadSystemFonts: false },
    fitTo: { mode: "zoom", value: scale },
  });
  try {
    return { svg, png: resvg.render().asPng() };
  } finally {
    resvg.free();
  }
}

/**
 * Renders `spec` and writes `<path>.svg` and `<path>.png`, creating the folder.
 *
 * @example
 * ```ts
 * import { savePlot } from "@convgrad/plot";
 * await savePlot("/tmp/line", {
 *   data: { values: [{ x: 1, y: 2 }, { x: 2, y: 3 }] },
 *   mark: "line",
 *   encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
 * });
 * ```
 */
export async function savePlot(
  path: string,
  spec: ChartSpec,
  opts: { scale?: number } = {},
): Promise<void> {
  if (typeof path !== "string" || path === "") {
    throw new TypeError(`savePlot: path must be a non-empty string, got ${path}`);
  }
  const { svg, png } = await renderVega(spec, opts);
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${path}.svg`, svg);
  await Deno.writeFile(`${path}.png`, png);
}
