import { assertEquals, assertThrows } from "./asserts.ts";
import { textTable } from "./table.ts";

Deno.test("textTable pads every column to its widest cell", () => {
  assertEquals(
    textTable(["n", "ms"], [["500", "0.07"], ["1000", "0.11"]]),
    "n    | ms\n-----|-----\n500  | 0.07\n1000 | 0.11",
  );
  assertEquals(textTable(["a"], []), "a\n-");
});

Deno.test("textTable refuses rows of another width", () => {
  assertThrows(() => textTable(["a", "b"], [["1"]]), RangeError, "row 0 has 1 cells, the head 2");
});
