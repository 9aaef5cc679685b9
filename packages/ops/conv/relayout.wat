;; Batched 2-D transpose on the TF.js wasm backend's own heap (the memory is imported, so no
;; copies in or out): src [B,R,C] float32 → dst [B,C,R]. NCHW ⇄ NHWC and the batch-as-channels
;; layouts of the conv backward pass are all this one move. 4x4 blocks go through SIMD shuffles;
;; the ragged edges are copied one float at a time.
(module
  (import "env" "memory" (memory 0))

  (func $transpose (export "transpose")
    (param $src i32) (param $dst i32) (param $B i32) (param $R i32) (param $C i32)
    (local $b i32) (local $r i32) (local $c i32) (local $R4 i32) (local $C4 i32)
    (local $s i32) (local $d i32) (local $plane i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $R4 (i32.and (local.get $R) (i32.const -4)))
    (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
    (local.set $plane (i32.shl (i32.mul (local.get $R) (local.get $C)) (i32.const 2)))
    (block $doneB (loop $eachB
      (br_if $doneB (i32.ge_u (local.get $b) (local.get $B)))
      ;; full 4-row bands
      (local.set $r (i32.const 0))
      (block $doneR (loop $eachR
        (br_if $doneR (i32.ge_u (local.get $r) (local.get $R4)))
        (local.set $c (i32.const 0))
        (block $doneC (loop $eachC
          (br_if $doneC (i32.ge_u (local.get $c) (local.get $C4)))
          ;; s = src + (r*C + c)*4
          (local.set $s (i32.add (local.get $src)
            (i32.shl (i32.add (i32.mul (local.get $r) (local.get $C)) (local.get $c)) (i32.const 2))))
          (local.set $v0 (v128.load (local.get $s)))
          (local.set $v1 (v128.load (i32.add (local.get $s) (i32.shl (local.get $C) (i32.const 2)))))
          (local.set $v2 (v128.load (i32.add (local.get $s) (i32.shl (local.get $C) (i32.const 3)))))
          (local.set $v3 (v128.load (i32.add (local.get $s)
            (i32.mul (local.get $C) (i32.const 12)))))
          (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1)))
          (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1)))
          (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3)))
          (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3)))
          ;; d = dst + (c*R + r)*4
          (local.set $d (i32.add (local.get $dst)
            (i32.shl (i32.add (i32.mul (local.get $c) (local.get $R)) (local.get $r)) (i32.const 2))))
          (v128.store (local.get $d)
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
          (v128.store (i32.add (local.get $d) (i32.shl (local.get $R) (i32.const 2)))
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
          (v128.store (i32.add (local.get $d) (i32.shl (local.get $R) (i32.const 3)))
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
          (v128.store (i32.add (local.get $d) (i32.mul (local.get $R) (i32.const 12)))
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
          (local.set $c (i32.add (local.get $c) (i32.const 4)))
          (br $eachC)))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $eachR)))
      ;; right edge (columns C4..C) of the full bands, then the bottom rows R4..R entirely
      (call $scalar (local.get $src) (local.get $dst) (local.get $R) (local.get $C)
        (i32.const 0) (local.get $R4) (local.get $C4) (local.get $C))
      (call $scalar (local.get $src) (local.get $dst) (local.get $R) (local.get $C)
        (local.get $R4) (local.get $R) (i32.const 0) (local.get $C))
      (local.set $src (i32.add (local.get $src) (local.get $plane)))
      (local.set $dst (i32.add (local.get $dst) (local.get $plane)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $eachB))))

  ;; dst[c*R + r] = src[r*C + c] for r in [r0,r1), c in [c0,c1)
  (func $scalar
    (param $src i32) (param $dst i32) (param $R i32) (param $C i32)
    (param $r0 i32) (param $r1 i32) (param $c0 i32) (param $c1 i32)
    (local $r i32) (local $c i32)
    (local.set $r (local.get $r0))
    (block $doneR (loop $eachR
      (br_if $doneR (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $c (local.get $c0))
      (block $doneC (loop $eachC
        (br_if $doneC (i32.ge_u (local.get $c) (local.get $c1)))
        (f32.store
          (i32.add (local.get $dst)
            (i32.shl (i32.add (i32.mul (local.get $c) (local.get $R)) (local.get $r)) (i32.const 2)))
          (f32.load (i32.add (local.get $src)
            (i32.shl (i32.add (i32.mul (local.get $r) (local.get $C)) (local.get $c)) (i32.const 2)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $eachC)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $eachR))))
)
