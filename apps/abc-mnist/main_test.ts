/**
 * End to end: `deno task abc-mnist` on a slice of MNIST with a small grid; the outputs the issue
 * lists (table, loss-curve PNG, gradient check) must exist and make sense.
 */
import { assert, assertEquals } from "@convgrad/base/testing";
import type { RunResult } from "./report.ts";

const main = new URL("./main.ts", import.meta.url).pathname;

Deno.test({
  name: "abc-mnist: a small grid trains, tabulates, plots and checks the rules",
  sanitizeResources: false,
  fn: async () => {
    const out = await Deno.makeTempDir({ prefix: "convgrad-abc-mnist-" });
    const args = ["run", "-A", main, "--train-limit", "300", "--test-limit", "300", "--M", "1,3"];
    args.push("--N", "0", "--rules", "ste,alpha_exact", "--out", out);
    const { code, stderr } = await new Deno.Command(Deno.execPath(), { args }).output();
    const log = new TextDecoder().decode(stderr);
    assertEquals(code, 0, log);
    assert(/\[5\/5\] M3 N0 alpha_exact: test accuracy/.test(log), log);

    const json = JSON.parse(await Deno.readTextFile(`${out}/results.json`));
    const results = json.results as RunResult[];
    assertEquals(results.map((r) => [r.M, r.gradient]), [
      [null, null],
      [1, "ste"],
      [1, "alpha_exact"],
      [3, "ste"],
      [3, "alpha_exact"],
    ]);
    for (const r of results) {
      // 300 images are enough to beat chance (10%) clearly, and the loss must have come down.
      assert(r.testAccuracy > 0.2 && r.testAccuracy <= 1, `${JSON.stringify(r)}`);
      assert(r.finalLoss < r.curve[0][1], `loss did not decrease: ${JSON.stringify(r.curve)}`);
      assertEquals(r.curve.at(-1)![0], 300);
    }
    const checks = json.gradientChecks as { rule: string; matchesFiniteDifferences: boolean }[];
    assertEquals(checks.length, 8);
    for (const c of checks) assertEquals(c.matchesFiniteDifferences, c.rule === "alpha_exact");

    const md = await Deno.readTextFile(`${out}/results.md`);
    assert(md.includes("| M = 3 | float |"), md);
    const png = await Deno.readFile(`${out}/loss_curves.png`);
    assertEquals(Array.from(png.subarray(1, 4)), [0x50, 0x4e, 0x47]); // "PNG"
    await Deno.remove(out, { recursive: true });
  },
});
