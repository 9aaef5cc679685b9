import { assert, assertEquals } from "@convgrad/base/testing";
import { readImports, unitOf } from "./imports.ts";

Deno.test("imports follow the layering, go through package exports and never into tests/", () => {
  const { table, violations } = readImports();
  assert(
    violations.length === 0,
    violations.map((v) => `${v.file}: ${v.specifier} (${v.why})`).join("\n"),
  );
  // The graph was read at all: ops sits on base, the apps on nn.
  assert(table.get("ops")?.has("base"), "ops → base not found");
  assert(table.get("apps/mnist")?.has("nn"), "apps/mnist → nn not found");
});

Deno.test("unitOf names packages by folder and apps by app", () => {
  assertEquals(unitOf("packages/ops/conv/filt.ts"), "ops");
  assertEquals(unitOf("apps/mnist/main.ts"), "apps/mnist");
  assertEquals(unitOf("tests/parity/cases.ts"), "tests");
});
