/**
 * What the parity table cannot see of the webgl kernels, in headless Chromium (WebGL 2 on
 * SwiftShader): the packed textures the conv kernels write, values outside every window, leaks,
 * the refusal of WebGL 1 (`conv_checks.ts`), and `maxPool` against the cpu kernels
 * (`pool_checks.ts`). One page serves both.
 */
import { assert } from "@convgrad/base/testing";
import { withPage } from "@convgrad/browser";
import { wasmBinaries } from "@convgrad/ops";
import type { CheckResult } from "./conv_checks.ts";

Deno.test("webgl kernels in Chromium: packed layout, unreached values, leaks, WebGL 1, maxPool", async (t) => {
  const [conv, pool] = await withPage(
    new URL("../parity/page.ts", import.meta.url),
    async (page) => [
      await page.call<CheckResult[]>("webglChecks"),
      await page.call<CheckResult[]>("poolChecks"),
    ],
    { files: await wasmBinaries() },
  );
  assert(conv.length === 4, `expected 4 conv checks, got ${conv.length}`);
  assert(pool.length === 2, `expected 2 pool checks, got ${pool.length}`);
  for (const r of [...conv, ...pool]) {
    await t.step(r.name, () => assert(r.ok, `${r.name}: ${r.detail}`));
  }
});
