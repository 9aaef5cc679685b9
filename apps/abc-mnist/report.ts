/**
 * What `deno task abc-mnist` reports: the experiment grid, the results table (Markdown) and the
 * loss-curve figure (Vega-Lite). Pure functions, so the tests can check them without training.
 *
 * @module
 */
import { ABC_GRADIENTS, type AbcGradient, type GradientRuleCheck } from "@convgrad/ops";

/** One trained configuration: the conv layer's bases and rule, or the float baseline. */
export interface RunConfig {
  /** Weight bases; `null` for the float `FiltConv2D` baseline. */
  M: number | null;
  /** Activation bases (0: weights only). */
  N: number;
  gradient: AbcGradient | null;
}

/** What one run produced. */
export interface RunResult extends RunConfig {
  testAccuracy: number;
  /** Mean training loss over the last tenth of the curve (the end of training). */
  finalLoss: number;
  /** Mean training loss over the whole run. */
  meanLoss: number;
  /** `‖W_end − W_start‖ / ‖W_start‖` of the conv's real-valued kernel. */
  kernelChange: number;
  /** Fraction of the M bases' ±1 entries that differ between start and end; null for float. */
  basesFlipped: number | null;
  /** `[images seen, mean loss of the slice]`, one pair per slice of steps. */
  curve: [number, number][];
  seconds: number;
}

/**
 * The grid: the float baseline (optional), then for each N and M every rule.
 *
 * @example
 * ```ts
 * import { grid } from "./report.ts";
 * grid([1, 3], [0], ["ste"], true).length; // 3
 * ```
 */
export function grid(
  Ms: number[],
  Ns: number[],
  rules: readonly AbcGradient[],
  baseline: boolean,
): RunConfig[] {
  const runs: RunConfig[] = baseline ? [{ M: null, N: 0, gradient: null }] : [];
  for (const N of Ns) {
    for (const M of Ms) for (const gradient of rules) runs.push({ M, N, gradient });
  }
  return runs;
}

/**
 * A run's short name: `float`, or `M3 N0 ste`.
 *
 * @example
 * ```ts
 * import { runName } from "./report.ts";
 * runName({ M: 3, N: 0, gradient: "ste" }); // "M3 N0 ste"
 * ```
 */
export function runName(c: RunConfig): string {
  return c.M === null ? "float" : `M${c.M} N${c.N} ${c.gradient}`;
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/** One row per (N, M) and the float baseline, one column per rule, `cell` in each. */
function gridTable(results: RunResult[], what: string, cell: (r: RunResult) => string): string {
  const rules = ABC_GRADIENTS.filter((r) => results.some((x) => x.gradient === r));
  const head = ["weights", "activations", ...rules.map((r) => `${r}: ${what}`)];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map(() => " --- ").join("|")}|`];
  const float = results.find((r) => r.M === null);
  if (float) {
    const rest = rules.slice(1).map(() => " |").join("");
    lines.push(`| float (FiltConv2D) | float | ${cell(float)} |${rest}`);
  }
  const keys = [...new Set(results.filter((r) => r.M !== null).map((r) => `${r.N},${r.M}`))];
  for (const key of keys) {
    const [N, M] = key.split(",").map(Number);
    const cells = rules.map((rule) => {
      const r = results.find((x) => x.M === M && x.N === N && x.gradient === rule);
      return r ? cell(r) : "";
    });
    lines.push(`| M = ${M} | ${N === 0 ? "float" : `N = ${N}`} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/**
 * Test accuracy and final training loss as a Markdown table: one row per (N, M), one column
 * per rule.
 *
 * @example
 * ```ts
 * import { resultsTable } from "./report.ts";
 * console.log(resultsTable([]));
 * ```
 */
export function resultsTable(results: RunResult[]): string {
  return gridTable(
    results,
    "acc / loss",
    (r) => `${pct(r.testAccuracy)} / ${r.finalLoss.toFixed(3)}`,
  );
}

/**
 * How far training moved the conv: the share of binary-basis entries that flipped and
 * `‖ΔW‖/‖W‖`, laid out like {@linkcode resultsTable}.
 *
 * @example
 * ```ts
 * import { movementTable } from "./report.ts";
 * console.log(movementTable([]));
 * ```
 */
export function movementTable(results: RunResult[]): string {
  return gridTable(
    results,
    "flipped / ‖ΔW‖/‖W‖",
    (r) => `${r.basesFlipped === null ? "–" : pct(r.basesFlipped)} / ${r.kernelChange.toFixed(3)}`,
  );
}

/**
 * {@linkcode compareGradientRules}' rows as a Markdown table.
 *
 * @example
 * ```ts
 * import { gradientCheckTable } from "./report.ts";
 * console.log(gradientCheckTable([]));
 * ```
 */
export function gradientCheckTable(rows: (GradientRuleCheck & { M: number })[]): string {
  const lines = [
    "| M | rule | gradcheck max rel. error (∂/∂W) | = finite differences? | ‖g − PG‖/‖PG‖ | cos(g, PG) | ‖g‖/‖PG‖ |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.M} | ${r.rule} | ${r.weightRelError.toExponential(1)} | ${
        r.matchesFiniteDifferences ? "yes" : "no"
      } | ${r.relDistance.toPrecision(3)} | ${r.cosine.toFixed(3)} | ${
        r.normRatio.toPrecision(3)
      } |`,
    );
  }
  return lines.join("\n");
}

/**
 * Loss curves, one panel per conv configuration (columns M, rows weights-only / N activation
 * bases), one line per rule, the float baseline in every panel.
 *
 * @example
 * ```ts
 * import { lossCurvesSpec } from "./report.ts";
 * lossCurvesSpec([], "MNIST", ["2000 images"]).mark; // "line"
 * ```
 */
export function lossCurvesSpec(
  results: RunResult[],
  title: string,
  subtitle: string[] = [],
): Record<string, unknown> {
  const float = results.find((r) => r.M === null);
  const panels = results.filter((r) => r.M !== null);
  const values = panels.flatMap((r) =>
    r.curve.map(([images, loss]) => ({
      images,
      loss,
      rule: r.gradient,
      M: `M = ${r.M}`,
      activations: r.N === 0 ? "float activations" : `N = ${r.N} binary activations`,
    }))
  );
  if (float) {
    const cells = [...new Set(panels.map((r) => `${r.M}|${r.N}`))];
    for (const cell of cells) {
      const [M, N] = cell.split("|").map(Number);
      for (const [images, loss] of float.curve) {
        values.push({
          images,
          loss,
          rule: "float" as AbcGradient,
          M: `M = ${M}`,
          activations: N === 0 ? "float activations" : `N = ${N} binary activations`,
        });
      }
    }
  }
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: { text: title, subtitle: [...subtitle, "training loss, running mean of 5 points"] },
    data: { values },
    // Each point is already a mean over a slice of batches; a running mean of 5 more makes the
    // four rules distinguishable.
    transform: [{
      window: [{ op: "mean", field: "loss", as: "smoothed" }],
      frame: [-4, 0],
      groupby: ["rule", "M", "activations"],
      sort: [{ field: "images" }],
    }],
    mark: "line",
    width: 220,
    height: 160,
    encoding: {
      x: { field: "images", type: "quantitative", title: "training images seen" },
      y: {
        field: "smoothed",
        type: "quantitative",
        scale: { type: "log", nice: false },
        title: "cross-entropy",
      },
      color: {
        field: "rule",
        type: "nominal",
        // The float baseline in grey behind the four rules.
        scale: {
          domain: [...ABC_GRADIENTS, "float"],
          range: ["#4c78a8", "#f58518", "#e45756", "#54a24b", "#9d9d9d"],
        },
        title: "gradient rule",
      },
      column: { field: "M", type: "nominal", title: null },
      row: { field: "activations", type: "nominal", title: null, sort: "descending" },
    },
  };
}
