import { assertEquals, assertThrows } from "./testing.ts";
import { withoutRelaxedSimd } from "./wasm_build.ts";

Deno.test("withoutRelaxedSimd splits each fused multiply-add, nested ones too", () => {
  const fused = ";; keep (this)\n(local.set $a (f32x4.relaxed_madd (local.get $s)\n" +
    "  (f32x4.relaxed_madd (v128.load (local.get $p)) (local.get $t) (local.get $u)) (local.get $a)))";
  assertEquals(
    withoutRelaxedSimd(fused),
    ";; keep (this)\n(local.set $a (f32x4.add (f32x4.mul (local.get $s) " +
      "(f32x4.add (f32x4.mul (v128.load (local.get $p)) (local.get $t)) (local.get $u))) " +
      "(local.get $a)))",
  );
  assertEquals(
    withoutRelaxedSimd("(f32x4.add (local.get 0) (local.get 1))"),
    "(f32x4.add (local.get 0) (local.get 1))",
  );
});

Deno.test("withoutRelaxedSimd renames relaxed swizzles", () => {
  assertEquals(
    withoutRelaxedSimd("(i8x16.relaxed_swizzle (local.get $v) (local.get $s))"),
    "(i8x16.swizzle (local.get $v) (local.get $s))",
  );
});

Deno.test("withoutRelaxedSimd rejects operands it cannot split", () => {
  assertThrows(
    () => withoutRelaxedSimd("(f32x4.relaxed_madd (local.get 0) (local.get 1))"),
    SyntaxError,
    "expected 3 folded operands",
  );
  assertThrows(
    () => withoutRelaxedSimd("(f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2"),
    SyntaxError,
    "unbalanced",
  );
});
