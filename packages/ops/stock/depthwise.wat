;; The two depthwise-convolution gradients (multiplier 1), NHWC, channels a multiple of 4, on the
;; TF.js wasm backend's own heap (the memory is imported; pointers are byte offsets). One walk over
;; every (output pixel, tap) pair whose input pixel lies inside the image, all channels four at a
;; time, with r = i*sh + kp - top and s = j*sw + kq - left:
;;   mode 0 (dW): k[kp, kq, c]  += x[n, r, s, c] * dy[n, i, j, c]
;;   mode 1 (dX): x[n, r, s, c] += k[kp, kq, c]  * dy[n, i, j, c]   ($x is dX, $k the filter)
;; The caller zeroes the buffer that accumulates.
(module
  (import "env" "memory" (memory 0))

  (func (export "depthwise") (param $mode i32) (param $x i32) (param $dy i32) (param $k i32)
    (param $N i32) (param $H i32) (param $W i32) (param $C i32) (param $Ho i32) (param $Wo i32)
    (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $top i32)
    (param $left i32)
    (local $n i32) (local $i i32) (local $j i32) (local $kp i32) (local $kq i32)
    (local $r i32) (local $s i32) (local $bytes i32) (local $o i32)
    (local $pd i32) (local $px i32) (local $pk i32)
    (local.set $bytes (i32.shl (local.get $C) (i32.const 2)))
    (block $doneN (loop $eachN
      (br_if $doneN (i32.ge_u (local.get $n) (local.get $N)))
      (local.set $i (i32.const 0))
      (block $doneI (loop $eachI
        (br_if $doneI (i32.ge_u (local.get $i) (local.get $Ho)))
        (local.set $kp (i32.const 0))
        (block $doneP (loop $eachP
          (br_if $doneP (i32.ge_u (local.get $kp) (local.get $kh)))
          (local.set $r (i32.sub (i32.add (i32.mul (local.get $i) (local.get $sh))
            (local.get $kp)) (local.get $top)))
          ;; unsigned: a row above the image (r < 0) wraps to a huge value
          (if (i32.lt_u (local.get $r) (local.get $H)) (then
            (local.set $j (i32.const 0))
            (block $doneJ (loop $eachJ
              (br_if $doneJ (i32.ge_u (local.get $j) (local.get $Wo)))
              (local.set $pd (i32.add (local.get $dy) (i32.mul (local.get $bytes)
                (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $Ho))
                  (local.get $i)) (local.get $Wo)) (local.get $j)))))
              (local.set $kq (i32.const 0))
              (block $doneQ (loop $eachQ
                (br_if $doneQ (i32.ge_u (local.get $kq) (local.get $kw)))
                (local.set $s (i32.sub (i32.add (i32.mul (local.get $j) (local.get $sw))
                  (local.get $kq)) (local.get $left)))
                (if (i32.lt_u (local.get $s) (local.get $W)) (then
                  (local.set $px (i32.add (local.get $x) (i32.mul (local.get $bytes)
                    (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H))
                      (local.get $r)) (local.get $W)) (local.get $s)))))
                  (local.set $pk (i32.add (local.get $k) (i32.mul (local.get $bytes)
                    (i32.add (i32.mul (local.get $kp) (local.get $kw)) (local.get $kq)))))
                  (local.set $o (i32.const 0))
                  (if (i32.eqz (local.get $mode))
                    (then
                      (block $doneC (loop $eachC
                        (br_if $doneC (i32.ge_u (local.get $o) (local.get $bytes)))
                        (v128.store (i32.add (local.get $pk) (local.get $o))
                          (f32x4.add (v128.load (i32.add (local.get $pk) (local.get $o)))
                            (f32x4.mul (v128.load (i32.add (local.get $px) (local.get $o)))
                              (v128.load (i32.add (local.get $pd) (local.get $o))))))
                        (local.set $o (i32.add (local.get $o) (i32.const 16)))
                        (br $eachC))))
                    (else
                      (block $doneC (loop $eachC
                        (br_if $doneC (i32.ge_u (local.get $o) (local.get $bytes)))
                        (v128.store (i32.add (local.get $px) (local.get $o))
                          (f32x4.add (v128.load (i32.add (local.get $px) (local.get $o)))
                            (f32x4.mul (v128.load (i32.add (local.get $pk) (local.get $o)))
                              (v128.load (i32.add (local.get $pd) (local.get $o))))))
                        (local.set $o (i32.add (local.get $o) (i32.const 16)))
                        (br $eachC)))))))
                (local.set $kq (i32.add (local.get $kq) (i32.const 1)))
                (br $eachQ)))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br $eachJ)))))
          (local.set $kp (i32.add (local.get $kp) (i32.const 1)))
          (br $eachP)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $eachI)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $eachN))))
)
