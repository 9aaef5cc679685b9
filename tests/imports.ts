/**
 * The repository's import graph at the level of packages, read from the source text, and the
 * layering it must follow (README, "Architecture"):
 *
 *   apps/*, benchmarks → nn, rnn (siblings) → data → ops → base; svm, plot, browser → base.
 *
 * `deno run -A tests/imports.ts` prints the table (package → packages it imports).
 *
 * @module
 */

/** A place in the repository: `packages/<name>` is `<name>`, else its top folder (`apps/mnist`). */
export type Unit = string;

/** Which of our packages each package may import; apps, benchmarks and tests may import any. */
export const ALLOWED: Record<string, readonly string[]> = {
  base: [],
  ops: ["base"],
  data: ["ops", "base"],
  nn: ["data", "ops", "base"],
  rnn: ["data", "ops", "base"],
  svm: ["base"],
  plot: ["base"],
  browser: ["base"],
};

/** One import that breaks the layering. */
export interface Violation {
  file: string;
  specifier: string;
  why: string;
}

const ROOT = new URL("../", import.meta.url);
const SKIP = new Set(["node_modules", "runs", "dist", ".git"]);
// Static imports and re-exports, dynamic imports, and module URLs handed to Workers.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|new URL\(\s*)["']([^"']+)["']/g;

function* sources(dir: URL, rel = ""): Generator<string> {
  for (const e of Deno.readDirSync(dir)) {
    if (SKIP.has(e.name) || e.name.startsWith(".")) continue;
    const path = rel + e.name;
    if (e.isDirectory) yield* sources(new URL(`${e.name}/`, dir), `${path}/`);
    else if (/\.(ts|tsx|js)$/.test(e.name)) yield path;
  }
}

/** The unit a repository path belongs to: `packages/ops/conv/filt.ts` → `ops`. */
export function unitOf(path: string): Unit {
  const [top, second] = path.split("/");
  if (top === "packages") return second;
  if (top === "apps") return `apps/${second}`;
  return top;
}

function isPackage(unit: Unit): boolean {
  return unit in ALLOWED;
}

/** The code of `text` without comments, so that JSDoc examples do not count as imports. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

/** The package names that `@convgrad/<name>[/sub]` may use: a workspace member and its exports. */
function exportsOf(pkg: string): string[] {
  const config = JSON.parse(Deno.readTextFileSync(new URL(`packages/${pkg}/deno.json`, ROOT)));
  const e = config.exports;
  return typeof e === "string" ? ["."] : Object.keys(e);
}

/**
 * Every import between our units, and the imports that break the layering.
 *
 * @example
 * ```ts
 * import { readImports } from "./imports.ts";
 * const { table, violations } = readImports();
 * console.log(table.get("ops"), violations.length);
 * ```
 */
export function readImports(): { table: Map<Unit, Set<Unit>>; violations: Violation[] } {
  const table = new Map<Unit, Set<Unit>>();
  const violations: Violation[] = [];
  for (const file of sources(ROOT)) {
    const from = unitOf(file);
    if (!table.has(from)) table.set(from, new Set());
    const code = stripComments(Deno.readTextFileSync(new URL(file, ROOT)));
    for (const [, spec] of code.matchAll(SPECIFIER)) {
      let to: Unit;
      if (spec.startsWith("@convgrad/")) {
        const [, pkg, ...sub] = spec.split("/");
        to = pkg;
        const entry = sub.length === 0 ? "." : `./${sub.join("/")}`;
        if (!isPackage(pkg) || !exportsOf(pkg).includes(entry)) {
          violations.push({ file, specifier: spec, why: `${spec} is not an export of a package` });
          continue;
        }
      } else if (spec.startsWith(".") && /\.(ts|tsx|js)$/.test(spec)) {
        const target = new URL(spec, new URL(file, ROOT)).pathname.slice(ROOT.pathname.length);
        to = unitOf(target);
        if (to !== from && isPackage(to)) {
          violations.push({
            file,
            specifier: spec,
            why: `a relative import into package ${to}: use @convgrad/${to}`,
          });
          continue;
        }
      } else {
        continue; // npm:, node:, import-map names of npm packages
      }
      if (to === from) continue;
      table.get(from)!.add(to);
      if (to === "tests" && from !== "tests") {
        violations.push({ file, specifier: spec, why: "nothing outside tests/ imports tests/" });
      } else if (isPackage(from) && !ALLOWED[from].includes(to)) {
        violations.push({
          file,
          specifier: spec,
          why: `${from} may import only ${ALLOWED[from].join(", ") || "nothing of ours"}`,
        });
      }
    }
  }
  return { table, violations };
}

if (import.meta.main) {
  const { table, violations } = readImports();
  for (const [unit, deps] of [...table].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(`${unit.padEnd(18)} → ${[...deps].sort().join(", ") || "—"}`);
  }
  for (const v of violations) console.log(`VIOLATION ${v.file}: ${v.specifier} (${v.why})`);
}
