/**
 * Plots for convgrad's reports: Vega-Lite/Vega charts to SVG + PNG without a DOM, a PNG encoder
 * and image grids.
 *
 * @example
 * ```ts
 * import { savePlot } from "@convgrad/plot";
 * await savePlot("/tmp/loss", {
 *   data: { values: [{ step: 1, loss: 2.3 }, { step: 2, loss: 1.1 }] },
 *   mark: "line",
 *   encoding: {
 *     x: { field: "step", type: "quantitative" },
 *     y: { field: "loss", type: "quantitative" },
 *   },
 * });
 * ```
 *
 * @module
 */
export { type ChartSpec, renderVega, savePlot } from "./vega.ts";
export { encodePng, type GridOptions, saveImageGrid } from "./png.ts";
export { type CurvePanel, type CurvePoint, curvesChart } from "./curves.ts";
