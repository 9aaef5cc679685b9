import { assertEquals, assertThrows } from "./asserts.ts";
import { commandArgs, intFlag } from "./flags.ts";

Deno.test("commandArgs drops the `--` that `deno task name -- --flag` passes on", () => {
  assertEquals(commandArgs(["--", "--epochs", "1"]), ["--epochs", "1"]);
  assertEquals(commandArgs(["--epochs", "1", "--"]), ["--epochs", "1", "--"]);
  assertEquals(commandArgs([]), []);
});

Deno.test("intFlag: integers at least min, the default when absent, errors naming the flag", () => {
  assertEquals(intFlag("epochs", "5", 1), 5);
  assertEquals(intFlag("epochs", undefined, 1, 3), 3);
  assertThrows(
    () => intFlag("epochs", "0", 1),
    RangeError,
    '--epochs must be an integer >= 1, got "0"',
  );
  assertThrows(() => intFlag("threads", "1.5", 1), RangeError, "--threads must be");
  assertThrows(() => intFlag("seed", " ", 0), RangeError, "--seed");
  assertThrows(() => intFlag("seed", undefined, 0), RangeError, "got undefined");
});
