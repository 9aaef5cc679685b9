;; XNOR-popcount binary convolution: the hot loops of binaryConv2d on TF.js's wasm backend.
;;
;; Build: `deno task build:wasm` (packages/ops/build_wasm.ts) assembles this file with the npm
;; `wabt` package into binary_conv_wasm.ts (the bytes, base64). Needs WebAssembly SIMD (v128).
;; ASCII only: the assembler is handed this text as a JS string.
;;
;; Bits: a +-1 value is one bit, 1 for -1 and 0 for +1, packed 32 channels to an i32 word. Channel
;; padding and spatial padding are 0 bits (+1) in BOTH operands, so they XOR to 0 and never count.
;; For two packed vectors of K real signs, dot = K - 2*popcount(a XOR b).
;;
;; The JS side (kernels_wasm.ts) owns the memory layout: it copies operands in, calls
;; pack -> im2col -> gemm (and popcounts for zero padding), and copies the result out. Every
;; pointer here is a byte offset into this module's own memory, 16-byte aligned.

(module
  (memory (export "memory") 1)

  ;; pack: float NCHW -> packed bits [n, h+2ph, w+2pw, cw] (cw = ceil(c/32) words per pixel).
  ;; A value is -1 iff it is < 0 (so +0, -0 and NaN are +1: sign(0) = +1). The padding frame
  ;; and the unused high bits of the last word stay 0. Reads up to 12 bytes past the end of each
  ;; source row's last vector: the caller leaves 16 bytes of slack after src.
  (func (export "pack")
    (param $src i32) (param $dst i32) (param $n i32) (param $c i32) (param $h i32) (param $w i32)
    (param $ph i32) (param $pw i32)
    (local $cw i32) (local $hp i32) (local $wp i32) (local $plane i32)
    (local $img i32) (local $k i32) (local $y i32) (local $x i32) (local $b i32) (local $nb i32)
    (local $s i32) (local $d i32) (local $acc v128)
    (local.set $cw (i32.shr_u (i32.add (local.get $c) (i32.const 31)) (i32.const 5)))
    (local.set $hp (i32.add (local.get $h) (i32.shl (local.get $ph) (i32.const 1))))
    (local.set $wp (i32.add (local.get $w) (i32.shl (local.get $pw) (i32.const 1))))
    (local.set $plane (i32.shl (i32.mul (local.get $h) (local.get $w)) (i32.const 2)))
    (memory.fill (local.get $dst) (i32.const 0)
      (i32.shl
        (i32.mul (i32.mul (local.get $n) (local.get $hp)) (i32.mul (local.get $wp) (local.get $cw)))
        (i32.const 2)))
    (local.set $img (i32.const 0))
    (loop $images
      (local.set $k (i32.const 0))
      (loop $words
        ;; channels 32k .. 32k+nb-1 go into word k
        (local.set $nb (i32.sub (local.get $c) (i32.shl (local.get $k) (i32.const 5))))
        (if (i32.gt_u (local.get $nb) (i32.const 32)) (then (local.set $nb (i32.const 32))))
        (local.set $y (i32.const 0))
        (loop $rows
          (local.set $x (i32.const 0))
          (loop $cols
            ;; four neighbouring pixels at once: lane l is pixel x+l
            (local.set $s
              (i32.add (local.get $src)
                (i32.shl
                  (i32.add
                    (i32.mul
                      (i32.add
                        (i32.mul (local.get $img) (local.get $c))
                        (i32.shl (local.get $k) (i32.const 5)))
                      (i32.mul (local.get $h) (local.get $w)))
                    (i32.add (i32.mul (local.get $y) (local.get $w)) (local.get $x)))
                  (i32.const 2))))
            (local.set $acc (v128.const i32x4 0 0 0 0))
            (local.set $b (i32.const 0))
            (loop $bits
              (local.set $acc
                (v128.or (local.get $acc)
                  (v128.and
                    (f32x4.lt (v128.load (local.get $s)) (f32x4.splat (f32.const 0)))
                    (i32x4.splat (i32.shl (i32.const 1) (local.get $b))))))
              (local.set $s (i32.add (local.get $s) (local.get $plane)))
              (br_if $bits
                (i32.lt_u (local.tee $b (i32.add (local.get $b) (i32.const 1))) (local.get $nb))))
            ;; scatter the four words to their pixels (stride cw words), dropping lanes past w
            (local.set $d
              (i32.add (local.get $dst)
                (i32.shl
                  (i32.add
                    (i32.mul
                      (i32.add
                        (i32.mul
                          (i32.add
                            (i32.mul (local.get $img) (local.get $hp))
                            (i32.add (local.get $y) (local.get $ph)))
                          (local.get $wp))
                        (i32.add (local.get $x) (local.get $pw)))
                      (local.get $cw))
                    (local.get $k))
                  (i32.const 2))))
            (i32.store (local.get $d) (i32x4.extract_lane 0 (local.get $acc)))
            (local.set $d (i32.add (local.get $d) (i32.shl (local.get $cw) (i32.const 2))))
            (if (i32.lt_u (i32.add (local.get $x) (i32.const 1)) (local.get $w))
              (then (i32.store (local.get $d) (i32x4.extract_lane 1 (local.get $acc)))))
            (local.set $d (i32.add (local.get $d) (i32.shl (local.get $cw) (i32.const 2))))
            (if (i32.lt_u (i32.add (local.get $x) (i32.const 2)) (local.get $w))
              (then (i32.store (local.get $d) (i32x4.extract_lane 2 (local.get $acc)))))
            (local.set $d (i32.add (local.get $d) (i32.shl (local.get $cw) (i32.const 2))))
            (if (i32.lt_u (i32.add (local.get $x) (i32.const 3)) (local.get $w))
              (then (i32.store (local.get $d) (i32x4.extract_lane 3 (local.get $acc)))))
            (br_if $cols
              (i32.lt_u (local.tee $x (i32.add (local.get $x) (i32.const 4))) (local.get $w))))
          (br_if $rows
            (i32.lt_u (local.tee $y (i32.add (local.get $y) (i32.const 1))) (local.get $h))))
        (br_if $words
          (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (local.get $cw))))
      (br_if $images
        (i32.lt_u (local.tee $img (i32.add (local.get $img) (i32.const 1))) (local.get $n)))))

  ;; im2col: one image's bits [hp, wp, cw] -> the windows of its ho*wo outputs, K = kh*kw*cw
  ;; words each, interleaved by blocks of four outputs: word k of output r is at word
  ;; (floor(r/4)*K + k)*4 + r mod 4, so that one v128 holds word k of four neighbouring outputs.
  ;; A window is kh tap rows of kw*cw contiguous words. Lanes of a last, partial block are left
  ;; as they are: gemm's results there are never read.
  (func (export "im2col")
    (param $xb i32) (param $cols i32) (param $wp i32) (param $cw i32) (param $kh i32)
    (param $kw i32) (param $sh i32) (param $sw i32) (param $ho i32) (param $wo i32)
    (local $k16 i32) (local $seg i32) (local $r i32) (local $i i32) (local $j i32) (local $p i32)
    (local $d i32) (local $s i32) (local $e i32)
    (local.set $k16 (i32.shl (i32.mul (i32.mul (local.get $kh) (local.get $kw)) (local.get $cw))
      (i32.const 4)))
    (local.set $seg (i32.shl (i32.mul (local.get $kw) (local.get $cw)) (i32.const 2)))
    (local.set $r (i32.const 0))
    (local.set $i (i32.const 0))
    (loop $outRows
      (local.set $j (i32.const 0))
      (loop $outCols
        (local.set $d
          (i32.add (local.get $cols)
            (i32.add
              (i32.mul (i32.shr_u (local.get $r) (i32.const 2)) (local.get $k16))
              (i32.shl (i32.and (local.get $r) (i32.const 3)) (i32.const 2)))))
        (local.set $p (i32.const 0))
        (loop $taps
          (local.set $s
            (i32.add (local.get $xb)
              (i32.shl
                (i32.mul
                  (i32.add
                    (i32.mul
                      (i32.add (i32.mul (local.get $i) (local.get $sh)) (local.get $p))
                      (local.get $wp))
                    (i32.mul (local.get $j) (local.get $sw)))
                  (local.get $cw))
                (i32.const 2))))
          (local.set $e (i32.add (local.get $s) (local.get $seg)))
          (loop $words
            (i32.store (local.get $d) (i32.load (local.get $s)))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (br_if $words
              (i32.lt_u (local.tee $s (i32.add (local.get $s) (i32.const 4))) (local.get $e))))
          (br_if $taps
            (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $kh))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br_if $outCols
          (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $wo))))
      (br_if $outRows
        (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $ho)))))

  ;; popcounts: dst[g] = number of set bits in words g*cw .. g*cw+cw-1 of src, for g < groups:
  ;; the -1s of each filter tap, which the zero-padding correction needs.
  (func (export "popcounts") (param $src i32) (param $dst i32) (param $groups i32) (param $cw i32)
    (local $g i32) (local $k i32) (local $n i32)
    (local.set $g (i32.const 0))
    (loop $groupLoop
      (local.set $n (i32.const 0))
      (local.set $k (i32.const 0))
      (loop $wordLoop
        (local.set $n (i32.add (local.get $n) (i32.popcnt (i32.load (local.get $src)))))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (br_if $wordLoop
          (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (local.get $cw))))
      (i32.store (i32.add (local.get $dst) (i32.shl (local.get $g) (i32.const 2))) (local.get $n))
      (br_if $groupLoop
        (i32.lt_u (local.tee $g (i32.add (local.get $g) (i32.const 1))) (local.get $groups)))))

  ;; Byte counts -> i32 lane sums: the four bytes of a lane all count bits of one output.
  (func $widen (param $v v128) (result v128)
    (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u (local.get $v))))

  ;; K - 2*count as floats: the +-1 dot product of four outputs.
  (func $dot (param $bits i32) (param $count v128) (result v128)
    (f32x4.convert_i32x4_s
      (i32x4.sub (i32x4.splat (local.get $bits)) (i32x4.shl (local.get $count) (i32.const 1)))))

  ;; gemm: out[f, r] = bits - 2*popcount(window r XOR filter f), for the windows of `blocks`
  ;; blocks of four (im2col's layout; blocks even) and filters f < f4 (a multiple of 4; the
  ;; caller pads with zero filters). wts is [f4, k] words; out is [f4, outStride] floats.
  ;; A tile is 8 outputs x 4 filters: each window vector is loaded once for four filters, each
  ;; filter word (splat to four lanes) once for eight outputs. Byte counters take at most 31
  ;; words (31*8 < 256) before they are widened into the i32 lane sums.
  (func (export "gemm")
    (param $cols i32) (param $wts i32) (param $out i32) (param $blocks i32) (param $f4 i32)
    (param $k i32) (param $bits i32) (param $outStride i32)
    (local $blk i32) (local $f i32) (local $x0 i32) (local $w0 i32) (local $k16 i32)
    (local $k4 i32) (local $kk i32) (local $limit i32) (local $o i32)
    (local $u v128) (local $v v128) (local $t v128)
    (local $b00 v128) (local $b01 v128) (local $b02 v128) (local $b03 v128)
    (local $b10 v128) (local $b11 v128) (local $b12 v128) (local $b13 v128)
    (local $a00 v128) (local $a01 v128) (local $a02 v128) (local $a03 v128)
    (local $a10 v128) (local $a11 v128) (local $a12 v128) (local $a13 v128)
    (local.set $k16 (i32.shl (local.get $k) (i32.const 4)))
    (local.set $k4 (i32.shl (local.get $k) (i32.const 2)))
    (local.set $blk (i32.const 0))
    (loop $blockLoop
      (local.set $f (i32.const 0))
      (loop $filterLoop
        (local.set $x0 (i32.add (local.get $cols) (i32.mul (local.get $blk) (local.get $k16))))
        (local.set $w0 (i32.add (local.get $wts) (i32.mul (local.get $f) (local.get $k4))))
        (local.set $a00 (v128.const i32x4 0 0 0 0))
        (local.set $a01 (v128.const i32x4 0 0 0 0))
        (local.set $a02 (v128.const i32x4 0 0 0 0))
        (local.set $a03 (v128.const i32x4 0 0 0 0))
        (local.set $a10 (v128.const i32x4 0 0 0 0))
        (local.set $a11 (v128.const i32x4 0 0 0 0))
        (local.set $a12 (v128.const i32x4 0 0 0 0))
        (local.set $a13 (v128.const i32x4 0 0 0 0))
        (local.set $kk (i32.const 0))
        (loop $chunkLoop
          (local.set $limit (i32.add (local.get $kk) (i32.const 31)))
          (if (i32.gt_u (local.get $limit) (local.get $k))
            (then (local.set $limit (local.get $k))))
          (local.set $b00 (v128.const i32x4 0 0 0 0))
          (local.set $b01 (v128.const i32x4 0 0 0 0))
          (local.set $b02 (v128.const i32x4 0 0 0 0))
          (local.set $b03 (v128.const i32x4 0 0 0 0))
          (local.set $b10 (v128.const i32x4 0 0 0 0))
          (local.set $b11 (v128.const i32x4 0 0 0 0))
          (local.set $b12 (v128.const i32x4 0 0 0 0))
          (local.set $b13 (v128.const i32x4 0 0 0 0))
          (loop $wordLoop
            ;; word kk of blocks blk and blk+1, and of filters f..f+3
            (local.set $u (v128.load (local.get $x0)))
            (local.set $v (v128.load (i32.add (local.get $x0) (local.get $k16))))
            (local.set $o (local.get $w0))
            (local.set $t (v128.load32_splat (local.get $o)))
            (local.set $b00 (i8x16.add (local.get $b00)
              (i8x16.popcnt (v128.xor (local.get $u) (local.get $t)))))
            (local.set $b10 (i8x16.add (local.get $b10)
              (i8x16.popcnt (v128.xor (local.get $v) (local.get $t)))))
            (local.set $o (i32.add (local.get $o) (local.get $k4)))
            (local.set $t (v128.load32_splat (local.get $o)))
            (local.set $b01 (i8x16.add (local.get $b01)
              (i8x16.popcnt (v128.xor (local.get $u) (local.get $t)))))
            (local.set $b11 (i8x16.add (local.get $b11)
              (i8x16.popcnt (v128.xor (local.get $v) (local.get $t)))))
            (local.set $o (i32.add (local.get $o) (local.get $k4)))
            (local.set $t (v128.load32_splat (local.get $o)))
            (local.set $b02 (i8x16.add (local.get $b02)
              (i8x16.popcnt (v128.xor (local.get $u) (local.get $t)))))
            (local.set $b12 (i8x16.add (local.get $b12)
              (i8x16.popcnt (v128.xor (local.get $v) (local.get $t)))))
            (local.set $o (i32.add (local.get $o) (local.get $k4)))
            (local.set $t (v128.load32_splat (local.get $o)))
            (local.set $b03 (i8x16.add (local.get $b03)
              (i8x16.popcnt (v128.xor (local.get $u) (local.get $t)))))
            (local.set $b13 (i8x16.add (local.get $b13)
              (i8x16.popcnt (v128.xor (local.get $v) (local.get $t)))))
            (local.set $x0 (i32.add (local.get $x0) (i32.const 16)))
            (local.set $w0 (i32.add (local.get $w0) (i32.const 4)))
            (br_if $wordLoop
              (i32.lt_u (local.tee $kk (i32.add (local.get $kk) (i32.const 1))) (local.get $limit))))
          (local.set $a00 (i32x4.add (local.get $a00) (call $widen (local.get $b00))))
          (local.set $a01 (i32x4.add (local.get $a01) (call $widen (local.get $b01))))
          (local.set $a02 (i32x4.add (local.get $a02) (call $widen (local.get $b02))))
          (local.set $a03 (i32x4.add (local.get $a03) (call $widen (local.get $b03))))
          (local.set $a10 (i32x4.add (local.get $a10) (call $widen (local.get $b10))))
          (local.set $a11 (i32x4.add (local.get $a11) (call $widen (local.get $b11))))
          (local.set $a12 (i32x4.add (local.get $a12) (call $widen (local.get $b12))))
          (local.set $a13 (i32x4.add (local.get $a13) (call $widen (local.get $b13))))
          (br_if $chunkLoop (i32.lt_u (local.get $kk) (local.get $k))))
        ;; row f+i of out, columns 4*blk .. 4*blk+7
        (local.set $o
          (i32.add (local.get $out)
            (i32.shl
              (i32.add
                (i32.mul (local.get $f) (local.get $outStride))
                (i32.shl (local.get $blk) (i32.const 2)))
              (i32.const 2))))
        (v128.store (local.get $o) (call $dot (local.get $bits) (local.get $a00)))
        (v128.store offset=16 (local.get $o) (call $dot (local.get $bits) (local.get $a10)))
        (local.set $o (i32.add (local.get $o) (i32.shl (local.get $outStride) (i32.const 2))))
        (v128.store (local.get $o) (call $dot (local.get $bits) (local.get $a01)))
        (v128.store offset=16 (local.get $o) (call $dot (local.get $bits) (local.get $a11)))
        (local.set $o (i32.add (local.get $o) (i32.shl (local.get $outStride) (i32.const 2))))
        (v128.store (local.get $o) (call $dot (local.get $bits) (local.get $a02)))
        (v128.store offset=16 (local.get $o) (call $dot (local.get $bits) (local.get $a12)))
        (local.set $o (i32.add (local.get $o) (i32.shl (local.get $outStride) (i32.const 2))))
        (v128.store (local.get $o) (call $dot (local.get $bits) (local.get $a03)))
        (v128.store offset=16 (local.get $o) (call $dot (local.get $bits) (local.get $a13)))
        (br_if $filterLoop
          (i32.lt_u (local.tee $f (i32.add (local.get $f) (i32.const 4))) (local.get $f4))))
      (br_if $blockLoop
        (i32.lt_u (local.tee $blk (i32.add (local.get $blk) (i32.const 2))) (local.get $blocks)))))
)
