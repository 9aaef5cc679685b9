/**
 * `ConvgradBinaryConv2D` on TF.js's `wasm` backend, run by our own WebAssembly module
 * (`binary_conv.wat`: native `i8x16.popcnt` on v128 vectors; `deno task build:wasm` assembles it
 * into `binary_conv_wasm.ts`).
 *
 * Tensors live in the backend's heap, a memory our module cannot address, so each call copies x
 * (floats) and the packed weights into our module's memory and the result back out; measured in
 * `benchmarks/binary_conv_bench.ts`, these copies cost well under a tenth of the convolution.
 *
 * @module
 */
import { heapFloats, type WasmBackend } from "../backend_types.ts";
import type { BinaryGeometry } from "./options.ts";
import { registerBinaryConv } from "./register_kernel.ts";
import { removeOnePadding } from "./one_padding.ts";
import { WASM_BASE64 } from "./binary_conv_wasm.ts";
import { fromBase64 } from "@convgrad/base";

/** The exports of binary_conv.wasm; pointers are byte offsets into its memory. */
interface BinaryConvExports {
  memory: WebAssembly.Memory;
  pack(
    src: number,
    dst: number,
    n: number,
    c: number,
    h: number,
    w: number,
    ph: number,
    pw: number,
  ): void;
  im2col(
    xb: number,
    cols: number,
    wp: number,
    cw: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    ho: number,
    wo: number,
  ): void;
  popcounts(src: number, dst: number, groups: number, cw: number): void;
  gemm(
    cols: number,
    wts: number,
    out: number,
    blocks: number,
    f4: number,
    k: number,
    bits: number,
    outStride: number,
  ): void;
}

let wasm: BinaryConvExports | undefined;

/**
 * Our module, instantiated on first use. It is small enough (under the 4 KB that browsers allow
 * on the main thread) to compile synchronously, so no loading step is needed anywhere.
 */
function binaryConvModule(): BinaryConvExports {
  if (wasm === undefined) {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(fromBase64(WASM_BASE64)), {});
    wasm = instance.exports as unknown as BinaryConvExports;
  }
  return wasm;
}

const align16 = (n: number) => (n + 15) & ~15;

/**
 * y `[N,F,Ho,Wo]` = K − 2·popcount(x XOR w) with +1 padding, in our module: pack x to bits, then
 * per image gather each output's window (im2col, four outputs interleaved) and count against
 * every filter (gemm, 8 outputs × 4 filters a tile). With `zeroPad`, also undoes the +1 padding.
 */
function xnorConv(
  m: BinaryConvExports,
  x: Float32Array,
  w: Uint32Array | Float32Array,
  y: Float32Array,
  g: BinaryGeometry,
  zeroPad: boolean,
): void {
  const { N, C, H, W, F, kh, kw, sh, sw, ph, pw, Ho, Wo, cw, K } = g;
  const Hp = H + 2 * ph, Wp = W + 2 * pw, P = Ho * Wo;
  const words = kh * kw * cw; // of one window and of one filter
  const blocks = 2 * Math.ceil(P / 8); // gemm's tiles: 8 outputs…
  const F4 = 4 * Math.ceil(F / 4); // …by 4 filters; the extra filters are zero
  const stride = 4 * blocks; // out's row length
  let top = 0;
  const take = (bytes: number) => {
    const at = top;
    top = align16(top + bytes);
    return at;
  };
  const xf = take(x.length * 4 + 16); // pack may read one vector past a row's end
  const xb = take(N * Hp * Wp * cw * 4);
  const wt = take(F4 * words * 4);
  const cols = take(blocks * words * 16);
  const out = take(F4 * stride * 4);
  const ones = take(F * kh * kw * 4);
  const wf = take(w instanceof Float32Array ? w.length * 4 + 16 : 0);
  const short = top - m.memory.buffer.byteLength;
  if (short > 0) m.memory.grow(Math.ceil(short / 65536));
  const f32 = new Float32Array(m.memory.buffer), u32 = new Uint32Array(m.memory.buffer);

  f32.set(x, xf >> 2);
  m.pack(xf, xb, N, C, H, W, ph, pw); // [N,Hp,Wp,cw]
  if (w instanceof Float32Array) {
    f32.set(w, wf >> 2);
    m.pack(wf, wt, F, C, kh, kw, 0, 0); // [F,C,kh,kw] floats → [F,kh,kw,cw] bits
  } else {
    u32.set(w, wt >> 2); // [F,kh,kw,cw] = [F, words]
  }
  u32.fill(0, (wt >> 2) + F * words, (wt >> 2) + F4 * words);
  for (let n = 0; n < N; n++) {
    m.im2col(xb + n * Hp * Wp * cw * 4, cols, Wp, cw, kh, kw, sh, sw, Ho, Wo); // [blocks,words,4]
    m.gemm(cols, wt, out, blocks, F4, words, K, stride); // [F4, stride]
    for (let f = 0; f < F; f++) {
      y.set(f32.subarray((out >> 2) + f * stride, (out >> 2) + f * stride + P), (n * F + f) * P);
    }
  }
  if (zeroPad) {
    m.popcounts(wt, ones, F * kh * kw, cw); // [F,kh,kw]
    removeOnePadding(y, new Int32Array(m.memory.buffer, ones, F * kh * kw), g);
  }
}

registerBinaryConv<WasmBackend>("wasm", (b, x, w, a, g) => {
  const y = b.makeOutput([g.N, g.F, g.Ho, g.Wo], "float32");
  if (g.N === 0 || g.F === 0) return y; // the module's loops run at least once
  // Read every view after allocating: allocation may grow (and so detach) the heap.
  const wi = b.typedArrayFromHeap(w); // [F,kh,kw,cw] bits, or [F,C,kh,kw] floats
  const wv = wi instanceof Int32Array ? new Uint32Array(wi.buffer, wi.byteOffset, wi.length) : wi;
  xnorConv(binaryConvModule(), heapFloats(b, x), wv, heapFloats(b, y), g, a.padValue === 0);
  return y;
});
