;; Max-pooling over non-overlapping k x k windows, NCHW, run on the TF.js wasm backend's own heap
;; (the memory is imported). Pointers are byte offsets; `planes` = N*C. Both passes pick each
;; window's first maximum (row-major), so the gradient goes where the forward value came from.
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
  (func $walk (param $x i32) (param $out i32) (param $dy i32) (param $planes i32)
    (param $H i32) (param $W i32) (param $k i32) (param $mode i32)
    (local $Ho i32) (local $Wo i32) (local $plane i32) (local $i i32) (local $j i32)
    (local $base i32) (local $o i32) (local $at i32)
    (local.set $Ho (i32.div_u (local.get $H) (local.get $k)))
    (local.set $Wo (i32.div_u (local.get $W) (local.get $k)))
    (if (local.get $mode) (then (memory.fill (local.get $out) (i32.const 0)
      (i32.shl (i32.mul (local.get $planes) (i32.mul (local.get $H) (local.get $W))) (i32.const 2)))))
    (local.set $o (i32.const 0))
    (block $donePl (loop $eachPl
      (br_if $donePl (i32.ge_u (local.get $plane) (local.get $planes)))
      (local.set $base (i32.add (local.get $x)
        (i32.shl (i32.mul (local.get $plane) (i32.mul (local.get $H) (local.get $W))) (i32.const 2))))
      (local.set $i (i32.const 0))
      (block $doneI (loop $eachI
        (br_if $doneI (i32.ge_u (local.get $i) (local.get $Ho)))
        (local.set $j (i32.const 0))
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

  (func (export "forward") (param $x i32) (param $y i32) (param $planes i32) (param $H i32)
    (param $W i32) (param $k i32)
    (call $walk (local.get $x) (local.get $y) (i32.const 0) (local.get $planes) (local.get $H)
      (local.get $W) (local.get $k) (i32.const 0)))

  (func (export "backward") (param $x i32) (param $dy i32) (param $dx i32) (param $planes i32)
    (param $H i32) (param $W i32) (param $k i32)
    (call $walk (local.get $x) (local.get $dx) (local.get $dy) (local.get $planes) (local.get $H)
      (local.get $W) (local.get $k) (i32.const 1)))
)
