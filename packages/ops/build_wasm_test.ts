import { assert, assertEquals } from "@convgrad/base/testing";
import { built, MODULES } from "./build_wasm.ts";

Deno.test("every committed wasm build is exactly what deno task build:wasm writes", async () => {
  const wats: string[] = [];
  for (const dir of Deno.readDirSync(new URL("./", import.meta.url))) {
    if (!dir.isDirectory) continue;
    for (const f of Deno.readDirSync(new URL(`./${dir.name}/`, import.meta.url))) {
      if (f.name.endsWith(".wat")) wats.push(`${dir.name}/${f.name}`);
    }
  }
  // A new .wat file must be listed in MODULES, or it would never be checked.
  assertEquals(MODULES.map((m) => m.wat).sort(), wats.sort());
  for (const m of MODULES) {
    const committed = await Deno.readFile(new URL(m.out, import.meta.url));
    const expected = await built(m);
    assert(
      committed.length === expected.length && committed.every((b, i) => b === expected[i]),
      `${m.out} is stale: rebuild with deno task build:wasm`,
    );
  }
});
