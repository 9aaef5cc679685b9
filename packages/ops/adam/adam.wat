;; One Adam step for n floats, in place on the TF.js wasm backend's heap (the memory is imported;
;; pointers are byte offsets), with float32 operations in the order TF.js's AdamOptimizer runs
;; its kernels, so that the result is the same to the bit:
;;   m' = m*b1 + g*c1            (c1 = 1 - b1)
;;   v' = v*b2 + (g*g)*c2        (c2 = 1 - b2)
;;   x' = ((m'/d1) / (sqrt(v'/d2) + eps)) * nlr + x   (d = 1 - beta^t, nlr = -learning rate)
;; Four lanes at a time, then the remaining n mod 4 one by one.
(module
  (import "env" "memory" (memory 0))

  (func (export "adam")
    (param $x i32) (param $m i32) (param $v i32) (param $g i32)
    (param $xo i32) (param $mo i32) (param $vo i32) (param $n i32)
    (param $b1 f32) (param $c1 f32) (param $b2 f32) (param $c2 f32)
    (param $d1 f32) (param $d2 f32) (param $eps f32) (param $nlr f32)
    (local $i i32) (local $end4 i32) (local $at i32)
    (local $gv v128) (local $mv v128) (local $vv v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $end4 (i32.and (local.get $n) (i32.const -4)))
    (block $done4 (loop $each4
      (br_if $done4 (i32.ge_u (local.get $i) (local.get $end4)))
      (local.set $at (i32.shl (local.get $i) (i32.const 2)))
      (local.set $gv (v128.load (i32.add (local.get $g) (local.get $at))))
      (local.set $mv (f32x4.add
        (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $at))) (f32x4.splat (local.get $b1)))
        (f32x4.mul (local.get $gv) (f32x4.splat (local.get $c1)))))
      (local.set $vv (f32x4.add
        (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $at))) (f32x4.splat (local.get $b2)))
        (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (f32x4.splat (local.get $c2)))))
      (v128.store (i32.add (local.get $mo) (local.get $at)) (local.get $mv))
      (v128.store (i32.add (local.get $vo) (local.get $at)) (local.get $vv))
      (v128.store (i32.add (local.get $xo) (local.get $at))
        (f32x4.add
          (f32x4.mul
            (f32x4.div
              (f32x4.div (local.get $mv) (f32x4.splat (local.get $d1)))
              (f32x4.add
                (f32x4.sqrt (f32x4.div (local.get $vv) (f32x4.splat (local.get $d2))))
                (f32x4.splat (local.get $eps))))
            (f32x4.splat (local.get $nlr)))
          (v128.load (i32.add (local.get $x) (local.get $at)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $each4)))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $at (i32.shl (local.get $i) (i32.const 2)))
      (local.set $gs (f32.load (i32.add (local.get $g) (local.get $at))))
      (local.set $ms (f32.add
        (f32.mul (f32.load (i32.add (local.get $m) (local.get $at))) (local.get $b1))
        (f32.mul (local.get $gs) (local.get $c1))))
      (local.set $vs (f32.add
        (f32.mul (f32.load (i32.add (local.get $v) (local.get $at))) (local.get $b2))
        (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $c2))))
      (f32.store (i32.add (local.get $mo) (local.get $at)) (local.get $ms))
      (f32.store (i32.add (local.get $vo) (local.get $at)) (local.get $vs))
      (f32.store (i32.add (local.get $xo) (local.get $at))
        (f32.add
          (f32.mul
            (f32.div
              (f32.div (local.get $ms) (local.get $d1))
              (f32.add (f32.sqrt (f32.div (local.get $vs) (local.get $d2))) (local.get $eps)))
            (local.get $nlr))
          (f32.load (i32.add (local.get $x) (local.get $at)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each)))))
