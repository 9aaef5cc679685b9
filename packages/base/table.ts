/**
 * Plain-text tables for the benchmarks' and apps' reports.
 *
 * @module
 */

/**
 * Lays out `rows` under `head` as a Markdown-style text table, each column as wide as its widest
 * cell.
 *
 * @example
 * ```ts
 * import { textTable } from "@convgrad/base";
 * console.log(textTable(["n", "ms"], [["500", "0.07"], ["1000", "0.11"]]));
 * // n    | ms
 * // -----|-----
 * // 500  | 0.07
 * // 1000 | 0.11
 * ```
 */
export function textTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  for (const [i, r] of rows.entries()) {
    if (r.length !== head.length) {
      throw new RangeError(`textTable: row ${i} has ${r.length} cells, the head ${head.length}`);
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => c.padEnd(widths[i])).join(" | ").trimEnd();
  return [line(head), widths.map((w) => "-".repeat(w)).join("-|-"), ...rows.map(line)].join("\n");
}
