import { assertEquals } from "@convgrad/base/testing";
import { wasmBuildProblems } from "@convgrad/base/wasm-build";
import { BUILDER, MODULES } from "./build_wasm.ts";

Deno.test("every committed wasm build of ops is what deno task build:wasm writes", async () => {
  assertEquals(await wasmBuildProblems(new URL("./", import.meta.url), BUILDER, MODULES), []);
});
