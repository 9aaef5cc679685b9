/**
 * The Chromium side of the browser tests, bundled by `browser.ts`: the parity cases on cpu, wasm
 * and webgl, and the webgl kernels' own checks.
 *
 * @module
 */
import type { BackendName } from "../../packages/ops/mod.ts";
import { parityCases, runParity } from "./cases.ts";
import { expose } from "./expose.ts";
import { webglChecks } from "./webgl_checks.ts";

expose({
  parity: ({ backends }: { backends: BackendName[] }) =>
    runParity(backends, "chromium", parityCases(), (line) => console.log(line)),
  webglChecks,
});
