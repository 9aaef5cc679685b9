/**
 * The webgl `maxPool` kernels run only in a browser: this drives headless Chromium (WebGL 2 on
 * SwiftShader) through `tests/parity/browser.ts` and checks them against the cpu kernels.
 */
import { assert } from "@convgrad/base/testing";
import { withPage } from "../../../tests/parity/browser.ts";
import type { CheckResult } from "../../../tests/parity/webgl_checks.ts";

Deno.test("webgl maxPool in Chromium: equals the cpu kernels, leaks nothing", async (t) => {
  const results = await withPage(
    new URL("./kernels_webgl_page.ts", import.meta.url),
    (page) => page.call<CheckResult[]>("poolChecks"),
  );
  assert(results.length === 2, `expected 2 checks, got ${results.length}`);
  for (const r of results) {
    await t.step(r.name, () => assert(r.ok, `${r.name}: ${r.detail}`));
  }
});
