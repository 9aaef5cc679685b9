;; Max-pooling over non-overlapping k x k windows, NCHW, run on the TF.js wasm backend's own heap
;; (the memory is imported). Pointers are byte offsets; `planes` = N*C. Both passes pick each
;; window's first maximum (row-major), so the gradient goes where the forward value came from.
;; 2x2 windows (the common case) take a SIMD path, four windows per step; the rest go through
;; the scalar $walk.
(module
  (import "env" "memory" (memory 0))

  ;; Byte offset of the first maximum of window (i, j) of the plane at $base.
  (func $argmax (param $base i32) (param $W i32) (param $k i32) (param $i i32) (param $j i32)
    (result i32)
    (local $p i32) (local $q i32) (local $row i32) (local $at i32) (local $best i32)
    (local $bv f32) (local $v f32)
    (local.set $best (i32.add (local.get $base) (i32.shl (i32.add
      (i32.mul (i32.mul (local.get $i) (local.get $k)) (local.get $W))
      (i32.mul (local.get $j) (local.get $k))) (i32.const 2))))
    (local.set $bv (f32.load (local.get $best)))
    (local.set $row (local.get $best))
    (block $doneP (loop $eachP
      (br_if $doneP (i32.ge_u (local.get $p) (local.get $k)))
      (local.set $at (local.get $row))
      (local.set $q (i32.const 0))
      (block $doneQ (loop $eachQ
        (br_if $doneQ (i32.ge_u (local.get $q) (local.get $k)))
        (local.set $v (f32.load (local.get $at)))
        (if (f32.gt (local.get $v) (local.get $bv))
          (then (local.set $bv (local.get $v)) (local.set $best (local.get $at))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $eachQ)))
      (local.set $row (i32.add (local.get $row) (i32.shl (local.get $W) (i32.const 2))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $eachP)))
    (local.get $best))

  ;; y[plane, i, j] = max of window (i, j); mode 0. With mode 1, dx[argmax] += dy[plane, i, j]
  ;; instead ($out is dx, zeroed here; $dy the upstream gradient).
  ;; Windows from column $j0 on (those before it are done by the SIMD path).
  (func $walk (param $x i32) (param $out i32) (param $dy i32) (param $planes i32)
    (param $H i32) (param $W i32) (param $k i32) (param $mode i32) (param $j0 i32)
    (local $Ho i32) (local $Wo i32) (local $plane i32) (local $i i32) (local $j i32)
    (local $base i32) (local $o i32) (local $at i32)
    (local.set $Ho (i32.div_u (local.get $H) (local.get $k)))
    (local.set $Wo (i32.div_u (local.get $W) (local.get $k)))
    (block $donePl (loop $eachPl
      (br_if $donePl (i32.ge_u (local.get $plane) (local.get $planes)))
      (local.set $base (i32.add (local.get $x)
        (i32.shl (i32.mul (local.get $plane) (i32.mul (local.get $H) (local.get $W))) (i32.const 2))))
      (local.set $i (i32.const 0))
      (block $doneI (loop $eachI
        (br_if $doneI (i32.ge_u (local.get $i) (local.get $Ho)))
        (local.set $j (local.get $j0))
        (local.set $o (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $plane) (local.get $Ho))
          (local.get $i)) (local.get $Wo)) (local.get $j0)) (i32.const 2)))
        (block $doneJ (loop $eachJ
          (br_if $doneJ (i32.ge_u (local.get $j) (local.get $Wo)))
          (local.set $at (call $argmax (local.get $base) (local.get $W) (local.get $k)
            (local.get $i) (local.get $j)))
          (if (local.get $mode)
            (then
              ;; same offset in dx as in x
              (local.set $at (i32.add (local.get $out) (i32.sub (local.get $at) (local.get $x))))
              (f32.store (local.get $at) (f32.add (f32.load (local.get $at))
                (f32.load (i32.add (local.get $dy) (local.get $o))))))
            (else
              (f32.store (i32.add (local.get $out) (local.get $o)) (f32.load (local.get $at)))))
          (local.set $o (i32.add (local.get $o) (i32.const 4)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $eachJ)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $eachI)))
      (local.set $plane (i32.add (local.get $plane) (i32.const 1)))
      (br $eachPl))))

;; 2x2, SIMD: four windows (two rows of 8 floats) per step. A row's last step starts at window
  ;; Wo − 4, overlapping the one before when 4 does not divide Wo: it writes the same values again.
  ;; Returns how many windows per row it covered: Wo, or 0 when rows have fewer than 4 windows.
  ;; Lanes: row r = [a0 a1 a2 a3 | a4 a5 a6 a7]; window w takes a(2w), a(2w+1) of both rows.
  (func $forward2 (param $x i32) (param $y i32) (param $planes i32) (param $H i32) (param $W i32)
    (result i32)
    (local $Ho i32) (local $Wo i32) (local $row i32) (local $rows i32) (local $j i32)
    (local $s0 i32) (local $d0 i32) (local $s i32) (local $d i32) (local $m0 v128) (local $m1 v128)
    (local.set $Ho (i32.shr_u (local.get $H) (i32.const 1)))
    (local.set $Wo (i32.shr_u (local.get $W) (i32.const 1)))
    (if (i32.lt_u (local.get $Wo) (i32.const 4)) (then (return (i32.const 0))))
    (local.set $rows (i32.mul (local.get $planes) (local.get $Ho)))
    (block $doneR (loop $eachR
      (br_if $doneR (i32.ge_u (local.get $row) (local.get $rows)))
      ;; output row `row` = plane*Ho + i reads input rows 2i, 2i+1 of that plane
      (local.set $s0 (i32.add (local.get $x) (i32.shl (i32.mul
        (i32.add (i32.mul (i32.div_u (local.get $row) (local.get $Ho)) (local.get $H))
          (i32.shl (i32.rem_u (local.get $row) (local.get $Ho)) (i32.const 1)))
        (local.get $W)) (i32.const 2))))
      (local.set $d0 (i32.add (local.get $y) (i32.shl (i32.mul (local.get $row) (local.get $Wo)) (i32.const 2))))
      (local.set $j (i32.const 0))
      (block $doneJ (loop $eachJ
        (local.set $s (i32.add (local.get $s0) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $d (i32.add (local.get $d0) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $m0 (f32x4.max (v128.load (local.get $s))
          (v128.load (i32.add (local.get $s) (i32.shl (local.get $W) (i32.const 2))))))
        (local.set $m1 (f32x4.max (v128.load offset=16 (local.get $s))
          (v128.load offset=16 (i32.add (local.get $s) (i32.shl (local.get $W) (i32.const 2))))))
        (v128.store (local.get $d) (f32x4.max
          (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $m0) (local.get $m1))
          (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $m0) (local.get $m1))))
        (br_if $doneJ (i32.eq (local.get $j) (i32.sub (local.get $Wo) (i32.const 4))))
        (local.set $j (select (i32.add (local.get $j) (i32.const 4)) (i32.sub (local.get $Wo) (i32.const 4))
          (i32.lt_u (i32.add (local.get $j) (i32.const 8)) (local.get $Wo))))
        (br $eachJ)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $eachR)))
    (local.get $Wo))

  ;; 2x2 backward, SIMD, over the same windows as $forward2: for each window position in row-major
  ;; order (top-left, top-right, bottom-left, bottom-right) the first one equal to the maximum takes
  ;; dy, the others 0. Windows do not overlap, so dx is written, not accumulated.
  (func $backward2 (param $x i32) (param $dy i32) (param $dx i32) (param $planes i32) (param $H i32)
    (param $W i32) (result i32)
    (local $Ho i32) (local $Wo i32) (local $row i32) (local $rows i32)
    (local $j i32) (local $s i32) (local $o i32) (local $g i32) (local $W2 i32)
    (local $s0 i32) (local $o0 i32) (local $g0 i32)
    (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128)
    (local $tl v128) (local $tr v128) (local $bl v128) (local $br v128)
    (local $m v128) (local $seen v128) (local $e v128) (local $gv v128)
    (local $otl v128) (local $otr v128) (local $obl v128) (local $obr v128)
    (local.set $Ho (i32.shr_u (local.get $H) (i32.const 1)))
    (local.set $Wo (i32.shr_u (local.get $W) (i32.const 1)))
    (if (i32.lt_u (local.get $Wo) (i32.const 4)) (then (return (i32.const 0))))
    (local.set $W2 (i32.shl (local.get $W) (i32.const 2)))
    (local.set $rows (i32.mul (local.get $planes) (local.get $Ho)))
    (block $doneR (loop $eachR
      (br_if $doneR (i32.ge_u (local.get $row) (local.get $rows)))
      (local.set $o (i32.shl (i32.mul
        (i32.add (i32.mul (i32.div_u (local.get $row) (local.get $Ho)) (local.get $H))
          (i32.shl (i32.rem_u (local.get $row) (local.get $Ho)) (i32.const 1)))
        (local.get $W)) (i32.const 2)))
      (local.set $s0 (i32.add (local.get $x) (local.get $o)))
      (local.set $o0 (i32.add (local.get $dx) (local.get $o)))
      (local.set $g0 (i32.add (local.get $dy) (i32.shl (i32.mul (local.get $row) (local.get $Wo)) (i32.const 2))))
      (local.set $j (i32.const 0))
      (block $doneJ (loop $eachJ
        (local.set $s (i32.add (local.get $s0) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $o (i32.add (local.get $o0) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $g (i32.add (local.get $g0) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $a0 (v128.load (local.get $s)))
        (local.set $a1 (v128.load offset=16 (local.get $s)))
        (local.set $b0 (v128.load (i32.add (local.get $s) (local.get $W2))))
        (local.set $b1 (v128.load offset=16 (i32.add (local.get $s) (local.get $W2))))
        (local.set $tl (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a0) (local.get $a1)))
        (local.set $tr (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a0) (local.get $a1)))
        (local.set $bl (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $b0) (local.get $b1)))
        (local.set $br (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $b0) (local.get $b1)))
        ;; the maximum as the scalar scan finds it: strictly greater replaces
        (local.set $m (local.get $tl))
        (local.set $m (v128.bitselect (local.get $tr) (local.get $m) (f32x4.gt (local.get $tr) (local.get $m))))
        (local.set $m (v128.bitselect (local.get $bl) (local.get $m) (f32x4.gt (local.get $bl) (local.get $m))))
        (local.set $m (v128.bitselect (local.get $br) (local.get $m) (f32x4.gt (local.get $br) (local.get $m))))
        (local.set $gv (v128.load (local.get $g)))
        (local.set $e (f32x4.eq (local.get $tl) (local.get $m)))
        (local.set $otl (v128.and (local.get $gv) (local.get $e)))
        (local.set $seen (local.get $e))
        (local.set $e (v128.andnot (f32x4.eq (local.get $tr) (local.get $m)) (local.get $seen)))
        (local.set $otr (v128.and (local.get $gv) (local.get $e)))
        (local.set $seen (v128.or (local.get $seen) (local.get $e)))
        (local.set $e (v128.andnot (f32x4.eq (local.get $bl) (local.get $m)) (local.get $seen)))
        (local.set $obl (v128.and (local.get $gv) (local.get $e)))
        (local.set $seen (v128.or (local.get $seen) (local.get $e)))
        (local.set $e (v128.andnot (f32x4.eq (local.get $br) (local.get $m)) (local.get $seen)))
        (local.set $obr (v128.and (local.get $gv) (local.get $e)))
        ;; back to memory order: interleave the left and right columns of each row
        (v128.store (local.get $o)
          (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $otl) (local.get $otr)))
        (v128.store offset=16 (local.get $o)
          (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $otl) (local.get $otr)))
        (v128.store (i32.add (local.get $o) (local.get $W2))
          (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $obl) (local.get $obr)))
        (v128.store offset=16 (i32.add (local.get $o) (local.get $W2))
          (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $obl) (local.get $obr)))
        (br_if $doneJ (i32.eq (local.get $j) (i32.sub (local.get $Wo) (i32.const 4))))
        (local.set $j (select (i32.add (local.get $j) (i32.const 4)) (i32.sub (local.get $Wo) (i32.const 4))
          (i32.lt_u (i32.add (local.get $j) (i32.const 8)) (local.get $Wo))))
        (br $eachJ)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $eachR)))
    (local.get $Wo))

  (func (export "forward") (param $x i32) (param $y i32) (param $planes i32) (param $H i32)
    (param $W i32) (param $k i32)
    (call $walk (local.get $x) (local.get $y) (i32.const 0) (local.get $planes) (local.get $H)
      (local.get $W) (local.get $k) (i32.const 0)
      (if (result i32) (i32.eq (local.get $k) (i32.const 2))
        (then (call $forward2 (local.get $x) (local.get $y) (local.get $planes) (local.get $H)
          (local.get $W)))
        (else (i32.const 0)))))

  (func (export "backward") (param $x i32) (param $dy i32) (param $dx i32) (param $planes i32)
    (param $H i32) (param $W i32) (param $k i32)
    ;; zero first, unless the SIMD path will write every entry: the scalar path accumulates, and
    ;; rows/columns no window covers get nothing
    (if (i32.or (i32.or (i32.ne (local.get $k) (i32.const 2)) (i32.lt_u (local.get $W) (i32.const 8)))
        (i32.and (i32.or (local.get $H) (local.get $W)) (i32.const 1)))
      (then (memory.fill (local.get $dx) (i32.const 0)
        (i32.shl (i32.mul (local.get $planes) (i32.mul (local.get $H) (local.get $W))) (i32.const 2)))))
    (call $walk (local.get $x) (local.get $dx) (local.get $dy) (local.get $planes) (local.get $H)
      (local.get $W) (local.get $k) (i32.const 1)
      (if (result i32) (i32.eq (local.get $k) (i32.const 2))
        (then (call $backward2 (local.get $x) (local.get $dy) (local.get $dx) (local.get $planes)
          (local.get $H) (local.get $W)))
        (else (i32.const 0)))))
)
