/**
 * The Chromium side of the browser tests, bundled by `@convgrad/browser`: the parity cases on cpu,
 * wasm and webgl, and the webgl kernels' own checks (`tests/webgl/`).
 *
 * @module
 */
import type { BackendName } from "@convgrad/ops";
import { expose } from "@convgrad/browser/expose";
import { parityCases, runParity } from "./cases.ts";
import { webglChecks } from "../webgl/conv_checks.ts";
import { poolChecks } from "../webgl/pool_checks.ts";

expose({
  parity: ({ backends }: { backends: BackendName[] }) =>
    runParity(backends, "chromium", parityCases(), (line) => console.log(line)),
  webglChecks,
  poolChecks,
});
