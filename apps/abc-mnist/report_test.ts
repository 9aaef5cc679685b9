import { assert, assertEquals, assertThrows } from "@convgrad/base/testing";
import { parseFlags } from "./flags.ts";
import {
  gradientCheckTable,
  grid,
  lossCurvesSpec,
  movementTable,
  resultsTable,
  type RunResult,
} from "./report.ts";

Deno.test("abc-mnist: flags have modest defaults and reject bad values by name", () => {
  const f = parseFlags([])!;
  assertEquals([f.trainLimit, f.testLimit, f.epochs, f.batchSize], [2000, 2000, 1, 50]);
  assertEquals([f.Ms, f.Ns, f.rules.length, f.baseline], [[1, 3, 5], [0, 3], 4, true]);
  assertEquals(f.optimizer, { name: "adam", lr: 1e-3 });
  const g = parseFlags([
    "--M",
    "2",
    "--N",
    "0",
    "--rules",
    "ste,alpha_exact",
    "--optimizer",
    "sgd",
  ])!;
  assertEquals([g.Ms, g.Ns, g.rules, g.optimizer.name], [[2], [0], ["ste", "alpha_exact"], "sgd"]);
  assertEquals(parseFlags(["--help"]), null);
  assertThrows(() => parseFlags(["--M", "0"]), RangeError, "--M must be an integer >= 1");
  assertThrows(() => parseFlags(["--N", "x"]), RangeError, '--N must be an integer >= 0, got "x"');
  assertThrows(() => parseFlags(["--rules", "exact"]), RangeError, "--rules: each must be one of");
  assertThrows(() => parseFlags(["--optimizer", "rms"]), RangeError, "--optimizer must be");
  assertThrows(() => parseFlags(["--lr", "0"]), RangeError, "--lr must be a number > 0");
  assertThrows(() => parseFlags(["--backend", "gpu"]), RangeError, "--backend must be");
});

const run = (M: number | null, N: number, gradient: RunResult["gradient"], acc: number) => ({
  M,
  N,
  gradient,
  testAccuracy: acc,
  finalLoss: 1 - acc,
  meanLoss: 1,
  kernelChange: 0.5,
  basesFlipped: M === null ? null : 0.25,
  curve: [[50, 2], [100, 1 - acc]] as [number, number][],
  seconds: 1,
});

Deno.test("abc-mnist: the grid, the tables and the plot cover every run", () => {
  const configs = grid([1, 3], [0, 3], ["ste", "alpha_exact"], true);
  assertEquals(configs.length, 1 + 2 * 2 * 2);
  assertEquals(configs[0], { M: null, N: 0, gradient: null });
  const results = configs.map((c, i) => run(c.M, c.N, c.gradient, 0.5 + i / 100));
  const table = resultsTable(results).split("\n");
  // Header, rule, float, then (N, M) = (0,1), (0,3), (3,1), (3,3).
  assertEquals(table.length, 2 + 1 + 4);
  assertEquals(table[0], "| weights | activations | ste: acc / loss | alpha_exact: acc / loss |");
  assertEquals(table[2], "| float (FiltConv2D) | float | 50.0% / 0.500 | |");
  assertEquals(table[6], "| M = 3 | N = 3 | 57.0% / 0.430 | 58.0% / 0.420 |");
  assert(movementTable(results).includes("| M = 1 | float | 25.0% / 0.500 | 25.0% / 0.500 |"));
  const spec = lossCurvesSpec(results, "t") as { data: { values: { rule: string }[] } };
  // 8 ABC runs and the float baseline repeated in each of the 4 panels, 2 points each.
  assertEquals(spec.data.values.length, (8 + 4) * 2);
  const check = gradientCheckTable([{
    M: 3,
    rule: "alpha_exact",
    weightRelError: 2e-8,
    inputRelError: 1e-7,
    matchesFiniteDifferences: true,
    relDistance: 3e-8,
    cosine: 1,
    normRatio: 1,
  }]);
  assert(check.endsWith("| 3 | alpha_exact | 2.0e-8 | yes | 3.00e-8 | 1.000 | 1.00 |"), check);
});
