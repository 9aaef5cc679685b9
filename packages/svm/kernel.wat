;; Kernel columns for the SVM solvers: out[t] = k(z, x_t) for t = idx[0..m), the points stored
;; row-major as float64 with each row padded to an even length `dp` (zeros), so that a dot
;; product is dp/2 f64x2 steps. Four points at a time: the four dot products share the loads of
;; z, and their kernel transform (rbf's exp, poly's power) runs two lanes at once.
;; Pointers are byte offsets into the module's own memory; the caller lays the arrays out.
;;
;; Below, SMO's two loops over the active set (see smo.ts), on the solver's arrays in the same
;; memory: y and ∇ float64, the UP/LOW flags one byte per point, the active list int32.
(module
  (memory (export "memory") 1)
  ;; The maximum that maxUp found, and the maximum of y∇ over I_low that partner found.
  (global $up (export "up") (mut f64) (f64.const 0))
  (global $low (export "low") (mut f64) (f64.const 0))

  ;; out[t] = k(z, x_t) for t = idx[a], a in [0, m). kind: 0 linear x·z, 1 rbf
  ;; exp(−γ‖x − z‖²) with ‖x − z‖² = zz + sq[t] − 2 x·z (clamped at 0), 2 poly (γ x·z + coef0)^degree.
  (func (export "rows") (param $z i32) (param $zz f64) (param $pts i32) (param $sq i32)
    (param $dp i32) (param $idx i32) (param $m i32) (param $out i32) (param $kind i32)
    (param $gamma f64) (param $coef0 f64) (param $degree i32)
    (local $a i32) (local $t0 i32) (local $t1 i32) (local $t2 i32) (local $t3 i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $half i32)
    (local $k i32) (local $row i32) (local $zv v128) (local $acc0 v128) (local $acc1 v128)
    (local $acc2 v128) (local $acc3 v128) (local $s01 v128) (local $s23 v128)
    (local $s v128) (local $b v128) (local $e i32)
    (local $x v128) (local $c v128) (local $n2 v128) (local $r v128) (local $r2 v128) (local $r4 v128)
    (local.set $row (i32.shl (local.get $dp) (i32.const 3)))
    (block $done (loop $quads
      (br_if $done (i32.ge_u (local.get $a) (local.get $m)))
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
      (block $dotDone (loop $dot
        (br_if $dotDone (i32.ge_u (local.get $k) (local.get $row)))
        (local.set $zv (v128.load (i32.add (local.get $z) (local.get $k))))
        (local.set $acc0 (f64x2.add (local.get $acc0)
          (f64x2.mul (local.get $zv) (v128.load (i32.add (local.get $p0) (local.get $k))))))
        (local.set $acc1 (f64x2.add (local.get $acc1)
          (f64x2.mul (local.get $zv) (v128.load (i32.add (local.get $p1) (local.get $k))))))
        (local.set $acc2 (f64x2.add (local.get $acc2)
          (f64x2.mul (local.get $zv) (v128.load (i32.add (local.get $p2) (local.get $k))))))
        (local.set $acc3 (f64x2.add (local.get $acc3)
          (f64x2.mul (local.get $zv) (v128.load (i32.add (local.get $p3) (local.get $k))))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $dot)))
      ;; (x_t0·z, x_t1·z) and (x_t2·z, x_t3·z): the lanes of each accumulator summed.
      (local.set $s01 (f64x2.replace_lane 1
        (f64x2.splat (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0))))
        (f64.add (f64x2.extract_lane 0 (local.get $acc1)) (f64x2.extract_lane 1 (local.get $acc1)))))
      (local.set $s23 (f64x2.replace_lane 1
        (f64x2.splat (f64.add (f64x2.extract_lane 0 (local.get $acc2)) (f64x2.extract_lane 1 (local.get $acc2))))
        (f64.add (f64x2.extract_lane 0 (local.get $acc3)) (f64x2.extract_lane 1 (local.get $acc3)))))
      ;; The kernel's transform, one pair of lanes at a time: (t0, t1), then (t2, t3).
      (local.set $half (i32.const 0))
      (loop $halves
        (local.set $s (select (result v128) (local.get $s23) (local.get $s01) (local.get $half)))
        (local.set $t0 (select (local.get $t2) (local.get $t0) (local.get $half)))
        (local.set $t1 (select (local.get $t3) (local.get $t1) (local.get $half)))
        (if (i32.eq (local.get $kind) (i32.const 1))
          (then
            (local.set $x (f64x2.mul (f64x2.splat (f64.neg (local.get $gamma)))
              (f64x2.pmax (v128.const i64x2 0 0)
                (f64x2.sub
                  (f64x2.add (f64x2.splat (local.get $zz))
                    (f64x2.replace_lane 1
                      (f64x2.splat (f64.load (i32.add (local.get $sq) (i32.shl (local.get $t0) (i32.const 3)))))
                      (f64.load (i32.add (local.get $sq) (i32.shl (local.get $t1) (i32.const 3))))))
                  (f64x2.add (local.get $s) (local.get $s))))))
            ;; exp(x) on both lanes, for x <= 0 (rbf's argument): Cody-Waite reduction x = k ln2 + r,
              ;; |r| <= ln2/2, then the Taylor series to r^13 (its remainder is below 1e-17) evaluated by
              ;; Estrin's scheme (a short dependency chain, so that the CPU overlaps its steps), scaled by
              ;; 2^k built in the exponent bits. Below -708 (where 2^k would leave the normal range) the
              ;; result is 0: the true value is under 1e-307.
              (local.set $c (local.get $x))
              (local.set $x (f64x2.pmax (local.get $x) (f64x2.splat (f64.const -708))))
              (local.set $n2 (f64x2.nearest (f64x2.mul (local.get $x) (f64x2.splat (f64.const 1.4426950408889634)))))
              (local.set $r (f64x2.sub
                (f64x2.sub (local.get $x) (f64x2.mul (local.get $n2) (f64x2.splat (f64.const 6.93147180369123816490e-01))))
                (f64x2.mul (local.get $n2) (f64x2.splat (f64.const 1.90821492927058770002e-10)))))
              (local.set $r2 (f64x2.mul (local.get $r) (local.get $r)))
              (local.set $r4 (f64x2.mul (local.get $r2) (local.get $r2)))
              (local.set $s (f64x2.mul (f64x2.add
                  (f64x2.add (f64x2.add (f64x2.add (f64x2.splat (f64.const 1.0)) (f64x2.mul (f64x2.splat (f64.const 1.0)) (local.get $r))) (f64x2.mul (f64x2.add (f64x2.splat (f64.const 0.5)) (f64x2.mul (f64x2.splat (f64.const 0.16666666666666666)) (local.get $r))) (local.get $r2)))
                    (f64x2.mul (local.get $r4) (f64x2.add (f64x2.add (f64x2.splat (f64.const 0.041666666666666664)) (f64x2.mul (f64x2.splat (f64.const 0.008333333333333333)) (local.get $r))) (f64x2.mul (f64x2.add (f64x2.splat (f64.const 0.001388888888888889)) (f64x2.mul (f64x2.splat (f64.const 0.0001984126984126984)) (local.get $r))) (local.get $r2)))))
                  (f64x2.mul (f64x2.mul (local.get $r4) (local.get $r4))
                    (f64x2.add (f64x2.add (f64x2.add (f64x2.splat (f64.const 2.48015873015873e-05)) (f64x2.mul (f64x2.splat (f64.const 2.7557319223985893e-06)) (local.get $r))) (f64x2.mul (f64x2.add (f64x2.splat (f64.const 2.755731922398589e-07)) (f64x2.mul (f64x2.splat (f64.const 2.505210838544172e-08)) (local.get $r))) (local.get $r2)))
                      (f64x2.mul (local.get $r4) (f64x2.add (f64x2.splat (f64.const 2.08767569878681e-09)) (f64x2.mul (f64x2.splat (f64.const 1.6059043836821613e-10)) (local.get $r)))))))
                  (i64x2.shl
                    (i64x2.add (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $n2)))
                      (i64x2.splat (i64.const 1023)))
                    (i32.const 52)))
                (v128.andnot (f64x2.lt (local.get $c) (f64x2.splat (f64.const -708))))))
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
        (local.set $half (i32.add (local.get $half) (i32.const 1)))
        (br_if $halves (i32.lt_u (local.get $half) (i32.const 2))))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (br $quads))))

  ;; The first half of WSS 3: i = argmax of −y_t ∇_t over t in I_up (flag 1) among active[0..m),
  ;; the last one on ties; −1 when I_up is empty. The maximum is left in $up.
  (func (export "maxUp") (param $active i32) (param $m i32) (param $flags i32) (param $y i32)
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
  (func (export "partner") (param $active i32) (param $m i32) (param $flags i32) (param $y i32)
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
  ;; d = Δα·y of the pair.
  (func (export "update2") (param $active i32) (param $m i32) (param $y i32) (param $G i32)
    (param $Ki i32) (param $Kj i32) (param $di f64) (param $dj f64)
    (local $a i32) (local $t i32) (local $o i32) (local $g i32)
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $a) (local.get $m)))
      (local.set $t (i32.load (i32.add (local.get $active) (i32.shl (local.get $a) (i32.const 2)))))
      (local.set $o (i32.shl (local.get $t) (i32.const 3)))
      (local.set $g (i32.add (local.get $G) (local.get $o)))
      (f64.store (local.get $g) (f64.add (f64.load (local.get $g))
        (f64.mul (f64.load (i32.add (local.get $y) (local.get $o)))
          (f64.add
            (f64.mul (f64.load (i32.add (local.get $Ki) (local.get $o))) (local.get $di))
            (f64.mul (f64.load (i32.add (local.get $Kj) (local.get $o))) (local.get $dj))))))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $each))))

  ;; G[t] += (y[t] s) col[t] for t = active[a], a in [from, to): a gradient (or Ḡ) update with
  ;; one kernel column.
  (func (export "axpy") (param $active i32) (param $from i32) (param $to i32) (param $G i32)
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
  (func (export "dot") (param $active i32) (param $from i32) (param $to i32) (param $u i32)
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
)
