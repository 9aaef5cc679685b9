import { assert, assertEquals, assertRejects } from "@convgrad/base/testing";
import { CHROMIUM_ENV, chromiumExecutable, chromiumFlags, openPage, withPage } from "./mod.ts";

const PAGE = new URL("./example_page.ts", import.meta.url);

Deno.test("openPage: the bundled page's functions answer; WebGL 2 is there; close is idempotent", async () => {
  const page = await openPage(PAGE, { onLog: () => {} });
  try {
    assertEquals(await page.call<number>("add", { a: 2, b: 40 }), 42);
    assertEquals(await page.call<boolean>("webgl2"), true);
    await assertRejects(() => page.call("nope"), Error, "the page exposes no 'nope'");
  } finally {
    await page.close();
  }
  await page.close();
  await assertRejects(() => page.call("add", { a: 1, b: 1 }), Error, "");
});

Deno.test("withPage: a page that does not bundle is a clear error, and nothing is left open", async () => {
  const missing = new URL("./no_such_page.ts", import.meta.url);
  await assertRejects(() => withPage(missing, (p) => p.call("add")), Error, "deno bundle");
});

Deno.test("chromiumFlags keep ours and drop the package's single-process and headless flags", () => {
  const flags = chromiumFlags();
  assert(flags.includes("--use-angle=swiftshader"), flags.join(" "));
  assert(
    !flags.some((f) => f.startsWith("--headless") || f === "--single-process"),
    flags.join(" "),
  );
  assertEquals(new Set(flags).size, flags.length);
});

Deno.test("CONVGRAD_CHROMIUM naming no file is a clear error", async () => {
  const old = Deno.env.get(CHROMIUM_ENV);
  Deno.env.set(CHROMIUM_ENV, "/nonexistent/chrome");
  try {
    await assertRejects(
      () => chromiumExecutable(),
      Error,
      "CONVGRAD_CHROMIUM=/nonexistent/chrome: no such file",
    );
  } finally {
    if (old === undefined) Deno.env.delete(CHROMIUM_ENV);
    else Deno.env.set(CHROMIUM_ENV, old);
  }
});
