;; dK of a convolution straight from X and dY in NCHW, skipping the zeros of dY, in place on the
;; TF.js wasm backend's heap (the memory is imported; pointers are byte offsets):
;;   dK[f, c, p, q] = sum_{n,i,j} dy[n, f, i, j] * xp[n, c, i*sh + p, j*sw + q]
;; xp is X zero-padded ([N, C, Hp, Wp], built by `pad`) with slack after its end. The kernel is
;; tiled in blocks of 4 rows x 8 columns, each block two v128 per row: acc is
;; [F, C, kh4/4, kw8/8, 4, 8] (kh4, kw8: kh, kw rounded up to 4 and 8), zeroed by the caller.
;; Block lanes past kh or kw get products of pixels beyond the patch, to be ignored; the slack,
;; (kh4 - kh) * Wp + kw8 - kw floats, covers those reads.
;;
;; Why skip zeros: behind a 2x2 max-pool, 3 of every 4 entries of dY are exactly zero, and their
;; products add nothing (for finite X: where X holds an Inf or NaN, the dense sum's 0 * Inf would
;; turn that entry of dK NaN, this one leaves it out). Each plane dY[n, f] is first compacted (without branches) into a list of
;; (patch offset, value); each nonzero then adds value * patch to a block's eight v128
;; accumulators, held in registers. With a dense dY it does the multiply-adds of the GEMM form of
;; dK, reading the input plane (in the L1 cache) instead of a buffer of patches.
(module
  (import "env" "memory" (memory 0))

  ;; xp[n, c, ph + h, pw + w] = x[n, c, h, w], zero elsewhere (including `slack` bytes at the end).
  (func (export "pad") (param $x i32) (param $xp i32) (param $planes i32) (param $H i32)
    (param $W i32) (param $ph i32) (param $pw i32) (param $slack i32)
    (local $Wp i32) (local $plane i32) (local $h i32) (local $dst i32)
    (local.set $Wp (i32.add (local.get $W) (i32.shl (local.get $pw) (i32.const 1))))
    (memory.fill (local.get $xp) (i32.const 0) (i32.add (local.get $slack) (i32.shl (i32.mul
      (local.get $planes) (i32.mul (local.get $Wp) (i32.add (local.get $H)
      (i32.shl (local.get $ph) (i32.const 1))))) (i32.const 2))))
    (local.set $dst (i32.add (local.get $xp) (i32.shl (i32.add (i32.mul (local.get $ph)
      (local.get $Wp)) (local.get $pw)) (i32.const 2))))
    (block $donePl (loop $eachPl (br_if $donePl (i32.ge_u (local.get $plane) (local.get $planes)))
      (local.set $h (i32.const 0))
      (block $doneH (loop $eachH (br_if $doneH (i32.ge_u (local.get $h) (local.get $H)))
        (memory.copy (local.get $dst) (local.get $x) (i32.shl (local.get $W) (i32.const 2)))
        (local.set $x (i32.add (local.get $x) (i32.shl (local.get $W) (i32.const 2))))
        (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $Wp) (i32.const 2))))
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br $eachH)))
      ;; skip the bottom padding of this plane and the top padding of the next
      (local.set $dst (i32.add (local.get $dst) (i32.shl (i32.mul (i32.shl (local.get $ph)
        (i32.const 1)) (local.get $Wp)) (i32.const 2))))
      (local.set $plane (i32.add (local.get $plane) (i32.const 1)))
      (br $eachPl))))

  ;; The list of a plane: each nonzero dY[n, f, i, j] of the plane at $dy as its patch's offset
  ;; (bytes from an xp plane's corner, i32s from $offs) and value (f32s from $vals); returns its
  ;; length. Four pixels at a time and without branches: the lanes that are not zero are moved to
  ;; the front by a byte shuffle picked from $table by their bitmask (16 shuffles, 16 bytes each),
  ;; all four are stored, and the end moves past the nonzeros only. The shuffle is a relaxed
  ;; swizzle (one pshufb on x86, 15% faster than the strict one): the table's indices are below 16
  ;; or 0x80, which every swizzle zeroes. $at holds every pixel's patch offset; $count = Ho*Wo,
  ;; whose last count % 4 pixels go one at a time.
  (func $compact (param $dy i32) (param $at i32) (param $offs i32) (param $vals i32)
    (param $table i32) (param $count i32) (result i32)
    (local $q i32) (local $n i32) (local $m i32) (local $v v128) (local $s v128) (local $e f32)
    (block $done4 (loop $each4
      (br_if $done4 (i32.gt_u (i32.add (local.get $q) (i32.const 4)) (local.get $count)))
      (local.set $v (v128.load (local.get $dy)))
      (local.set $m (i32x4.bitmask (f32x4.ne (local.get $v) (v128.const i32x4 0 0 0 0))))
      (local.set $s (v128.load (i32.add (local.get $table) (i32.shl (local.get $m) (i32.const 4)))))
      (v128.store (i32.add (local.get $vals) (i32.shl (local.get $n) (i32.const 2)))
        (i8x16.relaxed_swizzle (local.get $v) (local.get $s)))
      (v128.store (i32.add (local.get $offs) (i32.shl (local.get $n) (i32.const 2)))
        (i8x16.relaxed_swizzle (v128.load (local.get $at)) (local.get $s)))
      (local.set $n (i32.add (local.get $n) (i32.popcnt (local.get $m))))
      (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
      (local.set $at (i32.add (local.get $at) (i32.const 16)))
      (local.set $q (i32.add (local.get $q) (i32.const 4)))
      (br $each4)))
    (block $done (loop $each (br_if $done (i32.ge_u (local.get $q) (local.get $count)))
      (local.set $e (f32.load (local.get $dy)))
      (f32.store (i32.add (local.get $vals) (i32.shl (local.get $n) (i32.const 2))) (local.get $e))
      (i32.store (i32.add (local.get $offs) (i32.shl (local.get $n) (i32.const 2)))
        (i32.load (local.get $at)))
      (local.set $n (i32.add (local.get $n) (f32.ne (local.get $e) (f32.const 0))))
      (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
      (local.set $at (i32.add (local.get $at) (i32.const 4)))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br $each)))
    (local.get $n))

  ;; acc[f, c] (rows 4g .. 4g+3 at $a, 128 bytes) += value * patch rows at $base + offset for the
  ;; $n entries of the list; $rowBytes is one xp row.
  (func $rows4 (param $a i32) (param $base i32) (param $offs i32) (param $vals i32) (param $n i32)
    (param $rowBytes i32)
    (local $q i32) (local $s v128) (local $end i32)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128)
    (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    (local.set $a00 (v128.load offset=0 (local.get $a)))
    (local.set $a01 (v128.load offset=16 (local.get $a)))
    (local.set $a10 (v128.load offset=32 (local.get $a)))
    (local.set $a11 (v128.load offset=48 (local.get $a)))
    (local.set $a20 (v128.load offset=64 (local.get $a)))
    (local.set $a21 (v128.load offset=80 (local.get $a)))
    (local.set $a30 (v128.load offset=96 (local.get $a)))
    (local.set $a31 (v128.load offset=112 (local.get $a)))
    (local.set $end (i32.add (local.get $offs) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $each (br_if $done (i32.ge_u (local.get $offs) (local.get $end)))
      (local.set $q (i32.add (local.get $base) (i32.load (local.get $offs))))
      (local.set $s (v128.load32_splat (local.get $vals)))
      (local.set $a00 (f32x4.relaxed_madd (local.get $s) (v128.load offset=0 (local.get $q)) (local.get $a00)))
      (local.set $a01 (f32x4.relaxed_madd (local.get $s) (v128.load offset=16 (local.get $q)) (local.get $a01)))
      (local.set $q (i32.add (local.get $q) (local.get $rowBytes)))
      (local.set $a10 (f32x4.relaxed_madd (local.get $s) (v128.load offset=0 (local.get $q)) (local.get $a10)))
      (local.set $a11 (f32x4.relaxed_madd (local.get $s) (v128.load offset=16 (local.get $q)) (local.get $a11)))
      (local.set $q (i32.add (local.get $q) (local.get $rowBytes)))
      (local.set $a20 (f32x4.relaxed_madd (local.get $s) (v128.load offset=0 (local.get $q)) (local.get $a20)))
      (local.set $a21 (f32x4.relaxed_madd (local.get $s) (v128.load offset=16 (local.get $q)) (local.get $a21)))
      (local.set $q (i32.add (local.get $q) (local.get $rowBytes)))
      (local.set $a30 (f32x4.relaxed_madd (local.get $s) (v128.load offset=0 (local.get $q)) (local.get $a30)))
      (local.set $a31 (f32x4.relaxed_madd (local.get $s) (v128.load offset=16 (local.get $q)) (local.get $a31)))
      (local.set $offs (i32.add (local.get $offs) (i32.const 4)))
      (local.set $vals (i32.add (local.get $vals) (i32.const 4)))
      (br $each)))
    (v128.store offset=0 (local.get $a) (local.get $a00))
    (v128.store offset=16 (local.get $a) (local.get $a01))
    (v128.store offset=32 (local.get $a) (local.get $a10))
    (v128.store offset=48 (local.get $a) (local.get $a11))
    (v128.store offset=64 (local.get $a) (local.get $a20))
    (v128.store offset=80 (local.get $a) (local.get $a21))
    (v128.store offset=96 (local.get $a) (local.get $a30))
    (v128.store offset=112 (local.get $a) (local.get $a31)))

  ;; acc += the products above for every image and filter. $work is scratch of
  ;; 256 + 12 * (Ho*Wo + 4) bytes: the shuffle table, each pixel's patch offset, the list.
  (func (export "accumulate") (param $xp i32) (param $dy i32) (param $acc i32) (param $work i32)
    (param $N i32) (param $C i32) (param $F i32) (param $Hp i32) (param $Wp i32) (param $Ho i32)
    (param $Wo i32) (param $sh i32) (param $sw i32) (param $kh4 i32) (param $kw8 i32)
    (local $b i32) (local $n i32) (local $f i32) (local $c i32) (local $g i32) (local $len i32) (local $plane i32)
    (local $rowBytes i32) (local $a i32) (local $at i32) (local $offs i32) (local $vals i32)
    (local $count i32) (local $m i32) (local $k i32) (local $t i32) (local $i i32) (local $j i32)
    (local.set $rowBytes (i32.shl (local.get $Wp) (i32.const 2)))
    (local.set $plane (i32.mul (local.get $rowBytes) (local.get $Hp)))
    (local.set $count (i32.mul (local.get $Ho) (local.get $Wo)))
    (local.set $at (i32.add (local.get $work) (i32.const 256)))
    (local.set $offs (i32.add (local.get $at) (i32.shl (i32.add (local.get $count) (i32.const 4)) (i32.const 2))))
    (local.set $vals (i32.add (local.get $offs) (i32.shl (i32.add (local.get $count) (i32.const 4)) (i32.const 2))))
    ;; the table: for bitmask m, the bytes of the set lanes in order, then zeros (index 0x80)
    (block $doneM (loop $eachM (br_if $doneM (i32.ge_u (local.get $m) (i32.const 16)))
      (v128.store (i32.add (local.get $work) (i32.shl (local.get $m) (i32.const 4)))
        (v128.const i32x4 0x80808080 0x80808080 0x80808080 0x80808080))
      (local.set $t (i32.add (local.get $work) (i32.shl (local.get $m) (i32.const 4))))
      (local.set $k (i32.const 0))
      (block $doneK (loop $eachK (br_if $doneK (i32.ge_u (local.get $k) (i32.const 4)))
        (if (i32.and (i32.shr_u (local.get $m) (local.get $k)) (i32.const 1)) (then
          (i32.store (local.get $t) (i32.add (i32.const 0x03020100)
            (i32.mul (i32.shl (local.get $k) (i32.const 2)) (i32.const 0x01010101))))
          (local.set $t (i32.add (local.get $t) (i32.const 4)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $eachK)))
      (local.set $m (i32.add (local.get $m) (i32.const 1)))
      (br $eachM)))
    ;; at[i*Wo + j] = patch (i, j)'s offset in an xp plane
    (local.set $t (local.get $at))
    (block $doneI (loop $eachI (br_if $doneI (i32.ge_u (local.get $i) (local.get $Ho)))
      (local.set $j (i32.const 0))
      (block $doneJ (loop $eachJ (br_if $doneJ (i32.ge_u (local.get $j) (local.get $Wo)))
        (i32.store (local.get $t) (i32.shl (i32.add
          (i32.mul (i32.mul (local.get $i) (local.get $sh)) (local.get $Wp))
          (i32.mul (local.get $j) (local.get $sw))) (i32.const 2)))
        (local.set $t (i32.add (local.get $t) (i32.const 4)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $eachJ)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $eachI)))
    (block $doneN (loop $eachN (br_if $doneN (i32.ge_u (local.get $n) (local.get $N)))
      (local.set $f (i32.const 0))
      (block $doneF (loop $eachF (br_if $doneF (i32.ge_u (local.get $f) (local.get $F)))
        (local.set $len (call $compact (local.get $dy) (local.get $at) (local.get $offs)
          (local.get $vals) (local.get $work) (local.get $count)))
        (local.set $dy (i32.add (local.get $dy) (i32.shl (local.get $count) (i32.const 2))))
        ;; $a = &acc[f, 0, 0, 0, 0, 0]
        (local.set $a (i32.add (local.get $acc) (i32.shl (i32.mul (i32.mul (i32.mul (local.get $f)
          (local.get $C)) (local.get $kh4)) (local.get $kw8)) (i32.const 2))))
        (local.set $c (i32.const 0))
        (block $doneC (loop $eachC (br_if $doneC (i32.ge_u (local.get $c) (local.get $C)))
          (local.set $g (i32.const 0))
          (block $doneG (loop $eachG (br_if $doneG (i32.ge_u (local.get $g) (local.get $kh4)))
            (local.set $b (i32.const 0))
            (block $doneB (loop $eachB (br_if $doneB (i32.ge_u (local.get $b) (local.get $kw8)))
              (call $rows4 (local.get $a)
                (i32.add (i32.add (local.get $xp) (i32.mul (local.get $plane)
                  (i32.add (i32.mul (local.get $n) (local.get $C)) (local.get $c))))
                  (i32.shl (i32.add (i32.mul (local.get $g) (local.get $Wp)) (local.get $b))
                    (i32.const 2)))
                (local.get $offs) (local.get $vals) (local.get $len) (local.get $rowBytes))
              (local.set $a (i32.add (local.get $a) (i32.const 128)))
              (local.set $b (i32.add (local.get $b) (i32.const 8)))
              (br $eachB)))
            (local.set $g (i32.add (local.get $g) (i32.const 4)))
            (br $eachG)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $eachC)))
        (local.set $f (i32.add (local.get $f) (i32.const 1)))
        (br $eachF)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $eachN)))))
