/**
 * The parity suite under `deno test` (so `deno task test` runs it): cpu and wasm in Deno, cpu,
 * wasm and webgl in headless Chromium. Chromium comes from npm (`@convgrad/browser`).
 */
import { assert } from "@convgrad/base/testing";
import { formatTable, parityCases } from "./cases.ts";
import { BROWSER_BACKENDS, DENO_BACKENDS, runParitySuite } from "./parity.ts";

Deno.test("parity: every op and gradient matches the float64 oracle on every backend", async () => {
  const rows = await runParitySuite(() => {});
  const outputs = parityCases().reduce((n, c) => n + Object.keys(c.oracle()).length, 0);
  const backends = DENO_BACKENDS.length + BROWSER_BACKENDS.length;
  assert(
    rows.length === outputs * backends,
    `expected ${
      outputs * backends
    } rows (${outputs} outputs x ${backends} backends), got ${rows.length}`,
  );
  assert(rows.some((r) => r.backend === "chromium/webgl"), "no row ran on chromium/webgl");
  const failed = rows.filter((r) => !r.pass);
  assert(failed.length === 0, `${failed.length} parity failures:\n${formatTable(failed)}`);
});
