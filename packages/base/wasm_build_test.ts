import { assertEquals, assertThrows } from "./testing.ts";
import { withoutRelaxedMadd } from "./wasm_build.ts";

Deno.test("withoutRelaxedMadd splits each fused multiply-add, nested ones too", () => {
  const fused = ";; keep (this)\n(local.set $a (f32x4.relaxed_madd (local.get $s)\n" +
    "  (f32x4.relaxed_madd (v128.load (local.get $p)) (local.get $t) (local.get $u)) (local.get $a)))";
  assertEquals(
    withoutRelaxedMadd(fused),
    ";; keep (this)\n(local.set $a (f32x4.add (f32x4.mul (local.get $s) " +
      "(f32x4.add (f32x4.mul (v128.load (local.get $p)) (local.get $t)) (local.get $u))) " +
      "(local.get $a)))",
  );
  assertEquals(
    withoutRelaxedMadd("(f32x4.add (local.get 0) (local.get 1))"),
    "(f32x4.add (local.get 0) (local.get 1))",
  );
});

Deno.test("withoutRelaxedMadd rejects operands it cannot split", () => {
  assertThrows(
    () => withoutRelaxedMadd("(f32x4.relaxed_madd (local.get 0) (local.get 1))"),
    SyntaxError,
    "expected 3 folded operands",
  );
  assertThrows(
    () => withoutRelaxedMadd("(f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2"),
    SyntaxError,
    "unbalanced",
  );
});
