/**
 * `ConvgradBinaryConv2D` on TF.js's `cpu` backend: XNOR-popcount in plain JS on `Uint32Array`s.
 *
 * @module
 */
import { type CpuBackend, cpuFloats } from "../backend_types.ts";
import type { BinaryGeometry } from "./options.ts";
import { registerBinaryConv } from "./register_kernel.ts";
import { removeOnePadding, tapPopcounts } from "./one_padding.ts";
import { packInto, popcount32 } from "./pack.ts";

/**
 * x `[N,C,H,W]` as bits `[N,Hp,Wp,cw]` inside a frame of `ph` rows and `pw` columns of +1 (0
 * bits) on each side, so every window of the loops below lies inside the buffer.
 */
function packPadded(x: Float32Array, g: BinaryGeometry): Uint32Array {
  const { N, C, H, W, ph, pw, cw } = g;
  const Hp = H + 2 * ph, Wp = W + 2 * pw;
  const bare = new Uint32Array(N * H * W * cw); // [N,H,W,cw]
  packInto(x, N, C, H * W, bare);
  const framed = new Uint32Array(N * Hp * Wp * cw);
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      const s = (n * H + h) * W * cw;
      framed.set(bare.subarray(s, s + W * cw), ((n * Hp + h + ph) * Wp + pw) * cw);
    }
  }
  return framed;
}

/** y `[N,F,Ho,Wo]` = K − 2·popcount(x XOR w) over each window, with +1 padding. */
function xnorConv(xb: Uint32Array, w: ArrayLike<number>, g: BinaryGeometry): Float32Array {
  const { N, F, H, W, kh, kw, sh, sw, ph, pw, Ho, Wo, cw, K } = g;
  const Hp = H + 2 * ph, Wp = W + 2 * pw, seg = kw * cw; // a tap row: kw pixels × cw words
  const y = new Float32Array(N * F * Ho * Wo);
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      for (let i = 0; i < Ho; i++) {
        for (let j = 0; j < Wo; j++) {
          let bits = 0;
          for (let p = 0; p < kh; p++) {
            const xo = ((n * Hp + i * sh + p) * Wp + j * sw) * cw, wo = (f * kh + p) * seg;
            for (let t = 0; t < seg; t++) bits += popcount32(xb[xo + t] ^ w[wo + t]);
          }
          y[o++] = K - 2 * bits;
        }
      }
    }
  }
  return y;
}

/** The kernel's `w` as bits `[F,kh,kw,cw]`: as given, or packed from floats `[F,C,kh,kw]`. */
function packedWeights(w: Float32Array | Int32Array, g: BinaryGeometry): Int32Array | Uint32Array {
  if (w instanceof Int32Array) return w;
  const bits = new Uint32Array(g.F * g.kh * g.kw * g.cw);
  packInto(w, g.F, g.C, g.kh * g.kw, bits);
  return bits;
}

registerBinaryConv<CpuBackend>("cpu", (b, x, w, a, g) => {
  const wv = packedWeights(b.data.get(w.dataId).values, g); // [F,kh,kw,cw]
  const y = xnorConv(packPadded(cpuFloats(b, x), g), wv, g);
  if (a.padValue === 0) removeOnePadding(y, tapPopcounts(wv, g.F * g.kh * g.kw, g.cw), g);
  return b.makeTensorInfo([g.N, g.F, g.Ho, g.Wo], "float32", y);
});
