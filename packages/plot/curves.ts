/**
 * Learning curves as a Vega-Lite spec: panels side by side, each a line per series (training and
 * validation, say, or one per mode), the shape every training app reports.
 *
 * @module
 */
import type { ChartSpec } from "./vega.ts";

/** One point of a curve; `series` names its line when a panel has several. */
export interface CurvePoint {
  x: number;
  y: number;
  series?: string;
}

/** One panel of {@linkcode curvesChart}. */
export interface CurvePanel {
  title: string;
  /** Axis titles. */
  xTitle: string;
  yTitle: string;
  points: readonly CurvePoint[];
  /** A log y axis (losses over several decades). Default false. */
  logY?: boolean;
  /** Whole-number x ticks (epochs) and a marker on each point. Default false. */
  perEpoch?: boolean;
  /** d3 format of the y axis, e.g. ".3f". */
  yFormat?: string;
}

/**
 * A Vega-Lite spec of `panels` side by side under `title`, for `savePlot`.
 *
 * @example
 * ```ts
 * import { curvesChart, savePlot } from "@convgrad/plot";
 * const spec = curvesChart("demo", [{
 *   title: "loss", xTitle: "epoch", yTitle: "cross-entropy", perEpoch: true,
 *   points: [{ x: 1, y: 0.9, series: "train" }, { x: 2, y: 0.5, series: "train" },
 *            { x: 1, y: 1.0, series: "val" }, { x: 2, y: 0.7, series: "val" }],
 * }]);
 * await savePlot("/tmp/convgrad-curves", spec);
 * ```
 */
export function curvesChart(title: string, panels: readonly CurvePanel[]): ChartSpec {
  if (panels.length === 0) throw new RangeError("curvesChart: panels must not be empty");
  for (const [i, p] of panels.entries()) {
    const bad = p.points.find((q) => !Number.isFinite(q.x) || !Number.isFinite(q.y));
    if (bad) {
      throw new RangeError(
        `curvesChart: panels[${i}] ("${p.title}") has a non-finite point ${JSON.stringify(bad)}`,
      );
    }
  }
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: { text: title, anchor: "middle", offset: 12 },
    hconcat: panels.map((p) => ({
      title: p.title,
      width: 320,
      height: 220,
      data: { values: p.points.map((q) => ({ ...q, series: q.series ?? p.yTitle })) },
      mark: { type: "line", point: p.perEpoch ?? false },
      encoding: {
        x: {
          field: "x",
          type: "quantitative",
          title: p.xTitle,
          ...(p.perEpoch ? { axis: { tickMinStep: 1, format: "d" } } : {}),
        },
        y: {
          field: "y",
          type: "quantitative",
          title: p.yTitle,
          scale: p.logY ? { type: "log" } : { zero: false, padding: 10 },
          ...(p.yFormat ? { axis: { format: p.yFormat } } : {}),
        },
        // A legend only where a panel has more than one line.
        ...(new Set(p.points.map((q) => q.series)).size > 1
          ? { color: { field: "series", type: "nominal", title: null } }
          : {}),
      },
    })),
  };
}
