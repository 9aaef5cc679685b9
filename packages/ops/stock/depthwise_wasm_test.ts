import { assertEquals } from "@convgrad/base/testing";
import { assemble } from "../build_wasm.ts";
import { WASM_BASE64 } from "./depthwise_wasm.ts";

Deno.test("depthwise_wasm.ts holds exactly the assembled depthwise.wat", async () => {
  const committed = Uint8Array.from(atob(WASM_BASE64), (ch) => ch.charCodeAt(0));
  assertEquals(Array.from(committed), Array.from(await assemble("stock/depthwise.wat")));
});
