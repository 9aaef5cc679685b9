;; Kernel columns for the SVM solvers: out[t] = k(z, x_t) for t = idx[0..m), the points stored
;; row-major as float64 with each row padded to an even length `dp` (zeros), so that a dot
;; product is dp/2 f64x2 steps. Four points at a time: the four dot products share the loads of
;; z, and their kernel transform (rbf's exp, poly's power) runs two lanes at once.
;; Pointers are byte offsets into the module's memory (given by JS); the caller lays the arrays out.
;;
;; Below, SMO's two loops over the active set (see smo.ts), on the solver's arrays in the same
;; memory: y and ∇ float64, the UP/LOW flags one byte per point, the active list int32.
;;
;; Last, the kernel column cache (colGet) and the whole SMO loop (smo), so that an SMO fit
;; crosses from JS into wasm once per thousand steps, not several times per step: a short fit
;; then never waits for the JIT to warm up JS, and meets no JS in its inner loop.
(module
  ;; A kernel function given in JS: out[t] = k(x_i, x_t) for t = idx[0..m), from the cache.
  (import "env" "columnFn" (func $columnFn (param $i i32) (param $out i32) (param $idx i32) (param $m i32)))
  ;; The memory comes from JS (kernels.ts), so that a new table can take over a released one's,
  ;; its pages already mapped.
  (import "env" "memory" (memory 1))
  (export "memory" (memory 0))
  ;; The maximum that maxUp found, and the maximum of y∇ over I_low that partner found.
  (global $up (export "up") (mut f64) (f64.const 0))
  (global $low (export "low") (mut f64) (f64.const 0))

  ;; rows' constants, both lanes alike. A v128.const or splat in a function body is rebuilt
  ;; from immediates at each use (3 instructions on x64, more in Liftoff), a global is a single
  ;; load: rows (rbf) ran 15% faster so. $c0..$c13 are 1/j! for Taylor's r^j (no $c1: 1·r is r).
  (global $bias v128 (v128.const i64x2 1023 1023))
  (global $expMin v128 (v128.const f64x2 -708 -708))
  (global $log2e v128 (v128.const f64x2 1.4426950408889634 1.4426950408889634))
  (global $shifter v128 (v128.const f64x2 6755399441055744 6755399441055744))
  (global $ln2hi v128 (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))
  (global $ln2lo v128 (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))
  (global $c0 v128 (v128.const f64x2 1.0 1.0))
  (global $c2 v128 (v128.const f64x2 0.5 0.5))
  (global $c3 v128 (v128.const f64x2 0.16666666666666666 0.16666666666666666))
  (global $c4 v128 (v128.const f64x2 0.041666666666666664 0.041666666666666664))
  (global $c5 v128 (v128.const f64x2 0.008333333333333333 0.008333333333333333))
  (global $c6 v128 (v128.const f64x2 0.001388888888888889 0.001388888888888889))
  (global $c7 v128 (v128.const f64x2 0.0001984126984126984 0.0001984126984126984))
  (global $c8 v128 (v128.const f64x2 2.48015873015873e-05 2.48015873015873e-05))
  (global $c9 v128 (v128.const f64x2 2.7557319223985893e-06 2.7557319223985893e-06))
  (global $c10 v128 (v128.const f64x2 2.755731922398589e-07 2.755731922398589e-07))
  (global $c11 v128 (v128.const f64x2 2.505210838544172e-08 2.505210838544172e-08))
  (global $c12 v128 (v128.const f64x2 2.08767569878681e-09 2.08767569878681e-09))
  (global $c13 v128 (v128.const f64x2 1.6059043836821613e-10 1.6059043836821613e-10))

  ;; out[t] = k(z, x_t) for t = idx[a], a in [0, m). kind: 0 linear x·z, 1 rbf
  ;; exp(−γ‖x − z‖²) with ‖x − z‖² = zz + sq[t] − 2 x·z (clamped at 0), 2 poly (γ x·z + coef0)^degree.
  (func $rows (export "rows") (param $z i32) (param $zz f64) (param $pts i32) (param $sq i32)
    (param $dp i32) (param $idx i32) (param $m i32) (param $out i32) (param $kind i32)
    (param $gamma f64) (param $coef0 f64) (param $degree i32)
    (local $a i32) (local $t0 i32) (local $t1 i32) (local $t2 i32) (local $t3 i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $half i32)
    (local $k i32) (local $row i32) (local $zv v128) (local $acc0 v128) (local $acc1 v128)
    (local $acc2 v128) (local $acc3 v128) (local $s23 v128)
    (local $s v128) (local $b v128) (local $e i32) (local $ng2 v128) (local $zz2 v128)
    (local $x v128) (local $c v128) (local $kb v128) (local $n2 v128) (local $r v128) (local $r2 v128)
    (local $r4 v128)
    (local.set $row (i32.shl (local.get $dp) (i32.const 3)))
    ;; rbf's −γ and zz on both lanes, once per call rather than once per pair.
    (local.set $ng2 (f64x2.splat (f64.neg (local.get $gamma))))
    (local.set $zz2 (f64x2.splat (local.get $zz)))
    (if (i32.gt_u (local.get $m) (i32.const 0)) (then (loop $quads
      ;; Four points per block; past the end of the list the first one stands in (its value
      ;; is then stored again, unchanged).
      (local.set $t0 (i32.load (i32.add (local.get $idx) (i32.shl (local.get $a) (i32.const 2)))))
      (local.set $t1 (select
        (i32.load offset=4 (i32.add (local.get $idx) (i32.shl (local.get $a) (i32.const 2))))
        (local.get $t0)
        (i32.lt_u (i32.add (local.get $a) (i32.const 1)) (local.get $m))))
      (local.set $t2 (select
        (i32.load offset=8 (i32.add (local.get $idx) (i32.shl (local.get $a) (i32.const 2))))
        (local.get $t0)
        (i32.lt_u (i32.add (local.get $a) (i32.const 2)) (local.get $m))))
      (local.set $t3 (select
        (i32.load offset=12 (i32.add (local.get $idx) (i32.shl (local.get $a) (i32.const 2))))
        (local.get $t0)
        (i32.lt_u (i32.add (local.get $a) (i32.const 3)) (local.get $m))))
      (local.set $p0 (i32.add (local.get $pts) (i32.mul (local.get $t0) (local.get $row))))
      (local.set $p1 (i32.add (local.get $pts) (i32.mul (local.get $t1) (local.get $row))))
      (local.set $p2 (i32.add (local.get $pts) (i32.mul (local.get $t2) (local.get $row))))
      (local.set $p3 (i32.add (local.get $pts) (i32.mul (local.get $t3) (local.get $row))))
      (local.set $acc0 (v128.const i64x2 0 0))
      (local.set $acc1 (v128.const i64x2 0 0))
      (local.set $acc2 (v128.const i64x2 0 0))
      (local.set $acc3 (v128.const i64x2 0 0))
      (local.set $k (i32.const 0))
      ;; Four independent sums: the adds' latency overlaps, and each load of z serves four.
      ;; (A do-while, as the loop over blocks: d >= 1, so a row holds at least one f64x2 step.)
      (loop $dot
        (local.set $acc0 (f64x2.add (local.get $acc0)
          (f64x2.mul (local.tee $zv (v128.load (i32.add (local.get $z) (local.get $k))))
            (v128.load (i32.add (local.get $p0) (local.get $k))))))
        (local.set $acc1 (f64x2.add (local.get $acc1)
          (f64x2.mul (local.get $zv) (v128.load (i32.add (local.get $p1) (local.get $k))))))
        (local.set $acc2 (f64x2.add (local.get $acc2)
          (f64x2.mul (local.get $zv) (v128.load (i32.add (local.get $p2) (local.get $k))))))
        (local.set $acc3 (f64x2.add (local.get $acc3)
          (f64x2.mul (local.get $zv) (v128.load (i32.add (local.get $p3) (local.get $k))))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br_if $dot (i32.lt_u (local.get $k) (local.get $row))))
      ;; (x_t0·z, x_t1·z) and (x_t2·z, x_t3·z): the lanes of each accumulator summed, as
      ;; (acc0.lo, acc1.lo) + (acc0.hi, acc1.hi): two shuffles and one add instead of four
      ;; extracts, two scalar adds, a splat and a replace per pair.
      (local.set $s (f64x2.add
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $acc0) (local.get $acc1))
        (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $acc0) (local.get $acc1))))
      (local.set $s23 (f64x2.add
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $acc2) (local.get $acc3))
        (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $acc2) (local.get $acc3))))
      ;; The kernel's transform, one pair of lanes at a time: (t0, t1) in $s, then (t2, t3).
      (local.set $half (i32.const 0))
      (loop $halves
        (if (i32.eq (local.get $kind) (i32.const 1))
          (then
            (local.set $x (f64x2.mul (local.get $ng2)
              (f64x2.pmax (v128.const i64x2 0 0)
                (f64x2.sub
                  (f64x2.add (local.get $zz2)
                    (v128.load64_lane 1 (i32.add (local.get $sq) (i32.shl (local.get $t1) (i32.const 3)))
                      (v128.load64_zero (i32.add (local.get $sq) (i32.shl (local.get $t0) (i32.const 3))))))
                  (f64x2.add (local.get $s) (local.get $s))))))
            ;; exp(x) on both lanes, for x <= 0 (rbf's argument): Cody-Waite reduction x = k ln2 + r,
            ;; |r| <= ln2/2, then the Taylor series to r^13 (its remainder is below 1e-17) evaluated by
            ;; Estrin's scheme (a short dependency chain, so that the CPU overlaps its steps), scaled by
            ;; 2^k built in the exponent bits. Below -708 (where 2^k would leave the normal range) the
            ;; result is 0: the true value is under 1e-307.
            (local.set $c (local.get $x))
            (local.set $x (f64x2.pmax (local.get $x) (global.get $expMin)))
            ;; k = x/ln2 rounded to the nearest integer (ties to even, as f64x2.nearest would) by
            ;; adding and taking away 1.5·2^52; the sum's low mantissa bits hold k, two's complement:
            ;; 2^k is then ($kb + 1023) << 52 (the sum's own exponent bits shift out), with no
            ;; float-to-int conversion (several instructions per lane on x64).
            (local.set $kb (f64x2.add (f64x2.mul (local.get $x) (global.get $log2e))
              (global.get $shifter)))
            (local.set $n2 (f64x2.sub (local.get $kb) (global.get $shifter)))
            (local.set $r (f64x2.sub
              (f64x2.sub (local.get $x) (f64x2.mul (local.get $n2) (global.get $ln2hi)))
              (f64x2.mul (local.get $n2) (global.get $ln2lo))))
            (local.set $r2 (f64x2.mul (local.get $r) (local.get $r)))
            (local.set $r4 (f64x2.mul (local.get $r2) (local.get $r2)))
            (local.set $s (f64x2.mul (f64x2.add
                (f64x2.add (f64x2.add (f64x2.add (global.get $c0) (local.get $r)) (f64x2.mul (f64x2.add (global.get $c2) (f64x2.mul (global.get $c3) (local.get $r))) (local.get $r2)))
                  (f64x2.mul (local.get $r4) (f64x2.add (f64x2.add (global.get $c4) (f64x2.mul (global.get $c5) (local.get $r))) (f64x2.mul (f64x2.add (global.get $c6) (f64x2.mul (global.get $c7) (local.get $r))) (local.get $r2)))))
                (f64x2.mul (f64x2.mul (local.get $r4) (local.get $r4))
                  (f64x2.add (f64x2.add (f64x2.add (global.get $c8) (f64x2.mul (global.get $c9) (local.get $r))) (f64x2.mul (f64x2.add (global.get $c10) (f64x2.mul (global.get $c11) (local.get $r))) (local.get $r2)))
                    (f64x2.mul (local.get $r4) (f64x2.add (global.get $c12) (f64x2.mul (global.get $c13) (local.get $r)))))))
                (i64x2.shl
                  (i64x2.add (local.get $kb) (global.get $bias))
                  (i32.const 52)))
              (v128.andnot (f64x2.lt (local.get $c) (global.get $expMin)))))
          (else (if (i32.eq (local.get $kind) (i32.const 2))
            (then
              (local.set $b (f64x2.add (f64x2.mul (f64x2.splat (local.get $gamma)) (local.get $s))
                (f64x2.splat (local.get $coef0))))
              (local.set $s (local.get $b))
              (local.set $e (i32.const 1))
              (block $powDone (loop $pow
                (br_if $powDone (i32.ge_u (local.get $e) (local.get $degree)))
                (local.set $s (f64x2.mul (local.get $s) (local.get $b)))
                (local.set $e (i32.add (local.get $e) (i32.const 1)))
                (br $pow)))))))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $t0) (i32.const 3)))
          (f64x2.extract_lane 0 (local.get $s)))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $t1) (i32.const 3)))
          (f64x2.extract_lane 1 (local.get $s)))
        ;; The second pair moves into the first's place (moves, where selects on $half would
        ;; cost a compare and a blend each).
        (local.set $s (local.get $s23))
        (local.set $t0 (local.get $t2))
        (local.set $t1 (local.get $t3))
        (local.set $half (i32.add (local.get $half) (i32.const 1)))
        (br_if $halves (i32.lt_u (local.get $half) (i32.const 2))))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (br_if $quads (i32.lt_u (local.get $a) (local.get $m)))))))

  ;; The first half of WSS 3: i = argmax of −y_t ∇_t over t in I_up (flag 1) among active[0..m),
  ;; the last one on ties; −1 when I_up is empty. The maximum is left in $up.
  (func $maxUp (export "maxUp") (param $active i32) (param $m i32) (param $flags i32) (param $y i32)
    (param $G i32) (result i32)
    (local $a i32) (local $t i32) (local $i i32) (local $v f64) (local $best f64)
    (local.set $i (i32.const -1))
    (local.set $best (f64.const -inf))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $a) (local.get $m)))
      (local.set $t (i32.load (i32.add (local.get $active) (i32.shl (local.get $a) (i32.const 2)))))
      (if (i32.and (i32.load8_u (i32.add (local.get $flags) (local.get $t))) (i32.const 1))
        (then
          (local.set $v (f64.neg (f64.mul
            (f64.load (i32.add (local.get $y) (i32.shl (local.get $t) (i32.const 3))))
            (f64.load (i32.add (local.get $G) (i32.shl (local.get $t) (i32.const 3)))))))
          (if (f64.ge (local.get $v) (local.get $best))
            (then (local.set $best (local.get $v)) (local.set $i (local.get $t))))))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $each)))
    (global.set $up (local.get $best))
    (local.get $i))

  ;; The second half: over t in I_low (flag 2), the partner j of i with the largest second-order
  ;; decrease b²/quad, b = $up + y_t ∇_t > 0, quad = K_ii + K_tt − 2K_it (or $tau when not
  ;; positive); the last one on ties, −1 when none. The maximum of y_t ∇_t is left in $low.
  (func $partner (export "partner") (param $active i32) (param $m i32) (param $flags i32) (param $y i32)
    (param $G i32) (param $QD i32) (param $Ki i32) (param $Kii f64) (param $tau f64) (result i32)
    (local $a i32) (local $t i32) (local $j i32) (local $v f64) (local $b f64) (local $quad f64)
    (local $gain f64) (local $best f64) (local $max f64)
    (local.set $j (i32.const -1))
    (local.set $best (f64.const inf))
    (local.set $max (f64.const -inf))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $a) (local.get $m)))
      (local.set $t (i32.load (i32.add (local.get $active) (i32.shl (local.get $a) (i32.const 2)))))
      (if (i32.and (i32.load8_u (i32.add (local.get $flags) (local.get $t))) (i32.const 2))
        (then
          (local.set $v (f64.mul
            (f64.load (i32.add (local.get $y) (i32.shl (local.get $t) (i32.const 3))))
            (f64.load (i32.add (local.get $G) (i32.shl (local.get $t) (i32.const 3))))))
          (if (f64.ge (local.get $v) (local.get $max)) (then (local.set $max (local.get $v))))
          (local.set $b (f64.add (global.get $up) (local.get $v)))
          (if (f64.gt (local.get $b) (f64.const 0))
            (then
              (local.set $quad (f64.sub
                (f64.add (local.get $Kii)
                  (f64.load (i32.add (local.get $QD) (i32.shl (local.get $t) (i32.const 3)))))
                (f64.mul (f64.const 2)
                  (f64.load (i32.add (local.get $Ki) (i32.shl (local.get $t) (i32.const 3)))))))
              (local.set $gain (f64.div (f64.neg (f64.mul (local.get $b) (local.get $b)))
                (select (local.get $quad) (local.get $tau) (f64.gt (local.get $quad) (f64.const 0)))))
              (if (f64.le (local.get $gain) (local.get $best))
                (then (local.set $best (local.get $gain)) (local.set $j (local.get $t))))))))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $each)))
    (global.set $low (local.get $max))
    (local.get $j))

  ;; ∇_t += y_t (K_it d_i + K_jt d_j) over the active set: an SMO step's gradient update, with
  ;; d = Δα·y of the pair; in the same pass, the next step's maxUp on the updated ∇ (its i, the
  ;; maximum left in $up), so that a step walks the active set twice, not three times.
  (func $update2 (export "update2") (param $active i32) (param $m i32) (param $flags i32) (param $y i32)
    (param $G i32) (param $Ki i32) (param $Kj i32) (param $di f64) (param $dj f64) (result i32)
    (local $a i32) (local $t i32) (local $o i32) (local $i i32) (local $yt f64) (local $g f64)
    (local $v f64) (local $best f64)
    (local.set $i (i32.const -1))
    (local.set $best (f64.const -inf))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $a) (local.get $m)))
      (local.set $t (i32.load (i32.add (local.get $active) (i32.shl (local.get $a) (i32.const 2)))))
      (local.set $o (i32.shl (local.get $t) (i32.const 3)))
      (local.set $yt (f64.load (i32.add (local.get $y) (local.get $o))))
      (local.set $g (f64.add (f64.load (i32.add (local.get $G) (local.get $o)))
        (f64.mul (local.get $yt)
          (f64.add
            (f64.mul (f64.load (i32.add (local.get $Ki) (local.get $o))) (local.get $di))
            (f64.mul (f64.load (i32.add (local.get $Kj) (local.get $o))) (local.get $dj))))))
      (f64.store (i32.add (local.get $G) (local.get $o)) (local.get $g))
      (if (i32.and (i32.load8_u (i32.add (local.get $flags) (local.get $t))) (i32.const 1))
        (then
          (local.set $v (f64.neg (f64.mul (local.get $yt) (local.get $g))))
          (if (f64.ge (local.get $v) (local.get $best))
            (then (local.set $best (local.get $v)) (local.set $i (local.get $t))))))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $each)))
    (global.set $up (local.get $best))
    (local.get $i))

  ;; G[t] += (y[t] s) col[t] for t = active[a], a in [from, to): a gradient (or Ḡ) update with
  ;; one kernel column.
  (func $axpy (export "axpy") (param $active i32) (param $from i32) (param $to i32) (param $G i32)
    (param $y i32) (param $col i32) (param $s f64)
    (local $a i32) (local $o i32) (local $g i32)
    (local.set $a (local.get $from))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $a) (local.get $to)))
      (local.set $o (i32.shl
        (i32.load (i32.add (local.get $active) (i32.shl (local.get $a) (i32.const 2))))
        (i32.const 3)))
      (local.set $g (i32.add (local.get $G) (local.get $o)))
      (f64.store (local.get $g) (f64.add (f64.load (local.get $g))
        (f64.mul
          (f64.mul (f64.load (i32.add (local.get $y) (local.get $o))) (local.get $s))
          (f64.load (i32.add (local.get $col) (local.get $o))))))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $each))))

  ;; Σ u[t] v[t] over t = active[a], a in [from, to).
  (func $dot (export "dot") (param $active i32) (param $from i32) (param $to i32) (param $u i32)
    (param $v i32) (result f64)
    (local $a i32) (local $o i32) (local $sum f64)
    (local.set $a (local.get $from))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $a) (local.get $to)))
      (local.set $o (i32.shl
        (i32.load (i32.add (local.get $active) (i32.shl (local.get $a) (i32.const 2))))
        (i32.const 3)))
      (local.set $sum (f64.add (local.get $sum) (f64.mul
        (f64.load (i32.add (local.get $u) (local.get $o)))
        (f64.load (i32.add (local.get $v) (local.get $o))))))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $each)))
    (local.get $sum))
;; The kernel column cache (dual.ts's ColumnCache), an LRU list of columns K[:, i] in the
  ;; arena, described at byte $c (int32 unless marked): 0 slotOf [n] (point → slot, −1 none),
  ;; 4 owner, 8 len (leading active positions filled), 12 prev, 16 next (the LRU list, head most
  ;; recent) [cap each], 20 arena, 24 cap, 28 n, 32 head, 36 tail, 40 slots used, 44 kernel kind
  ;; (0 linear, 1 rbf, 2 poly as in rows, 3 a JS function), 48 pts, 52 sq, 56 dp, 60 degree,
  ;; 64 gamma f64, 72 coef0 f64, 80 kernel values computed f64.
  (func $unlink (param $c i32) (param $s i32)
    (local $p i32) (local $q i32) (local $prev i32) (local $next i32)
    (local.set $prev (i32.load offset=12 (local.get $c)))
    (local.set $next (i32.load offset=16 (local.get $c)))
    (local.set $p (i32.load (i32.add (local.get $prev) (i32.shl (local.get $s) (i32.const 2)))))
    (local.set $q (i32.load (i32.add (local.get $next) (i32.shl (local.get $s) (i32.const 2)))))
    (if (i32.ge_s (local.get $p) (i32.const 0))
      (then (i32.store (i32.add (local.get $next) (i32.shl (local.get $p) (i32.const 2))) (local.get $q)))
      (else (if (i32.eq (i32.load offset=32 (local.get $c)) (local.get $s))
        (then (i32.store offset=32 (local.get $c) (local.get $q))))))
    (if (i32.ge_s (local.get $q) (i32.const 0))
      (then (i32.store (i32.add (local.get $prev) (i32.shl (local.get $q) (i32.const 2))) (local.get $p)))
      (else (if (i32.eq (i32.load offset=36 (local.get $c)) (local.get $s))
        (then (i32.store offset=36 (local.get $c) (local.get $p)))))))

  ;; Column i, valid on active[0..m), or on all n points when $full: its byte offset. A miss
  ;; takes a free slot or the least recent one; only the entries still missing are computed.
  (func $colGet (export "colGet") (param $c i32) (param $i i32) (param $active i32) (param $m i32)
    (param $full i32) (result i32)
    (local $s i32) (local $used i32) (local $need i32) (local $from i32) (local $col i32)
    (local $n i32) (local $head i32) (local $lenAt i32) (local $dp i32)
    (local.set $n (i32.load offset=28 (local.get $c)))
    (local.set $s (i32.load (i32.add (i32.load (local.get $c)) (i32.shl (local.get $i) (i32.const 2)))))
    (if (i32.ge_s (local.get $s) (i32.const 0))
      (then (call $unlink (local.get $c) (local.get $s)))
      (else
        (local.set $used (i32.load offset=40 (local.get $c)))
        (if (i32.lt_s (local.get $used) (i32.load offset=24 (local.get $c)))
          (then
            (local.set $s (local.get $used))
            (i32.store offset=40 (local.get $c) (i32.add (local.get $used) (i32.const 1))))
          (else
            (local.set $s (i32.load offset=36 (local.get $c)))
            (call $unlink (local.get $c) (local.get $s))
            (i32.store (i32.add (i32.load (local.get $c)) (i32.shl
              (i32.load (i32.add (i32.load offset=4 (local.get $c)) (i32.shl (local.get $s) (i32.const 2))))
              (i32.const 2))) (i32.const -1))))
        (i32.store (i32.add (i32.load offset=4 (local.get $c)) (i32.shl (local.get $s) (i32.const 2))) (local.get $i))
        (i32.store (i32.add (i32.load (local.get $c)) (i32.shl (local.get $i) (i32.const 2))) (local.get $s))
        (i32.store (i32.add (i32.load offset=8 (local.get $c)) (i32.shl (local.get $s) (i32.const 2))) (i32.const 0))))
    (local.set $need (select (local.get $n) (local.get $m) (local.get $full)))
    (local.set $col (i32.add (i32.load offset=20 (local.get $c))
      (i32.mul (local.get $s) (i32.shl (local.get $n) (i32.const 3)))))
    (local.set $lenAt (i32.add (i32.load offset=8 (local.get $c)) (i32.shl (local.get $s) (i32.const 2))))
    (local.set $from (i32.load (local.get $lenAt)))
    (if (i32.lt_s (local.get $from) (local.get $need))
      (then
        (if (i32.eq (i32.load offset=44 (local.get $c)) (i32.const 3))
          (then (call $columnFn (local.get $i) (local.get $col)
            (i32.add (local.get $active) (i32.shl (local.get $from) (i32.const 2)))
            (i32.sub (local.get $need) (local.get $from))))
          (else
            (local.set $dp (i32.load offset=56 (local.get $c)))
            (call $rows
              (i32.add (i32.load offset=48 (local.get $c))
                (i32.mul (local.get $i) (i32.shl (local.get $dp) (i32.const 3))))
              (f64.load (i32.add (i32.load offset=52 (local.get $c)) (i32.shl (local.get $i) (i32.const 3))))
              (i32.load offset=48 (local.get $c))
              (i32.load offset=52 (local.get $c))
              (local.get $dp)
              (i32.add (local.get $active) (i32.shl (local.get $from) (i32.const 2)))
              (i32.sub (local.get $need) (local.get $from))
              (local.get $col)
              (i32.load offset=44 (local.get $c))
              (f64.load offset=64 (local.get $c))
              (f64.load offset=72 (local.get $c))
              (i32.load offset=60 (local.get $c)))))
        (f64.store offset=80 (local.get $c) (f64.add (f64.load offset=80 (local.get $c))
          (f64.convert_i32_s (i32.sub (local.get $need) (local.get $from)))))
        (i32.store (local.get $lenAt) (local.get $need))))
    ;; Now the most recent.
    (local.set $head (i32.load offset=32 (local.get $c)))
    (i32.store (i32.add (i32.load offset=12 (local.get $c)) (i32.shl (local.get $s) (i32.const 2))) (i32.const -1))
    (i32.store (i32.add (i32.load offset=16 (local.get $c)) (i32.shl (local.get $s) (i32.const 2))) (local.get $head))
    (if (i32.ge_s (local.get $head) (i32.const 0))
      (then (i32.store (i32.add (i32.load offset=12 (local.get $c)) (i32.shl (local.get $head) (i32.const 2)))
        (local.get $s))))
    (i32.store offset=32 (local.get $c) (local.get $s))
    (if (i32.lt_s (i32.load offset=36 (local.get $c)) (i32.const 0))
      (then (i32.store offset=36 (local.get $c) (local.get $s))))
    (local.get $col))

  ;; After positions i < j of the active list swapped: the columns holding i but not j are cut
  ;; back to i (see dual.ts's ColumnCache).
  (func (export "cut") (param $c i32) (param $i i32) (param $j i32)
    (local $s i32) (local $p i32) (local $len i32)
    (block $done (loop $each
      (br_if $done (i32.ge_s (local.get $s) (i32.load offset=40 (local.get $c))))
      (local.set $p (i32.add (i32.load offset=8 (local.get $c)) (i32.shl (local.get $s) (i32.const 2))))
      (local.set $len (i32.load (local.get $p)))
      (if (i32.and (i32.gt_s (local.get $len) (local.get $i)) (i32.le_s (local.get $len) (local.get $j)))
        (then (i32.store (local.get $p) (local.get $i))))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $each))))

  ;; The dual solver's state (dual.ts's DualSolver), described at byte $d (int32 unless
  ;; marked): 0 active, 4 y, 8 ∇, 12 Ḡ, 16 flags, 20 QD, 24 α, 28 the column cache's
  ;; description, 32 n, 36 m, 40 C f64, 48 tol f64, 56 tau f64, 64 the last gap f64, 72 and 76
  ;; the first swap of the last shrink, 80 and 88 Σ α_t y_t and Σ α_t (f64, by kkt).

  ;; Point t's flags: UP (1) when α_t may grow along y_t, LOW (2) when it may shrink.
  (func $setFlags (export "setFlags") (param $d i32) (param $t i32)
    (local $a f64) (local $C f64) (local $pos i32) (local $below i32) (local $above i32)
    (local.set $a (f64.load (i32.add (i32.load offset=24 (local.get $d)) (i32.shl (local.get $t) (i32.const 3)))))
    (local.set $C (f64.load offset=40 (local.get $d)))
    (local.set $pos (f64.gt
      (f64.load (i32.add (i32.load offset=4 (local.get $d)) (i32.shl (local.get $t) (i32.const 3))))
      (f64.const 0)))
    (local.set $below (f64.lt (local.get $a) (local.get $C)))
    (local.set $above (f64.gt (local.get $a) (f64.const 0)))
    (i32.store8 (i32.add (i32.load offset=16 (local.get $d)) (local.get $t)) (i32.or
      (select (local.get $below) (local.get $above) (local.get $pos))
      (i32.shl (select (local.get $above) (local.get $below) (local.get $pos)) (i32.const 1)))))

  ;; A solver's start: active[t] = t and point t's flags, for every point (one call, not n).
  (func (export "start") (param $d i32)
    (local $t i32)
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $t) (i32.load offset=32 (local.get $d))))
      (i32.store (i32.add (i32.load (local.get $d)) (i32.shl (local.get $t) (i32.const 2))) (local.get $t))
      (call $setFlags (local.get $d) (local.get $t))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $each))))

  ;; After α_k moved from $before: Ḡ follows when α_k reached or left C, over every point.
  (func $moveGbar (export "moveGbar") (param $d i32) (param $k i32) (param $before f64)
    (local $C f64) (local $is i32) (local $col i32)
    (local.set $C (f64.load offset=40 (local.get $d)))
    (local.set $is (f64.ge
      (f64.load (i32.add (i32.load offset=24 (local.get $d)) (i32.shl (local.get $k) (i32.const 3))))
      (local.get $C)))
    (if (i32.eq (local.get $is) (f64.ge (local.get $before) (local.get $C))) (then (return)))
    (local.set $col (call $colGet (i32.load offset=28 (local.get $d)) (local.get $k)
      (i32.load (local.get $d)) (i32.load offset=36 (local.get $d)) (i32.const 1)))
    (call $axpy (i32.load (local.get $d)) (i32.const 0) (i32.load offset=32 (local.get $d))
      (i32.load offset=12 (local.get $d)) (i32.load offset=4 (local.get $d)) (local.get $col)
      (f64.mul
        (select (local.get $C) (f64.neg (local.get $C)) (local.get $is))
        (f64.load (i32.add (i32.load offset=4 (local.get $d)) (i32.shl (local.get $k) (i32.const 3)))))))

  ;; Up to $limit SMO steps (smo.ts) on the active set: each picks i and j by WSS 3 and moves
  ;; them in closed form along y_i α_i + y_j α_j = const, clipped to the box, then updates ∇
  ;; and Ḡ. Returns the steps made: fewer than $limit when a selection found the gap below tol
  ;; (or no pair).
  (func (export "smo") (param $d i32) (param $limit i32) (result i32)
    (local $steps i32) (local $i i32) (local $next i32) (local $j i32) (local $Ki i32) (local $Kj i32)
    (local $active i32) (local $m i32) (local $y i32) (local $G i32) (local $QD i32)
    (local $alpha i32) (local $cache i32) (local $C f64) (local $tau f64) (local $gap f64)
    (local $yi f64) (local $yj f64) (local $ai f64) (local $aj f64) (local $ni f64) (local $nj f64)
    (local $quad f64) (local $delta f64) (local $diff f64) (local $sum f64)
    (local.set $active (i32.load (local.get $d)))
    (local.set $y (i32.load offset=4 (local.get $d)))
    (local.set $G (i32.load offset=8 (local.get $d)))
    (local.set $QD (i32.load offset=20 (local.get $d)))
    (local.set $alpha (i32.load offset=24 (local.get $d)))
    (local.set $cache (i32.load offset=28 (local.get $d)))
    (local.set $m (i32.load offset=36 (local.get $d)))
    (local.set $C (f64.load offset=40 (local.get $d)))
    (local.set $tau (f64.load offset=56 (local.get $d)))
    ;; WSS 3's i: here for the first step, from the previous step's gradient update for the others.
    (local.set $i (call $maxUp (local.get $active) (local.get $m) (i32.load offset=16 (local.get $d))
      (local.get $y) (local.get $G)))
    (block $done (loop $step
      (br_if $done (i32.ge_s (local.get $steps) (local.get $limit)))
      (br_if $done (i32.lt_s (local.get $i) (i32.const 0)))
      (local.set $Ki (call $colGet (local.get $cache) (local.get $i) (local.get $active) (local.get $m) (i32.const 0)))
      (local.set $j (call $partner (local.get $active) (local.get $m) (i32.load offset=16 (local.get $d))
        (local.get $y) (local.get $G) (local.get $QD) (local.get $Ki)
        (f64.load (i32.add (local.get $QD) (i32.shl (local.get $i) (i32.const 3)))) (local.get $tau)))
      (local.set $gap (f64.add (global.get $up) (global.get $low)))
      (f64.store offset=64 (local.get $d) (local.get $gap))
      (br_if $done (i32.eqz (f64.ge (local.get $gap) (f64.load offset=48 (local.get $d)))))
      (br_if $done (i32.lt_s (local.get $j) (i32.const 0)))
      ;; The step (the columns again, in the order smo.ts took them: the LRU list sees the same).
      (local.set $Ki (call $colGet (local.get $cache) (local.get $i) (local.get $active) (local.get $m) (i32.const 0)))
      (local.set $Kj (call $colGet (local.get $cache) (local.get $j) (local.get $active) (local.get $m) (i32.const 0)))
      (local.set $yi (f64.load (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $yj (f64.load (i32.add (local.get $y) (i32.shl (local.get $j) (i32.const 3)))))
      (local.set $ai (f64.load (i32.add (local.get $alpha) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $aj (f64.load (i32.add (local.get $alpha) (i32.shl (local.get $j) (i32.const 3)))))
      (local.set $quad (f64.max
        (f64.sub
          (f64.add (f64.load (i32.add (local.get $QD) (i32.shl (local.get $i) (i32.const 3))))
            (f64.load (i32.add (local.get $QD) (i32.shl (local.get $j) (i32.const 3)))))
          (f64.mul (f64.const 2) (f64.load (i32.add (local.get $Ki) (i32.shl (local.get $j) (i32.const 3))))))
        (local.get $tau)))
      (if (f64.ne (local.get $yi) (local.get $yj))
        (then
          (local.set $delta (f64.div
            (f64.sub (f64.neg (f64.load (i32.add (local.get $G) (i32.shl (local.get $i) (i32.const 3)))))
              (f64.load (i32.add (local.get $G) (i32.shl (local.get $j) (i32.const 3)))))
            (local.get $quad)))
          (local.set $diff (f64.sub (local.get $ai) (local.get $aj)))
          (local.set $ni (f64.add (local.get $ai) (local.get $delta)))
          (local.set $nj (f64.add (local.get $aj) (local.get $delta)))
          (if (f64.gt (local.get $diff) (f64.const 0))
            (then
              (if (f64.lt (local.get $nj) (f64.const 0))
                (then (local.set $nj (f64.const 0)) (local.set $ni (local.get $diff))))
              (if (f64.gt (local.get $ni) (local.get $C))
                (then (local.set $ni (local.get $C)) (local.set $nj (f64.sub (local.get $C) (local.get $diff))))))
            (else
              (if (f64.lt (local.get $ni) (f64.const 0))
                (then (local.set $ni (f64.const 0)) (local.set $nj (f64.neg (local.get $diff)))))
              (if (f64.gt (local.get $nj) (local.get $C))
                (then (local.set $nj (local.get $C)) (local.set $ni (f64.add (local.get $C) (local.get $diff))))))))
        (else
          (local.set $delta (f64.div
            (f64.sub (f64.load (i32.add (local.get $G) (i32.shl (local.get $i) (i32.const 3))))
              (f64.load (i32.add (local.get $G) (i32.shl (local.get $j) (i32.const 3)))))
            (local.get $quad)))
          (local.set $sum (f64.add (local.get $ai) (local.get $aj)))
          (local.set $ni (f64.sub (local.get $ai) (local.get $delta)))
          (local.set $nj (f64.add (local.get $aj) (local.get $delta)))
          (if (f64.gt (local.get $sum) (local.get $C))
            (then
              (if (f64.gt (local.get $ni) (local.get $C))
                (then (local.set $ni (local.get $C)) (local.set $nj (f64.sub (local.get $sum) (local.get $C)))))
              (if (f64.gt (local.get $nj) (local.get $C))
                (then (local.set $nj (local.get $C)) (local.set $ni (f64.sub (local.get $sum) (local.get $C))))))
            (else
              (if (f64.lt (local.get $nj) (f64.const 0))
                (then (local.set $nj (f64.const 0)) (local.set $ni (local.get $sum))))
              (if (f64.lt (local.get $ni) (f64.const 0))
                (then (local.set $ni (f64.const 0)) (local.set $nj (local.get $sum))))))))
      (f64.store (i32.add (local.get $alpha) (i32.shl (local.get $i) (i32.const 3))) (local.get $ni))
      (f64.store (i32.add (local.get $alpha) (i32.shl (local.get $j) (i32.const 3))) (local.get $nj))
      (call $setFlags (local.get $d) (local.get $i))
      (call $setFlags (local.get $d) (local.get $j))
      ;; ∇_t += Q_ti Δα_i + Q_tj Δα_j, with Q_ti = y_t y_i K_ti.
      (local.set $next (call $update2 (local.get $active) (local.get $m) (i32.load offset=16 (local.get $d))
        (local.get $y) (local.get $G) (local.get $Ki) (local.get $Kj)
        (f64.mul (f64.sub (local.get $ni) (local.get $ai)) (local.get $yi))
        (f64.mul (f64.sub (local.get $nj) (local.get $aj)) (local.get $yj))))
      (call $moveGbar (local.get $d) (local.get $i) (local.get $ai))
      (call $moveGbar (local.get $d) (local.get $j) (local.get $aj))
      (local.set $i (local.get $next))
      (local.set $steps (i32.add (local.get $steps) (i32.const 1)))
      (br $step)))
    (local.get $steps))

  ;; The largest −y∇ over I_up into $up, and of y∇ over I_low into $low, on the active set.
  (func (export "violations") (param $d i32)
    (local $a i32) (local $m i32) (local $t i32) (local $f i32) (local $v f64)
    (local $up f64) (local $low f64)
    (local.set $m (i32.load offset=36 (local.get $d)))
    (local.set $up (f64.const -inf))
    (local.set $low (f64.const -inf))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $a) (local.get $m)))
      (local.set $t (i32.load (i32.add (i32.load (local.get $d)) (i32.shl (local.get $a) (i32.const 2)))))
      (local.set $f (i32.load8_u (i32.add (i32.load offset=16 (local.get $d)) (local.get $t))))
      (local.set $v (f64.mul
        (f64.load (i32.add (i32.load offset=4 (local.get $d)) (i32.shl (local.get $t) (i32.const 3))))
        (f64.load (i32.add (i32.load offset=8 (local.get $d)) (i32.shl (local.get $t) (i32.const 3))))))
      (if (i32.and (local.get $f) (i32.const 1))
        (then (local.set $up (f64.max (local.get $up) (f64.neg (local.get $v))))))
      (if (i32.and (local.get $f) (i32.const 2))
        (then (local.set $low (f64.max (local.get $low) (local.get $v)))))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $each)))
    (global.set $up (local.get $up))
    (global.set $low (local.get $low)))

  ;; Reconstruction's start (dual.ts): ∇_t = Ḡ_t − 1 for the shrunk points active[m..n), to
  ;; which the free multipliers' columns are added next; returns how many of active[0..m) are free.
  (func (export "unshrink") (param $d i32) (result i32)
    (local $a i32) (local $m i32) (local $o i32) (local $free i32)
    (local.set $m (i32.load offset=36 (local.get $d)))
    (local.set $a (local.get $m))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $a) (i32.load offset=32 (local.get $d))))
      (local.set $o (i32.shl (i32.load (i32.add (i32.load (local.get $d)) (i32.shl (local.get $a) (i32.const 2))))
        (i32.const 3)))
      (f64.store (i32.add (i32.load offset=8 (local.get $d)) (local.get $o))
        (f64.sub (f64.load (i32.add (i32.load offset=12 (local.get $d)) (local.get $o))) (f64.const 1)))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $each)))
    (local.set $a (i32.const 0))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $a) (local.get $m)))
      (local.set $free (i32.add (local.get $free) (i32.eq (i32.const 3)
        (i32.load8_u (i32.add (i32.load offset=16 (local.get $d))
          (i32.load (i32.add (i32.load (local.get $d)) (i32.shl (local.get $a) (i32.const 2)))))))))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $each)))
    (local.get $free))

  ;; The final KKT check's sums (dual.ts): Σ α_t y_t and Σ α_t over every point, in index order,
  ;; to the solver's words 80 and 88; returns the first t whose α_t left [0, C], else −1.
  (func (export "kkt") (param $d i32) (result i32)
    (local $t i32) (local $a f64) (local $C f64) (local $sum f64) (local $scale f64)
    (local.set $C (f64.load offset=40 (local.get $d)))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $t) (i32.load offset=32 (local.get $d))))
      (local.set $a (f64.load (i32.add (i32.load offset=24 (local.get $d)) (i32.shl (local.get $t) (i32.const 3)))))
      (if (i32.eqz (i32.and (f64.ge (local.get $a) (f64.const 0)) (f64.le (local.get $a) (local.get $C))))
        (then (return (local.get $t))))
      (local.set $sum (f64.add (local.get $sum) (f64.mul (local.get $a)
        (f64.load (i32.add (i32.load offset=4 (local.get $d)) (i32.shl (local.get $t) (i32.const 3)))))))
      (local.set $scale (f64.add (local.get $scale) (local.get $a)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $each)))
    (f64.store offset=80 (local.get $d) (local.get $sum))
    (f64.store offset=88 (local.get $d) (local.get $scale))
    (i32.const -1))

  ;; A bounded multiplier whose gradient holds it at its bound beyond the violations $up, $low.
  (func $pinned (param $d i32) (param $t i32) (param $up f64) (param $low f64) (result i32)
    (local $a f64) (local $g f64) (local $pos i32) (local $C f64)
    (local.set $a (f64.load (i32.add (i32.load offset=24 (local.get $d)) (i32.shl (local.get $t) (i32.const 3)))))
    (local.set $g (f64.load (i32.add (i32.load offset=8 (local.get $d)) (i32.shl (local.get $t) (i32.const 3)))))
    (local.set $pos (f64.gt
      (f64.load (i32.add (i32.load offset=4 (local.get $d)) (i32.shl (local.get $t) (i32.const 3))))
      (f64.const 0)))
    (local.set $C (f64.load offset=40 (local.get $d)))
    (if (f64.ge (local.get $a) (local.get $C))
      (then (return (f64.gt (f64.neg (local.get $g))
        (select (local.get $up) (local.get $low) (local.get $pos))))))
    (if (f64.le (local.get $a) (f64.const 0))
      (then (return (f64.gt (local.get $g)
        (select (local.get $low) (local.get $up) (local.get $pos))))))
    (i32.const 0))

  ;; Shrinking (dual.ts): each pinned point of active[0..m) swaps with the last unpinned one
  ;; (LIBSVM's order); returns the new m. The first swap's positions i < j go to the solver's
  ;; words 72 and 76 (−1 when none), for the cache.
  (func (export "shrink") (param $d i32) (param $up f64) (param $low f64) (result i32)
    (local $a i32) (local $size i32) (local $active i32) (local $pa i32) (local $ps i32) (local $t i32)
    (local.set $active (i32.load (local.get $d)))
    (local.set $size (i32.load offset=36 (local.get $d)))
    (i32.store offset=72 (local.get $d) (i32.const -1))
    (i32.store offset=76 (local.get $d) (i32.const -1))
    (block $done (loop $each
      (br_if $done (i32.ge_s (local.get $a) (local.get $size)))
      (local.set $pa (i32.add (local.get $active) (i32.shl (local.get $a) (i32.const 2))))
      (if (call $pinned (local.get $d) (i32.load (local.get $pa)) (local.get $up) (local.get $low))
        (then
          (local.set $size (i32.sub (local.get $size) (i32.const 1)))
          (block $found (loop $back
            (br_if $found (i32.le_s (local.get $size) (local.get $a)))
            (br_if $found (i32.eqz (call $pinned (local.get $d)
              (i32.load (i32.add (local.get $active) (i32.shl (local.get $size) (i32.const 2))))
              (local.get $up) (local.get $low))))
            (local.set $size (i32.sub (local.get $size) (i32.const 1)))
            (br $back)))
          (if (i32.gt_s (local.get $size) (local.get $a))
            (then
              (local.set $ps (i32.add (local.get $active) (i32.shl (local.get $size) (i32.const 2))))
              (local.set $t (i32.load (local.get $pa)))
              (i32.store (local.get $pa) (i32.load (local.get $ps)))
              (i32.store (local.get $ps) (local.get $t))
              (if (i32.lt_s (i32.load offset=72 (local.get $d)) (i32.const 0))
                (then
                  (i32.store offset=72 (local.get $d) (local.get $a))
                  (i32.store offset=76 (local.get $d) (local.get $size))))))))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $each)))
    (local.get $size))

  ;; A table's set-up (kernels.ts): sq[i] = ‖x_i‖², summed in feature order, and ident[i] = i.
  (func (export "prepare") (param $pts i32) (param $sq i32) (param $ident i32) (param $n i32)
    (param $d i32) (param $dp i32)
    (local $i i32) (local $k i32) (local $row i32) (local $s f64) (local $x f64)
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $row (i32.add (local.get $pts) (i32.mul (local.get $i) (i32.shl (local.get $dp) (i32.const 3)))))
      (local.set $s (f64.const 0))
      (local.set $k (i32.const 0))
      (block $sumDone (loop $sum
        (br_if $sumDone (i32.ge_u (local.get $k) (local.get $d)))
        (local.set $x (f64.load (i32.add (local.get $row) (i32.shl (local.get $k) (i32.const 3)))))
        (local.set $s (f64.add (local.get $s) (f64.mul (local.get $x) (local.get $x))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $sum)))
      (f64.store (i32.add (local.get $sq) (i32.shl (local.get $i) (i32.const 3))) (local.get $s))
      (i32.store (i32.add (local.get $ident) (i32.shl (local.get $i) (i32.const 2))) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each))))

  ;; out[i] = k(x_i, x_i) by rows(), each point against itself (so that K_ii in every column
  ;; equals it to the bit); ident is the identity list.
  (func (export "diag") (param $pts i32) (param $sq i32) (param $dp i32) (param $ident i32)
    (param $n i32) (param $out i32) (param $kind i32) (param $gamma f64) (param $coef0 f64)
    (param $degree i32)
    (local $i i32)
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (call $rows
        (i32.add (local.get $pts) (i32.mul (local.get $i) (i32.shl (local.get $dp) (i32.const 3))))
        (f64.load (i32.add (local.get $sq) (i32.shl (local.get $i) (i32.const 3))))
        (local.get $pts) (local.get $sq) (local.get $dp)
        (i32.add (local.get $ident) (i32.shl (local.get $i) (i32.const 2)))
        (i32.const 1) (local.get $out) (local.get $kind) (local.get $gamma) (local.get $coef0)
        (local.get $degree))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each))))
)
