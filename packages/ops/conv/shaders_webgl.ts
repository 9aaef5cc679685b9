/**
 * The GLSL programs of the conv kernels on TF.js's `webgl` backend (`kernels_webgl.ts` runs
 * them).
 *
 * Every program reads and writes *packed* textures, where one RGBA texel holds a 2x2 block of the
 * two innermost axes, and computes one such block per fragment. A direct correlation then needs,
 * per input channel, only the few texels that cover the block's receptive field plus the kernel's
 * texels, and every fetched value feeds several multiply-adds from registers. Stock webgl
 * `conv2d` instead writes an im2col matrix and multiplies it (two passes, every input value copied
 * kh·kw times); `benchmarks/browser_bench.ts` compares the two. Where a window reaches past the
 * input (padding, full, dX), the input is first copied once into a zero-padded texture by
 * {@linkcode padProgram}, so that the inner loops carry no bounds checks (measured on SwiftShader,
 * per-fetch masks cost up to as much as the sums).
 *
 * - forward (`filt`, `valid`, `full`) and dX = Σ_f K *full dY: {@linkcode correlateProgram}
 *   (valid and full read the kernel reversed, dX reads it reversed and with F and C swapped, from
 *   dY spread onto the stride lattice);
 * - dK = Σ_n X *filt dY: {@linkcode backpropFilterProgram}.
 *
 * @module
 */
import type { Shape4 } from "../backend_types.ts";

/**
 * The GPGPU programs this module builds: the part of TF.js's `GPGPUProgram` they use (every one
 * reads and writes packed textures).
 */
export interface Program {
  /** Input names; input `x` is read with `getX(...)` in `userCode`. */
  variableNames: string[];
  /** Logical shape of the output. */
  outputShape: number[];
  /** GLSL: a `main()` that calls `setOutput(vec4)` for the 2x2 block at `getOutputCoords()`. */
  userCode: string;
  /** Always true here. */
  packedInputs: boolean;
  /** Always true here. */
  packedOutput: boolean;
}

/** Parity of a possibly negative integer. */
const parity = (v: number) => ((v % 2) + 2) % 2;

/**
 * The swizzle of the value at (row, col) of a 2x2 packed block: TF.js packs (r, c), (r, c+1),
 * (r+1, c), (r+1, c+1) into x, y, z, w.
 */
const lane = (row: number, col: number) => "xyzw"[(row & 1) * 2 + (col & 1)];

/**
 * GLSL helpers shared by the programs. `keep` zeroes the lanes outside the tensor by selecting,
 * not multiplying, so that whatever an out-of-range fetch returns (even NaN from a recycled
 * texture) never reaches a sum. `inside` marks which lanes of the block at (r, c), r and c even,
 * lie within an h×w plane.
 */
const HELPERS = `
  vec4 keep(vec4 v, bvec4 m) {
    return vec4(m.x ? v.x : 0.0, m.y ? v.y : 0.0, m.z ? v.z : 0.0, m.w ? v.w : 0.0);
  }
  bvec4 inside(int r, int c, int h, int w) {
    bool r0 = r >= 0 && r < h, r1 = r >= 0 && r + 1 < h;
    bool c0 = c >= 0 && c < w, c1 = c >= 0 && c + 1 < w;
    return bvec4(r0 && c0, r0 && c1, r1 && c0, r1 && c1);
  }
`;

/**
 * dY block (TILE x TILE values) that one step of {@linkcode backpropFilterProgram} consumes:
 * measured on SwiftShader, 4 beats 2 (per-step overhead) and 6 or 8 (register pressure).
 */
const TILE = 4;

/**
 * How a program walks one spatial axis of its input. Output positions come in blocks of `block`
 * (a multiple of 2) starting every block·stride input rows; output row i reads input rows
 * i·stride − offset + 0..span−1. Shifting the input by `start` = offset rounded up to even makes
 * every block's band begin on a texel boundary, `skew` rows before its first tap.
 */
export interface Band {
  /** 0 or 1: rows between the band's first row and its first tap. */
  skew: number;
  /** Where input row 0 sits in the padded input (even; negative crops). */
  start: number;
  /** Texel rows (2 input rows each) one block reads. */
  texels: number;
  /** Output rows rounded up to whole blocks. */
  blocks: number;
  /** Padded input rows the last block reaches. */
  padded: number;
  /** No padding needed: every real output reads only real input rows. */
  direct: boolean;
}

/**
 * The {@linkcode Band} of an axis of `size` input rows read by `outs` output rows.
 *
 * @example
 * ```ts
 * import { band } from "./shaders_webgl.ts";
 * band(7, 5, 2, 3, 1, 0).direct; // true: a 3-tap valid correlation stays inside
 * ```
 */
export function band(
  size: number,
  outs: number,
  block: number,
  span: number,
  stride: number,
  offset: number,
): Band {
  const skew = parity(offset);
  const texels = Math.ceil((skew + (block - 1) * stride + span) / 2);
  const blocks = Math.ceil(outs / block) * block;
  return {
    skew,
    start: offset + skew,
    texels,
    blocks,
    padded: (blocks - block) * stride + 2 * texels,
    direct: offset === 0 && (outs - 1) * stride + span <= size,
  };
}

/**
 * A zero-padded, cropped or dilated copy: out[n,c,r,s] = x[n,c,(r−top)/dh,(s−left)/dw] where
 * those are whole and inside x's first `extent` rows and columns (default: all), else 0. With
 * even `top`, `left` and no dilation every output texel is one input texel (masked); otherwise
 * each lane is fetched on its own.
 *
 * @example
 * ```ts
 * import { padProgram } from "./shaders_webgl.ts";
 * padProgram([1, 1, 3, 3], [1, 1, 8, 8], [2, 2]).outputShape; // [1, 1, 8, 8]
 * ```
 */
export function padProgram(
  inShape: Shape4,
  outShape: Shape4,
  [top, left]: readonly [number, number],
  [dh, dw]: readonly [number, number] = [1, 1],
  [H, W]: readonly [number, number] = [inShape[2], inShape[3]],
): Program {
  const [, , Ho, Wo] = outShape;
  const aligned = dh === 1 && dw === 1 && parity(top) === 0 && parity(left) === 0;
  const main = aligned
    ? `
      void main() {
        ivec4 rc = getOutputCoords();
        int r = rc.z - ${top}, c = rc.w - ${left};
        vec4 v = getX(rc.x, rc.y, clamp(r, 0, ${H - 1}), clamp(c, 0, ${W - 1}));
        setOutput(keep(keep(v, inside(r, c, ${H}, ${W})), inside(rc.z, rc.w, ${Ho}, ${Wo})));
      }`
    : `
      float at(int n, int c, int r, int s) {
        int i = r - ${top}, j = s - ${left};
        if (r >= ${Ho} || s >= ${Wo} || i < 0 || j < 0) return 0.0;
        if (imod(i, ${dh}) != 0 || imod(j, ${dw}) != 0) return 0.0;
        i /= ${dh};
        j /= ${dw};
        if (i >= ${H} || j >= ${W}) return 0.0;
        vec4 t = getX(n, c, i, j);
        int l = imod(i, 2) * 2 + imod(j, 2);
        return l == 0 ? t.x : l == 1 ? t.y : l == 2 ? t.z : t.w;
      }
      void main() {
        ivec4 rc = getOutputCoords();
        setOutput(vec4(at(rc.x, rc.y, rc.z, rc.w), at(rc.x, rc.y, rc.z, rc.w + 1),
                       at(rc.x, rc.y, rc.z + 1, rc.w), at(rc.x, rc.y, rc.z + 1, rc.w + 1)));
      }`;
  return {
    variableNames: ["x"],
    packedInputs: true,
    packedOutput: true,
    outputShape: [...outShape],
    userCode: HELPERS + main,
  };
}

/** What one {@linkcode correlateProgram} computes. */
export interface CorrelateSpec {
  /** x [N,C,H,W], padded so that every read lands inside (see {@linkcode band}). */
  inShape: Shape4;
  /** k [O,C,kh,kw], or [C,O,kh,kw] with `transposeK`. */
  kShape: Shape4;
  /** out [N,O,Ho,Wo]. */
  outShape: Shape4;
  /** Input rows/columns between neighbouring outputs. */
  stride: readonly [number, number];
  /** Rows/columns (0 or 1) between a block's band start and its first tap. */
  skew: readonly [number, number];
  /** Read k spatially reversed. */
  flip: boolean;
  /** k is [C,O,kh,kw]: out channel o reads k[c,o] (dX sums over F with K's roles swapped). */
  transposeK: boolean;
}

/**
 * out[n,o,i,j] = Σ_c Σ_p Σ_q x[n,c,i·sh+p+ah, j·sw+q+aw] · K(o,c,p,q) with (ah, aw) = `skew` and
 * K(o,c,p,q) = k[o,c,p,q], k[c,o,p,q] (`transposeK`), reversed in p and q with `flip`.
 *
 * One fragment makes the 2x2 output block at rows i, i+1 and columns j, j+1 (i, j even). Its
 * input rows are i·sh + ah + a·sh + p for a ∈ {0,1}, p < kh: a band of texel rows starting at
 * the even row i·sh, so the texels covering it and the lane of each tap are known when the
 * shader is generated, and the tap loops unroll into straight-line code.
 *
 * @example
 * ```ts
 * import { correlateProgram } from "./shaders_webgl.ts";
 * const p = correlateProgram({
 *   inShape: [1, 1, 4, 4], kShape: [1, 1, 3, 3], outShape: [1, 1, 2, 2],
 *   stride: [1, 1], skew: [0, 0], flip: false, transposeK: false,
 * });
 * p.outputShape; // [1, 1, 2, 2]
 * ```
 */
export function correlateProgram(s: CorrelateSpec): Program {
  const [, C, H, W] = s.inShape, [, , kh, kw] = s.kShape, [, , Ho, Wo] = s.outShape;
  const [sh, sw] = s.stride, [ah, aw] = s.skew;
  const TR = Math.ceil((ah + sh + kh) / 2), TC = Math.ceil((aw + sw + kw) / 2);
  const KR = Math.ceil(kh / 2), KC = Math.ceil(kw / 2);
  const kAt = (tr: number, tc: number) =>
    s.transposeK ? `getK(c, o, ${2 * tr}, ${2 * tc})` : `getK(o, c, ${2 * tr}, ${2 * tc})`;

  // Rows past the input only feed output lanes past Ho (zeroed at the end): clamp them inside.
  const setup: string[] = [], fetch: string[] = [], madd: string[] = [];
  for (let t = 0; t < TR; t++) setup.push(`int r${t} = min(h0 + ${2 * t}, ${H - 1});`);
  for (let u = 0; u < TC; u++) setup.push(`int c${u} = min(w0 + ${2 * u}, ${W - 1});`);
  for (let t = 0; t < TR; t++) {
    for (let u = 0; u < TC; u++) fetch.push(`vec4 x${t}_${u} = getX(n, c, r${t}, c${u});`);
  }
  for (let t = 0; t < KR; t++) {
    for (let u = 0; u < KC; u++) fetch.push(`vec4 k${t}_${u} = ${kAt(t, u)};`);
  }
  // x at band row r, column c (relative to h0, w0).
  const xv = (r: number, c: number) => `x${r >> 1}_${c >> 1}.${lane(r, c)}`;
  for (let p = 0; p < kh; p++) {
    for (let q = 0; q < kw; q++) {
      const kp = s.flip ? kh - 1 - p : p, kq = s.flip ? kw - 1 - q : q;
      const r0 = ah + p, r1 = ah + sh + p, c0 = aw + q, c1 = aw + sw + q;
      madd.push(
        `acc += vec4(${xv(r0, c0)}, ${xv(r0, c1)}, ${xv(r1, c0)}, ${xv(r1, c1)}) * ` +
          `k${kp >> 1}_${kq >> 1}.${lane(kp, kq)};`,
      );
    }
  }
  return {
    variableNames: ["x", "k"],
    packedInputs: true,
    packedOutput: true,
    outputShape: [...s.outShape],
    userCode: `
      ${HELPERS}
      void main() {
        ivec4 rc = getOutputCoords();
        int n = rc.x, o = rc.y;
        int h0 = rc.z * ${sh}, w0 = rc.w * ${sw};
        ${setup.join("\n        ")}
        vec4 acc = vec4(0.0);
        for (int c = 0; c < ${C}; c++) {
          ${fetch.join("\n          ")}
          ${madd.join("\n          ")}
        }
        setOutput(keep(acc, inside(rc.z, rc.w, ${Ho}, ${Wo})));
      }
    `,
  };
}

/** How {@linkcode backpropFilterProgram}'s operands are padded: {@linkcode filterPadding}. */
export interface FilterPadding {
  /** x zero-padded to [N,C,Hp,Wp], x's origin at (rows.start, cols.start). */
  xShape: Shape4;
  /** dY zero-padded to whole TILE x TILE blocks: [N,F,Hq,Wq]. */
  dyShape: Shape4;
  /**
   * x rows and columns some window reaches; the copy zeroes the rest, which the padded dY
   * positions (0) would otherwise meet, and 0·Inf is NaN.
   */
  extent: [number, number];
  /** How the steps walk the rows of x. */
  rows: Band;
  /** How the steps walk the columns of x. */
  cols: Band;
}

/**
 * The zero padding that lets every read of {@linkcode backpropFilterProgram} land inside: its
 * steps are TILE dY positions whose taps p, p+1 read 2 rows each, from row i·sh + p − ph.
 *
 * @example
 * ```ts
 * import { filterPadding } from "./shaders_webgl.ts";
 * filterPadding([1, 1, 5, 5], [1, 1, 3, 3], [1, 1, 3, 3], [1, 1], [0, 0]).xShape; // [1, 1, 8, 8]
 * ```
 */
export function filterPadding(
  xShape: Shape4,
  dyShape: Shape4,
  kShape: Shape4,
  [sh, sw]: readonly [number, number],
  [ph, pw]: readonly [number, number],
): FilterPadding {
  const [N, C, H, W] = xShape, [, F, Ho, Wo] = dyShape, [, , kh, kw] = kShape;
  const rows = band(H, Ho, TILE, 2, sh, ph), cols = band(W, Wo, TILE, 2, sw, pw);
  // The fragment for the last even tap pair starts kh rounded up to even, minus 2, further on.
  const extra = (k: number) => k + parity(k) - 2;
  return {
    xShape: [N, C, rows.padded + extra(kh), cols.padded + extra(kw)],
    dyShape: [N, F, rows.blocks, cols.blocks],
    extent: [Math.min(H, (Ho - 1) * sh + kh - ph), Math.min(W, (Wo - 1) * sw + kw - pw)],
    rows,
    cols,
  };
}

/**
 * dK[f,c,p,q] = Σ_n Σ_i Σ_j xp[n,c,i·sh+p+ah, j·sw+q+aw] · dyp[n,f,i,j]: dK of filt from the
 * zero-padded operands of {@linkcode filterPadding}.
 *
 * One fragment makes dK's 2x2 block at taps p, p+1 and q, q+1 (p, q even) and walks dY in
 * {@linkcode TILE}x{@linkcode TILE} blocks: each step fetches those dY texels and the x texels
 * under the taps' windows, as in {@linkcode correlateProgram} with the roles of kernel and output
 * exchanged.
 *
 * @example
 * ```ts
 * import { backpropFilterProgram, filterPadding } from "./shaders_webgl.ts";
 * const pads = filterPadding([1, 1, 4, 4], [1, 1, 2, 2], [1, 1, 3, 3], [1, 1], [0, 0]);
 * backpropFilterProgram(pads, [1, 1, 3, 3], [1, 1]).outputShape; // [1, 1, 3, 3]
 * ```
 */
export function backpropFilterProgram(
  pads: FilterPadding,
  kShape: Shape4,
  [sh, sw]: readonly [number, number],
): Program {
  const [N, , Hq, Wq] = pads.dyShape, [, , kh, kw] = kShape;
  const ah = pads.rows.skew, aw = pads.cols.skew, TR = pads.rows.texels, TC = pads.cols.texels;
  const lines: string[] = [];
  for (let t = 0; t < TILE / 2; t++) {
    for (let u = 0; u < TILE / 2; u++) {
      lines.push(`vec4 g${t}_${u} = getDy(n, f, i + ${2 * t}, j + ${2 * u});`);
    }
  }
  for (let t = 0; t < TR; t++) {
    for (let u = 0; u < TC; u++) {
      lines.push(`vec4 x${t}_${u} = getX(n, c, h0 + ${2 * t}, w0 + ${2 * u});`);
    }
  }
  const xv = (r: number, c: number) => `x${r >> 1}_${c >> 1}.${lane(r, c)}`;
  for (let a = 0; a < TILE; a++) {
    for (let b = 0; b < TILE; b++) {
      const r0 = ah + a * sh, c0 = aw + b * sw;
      lines.push(
        `acc += g${a >> 1}_${b >> 1}.${lane(a, b)} * vec4(${xv(r0, c0)}, ${xv(r0, c0 + 1)}, ` +
          `${xv(r0 + 1, c0)}, ${xv(r0 + 1, c0 + 1)});`,
      );
    }
  }
  return {
    variableNames: ["x", "dy"],
    packedInputs: true,
    packedOutput: true,
    outputShape: [...kShape],
    userCode: `
      ${HELPERS}
      void main() {
        ivec4 rc = getOutputCoords();
        int f = rc.x, c = rc.y;
        vec4 acc = vec4(0.0);
        for (int n = 0; n < ${N}; n++) {
          for (int i = 0; i < ${Hq}; i += ${TILE}) {
            int h0 = i * ${sh} + rc.z;
            for (int j = 0; j < ${Wq}; j += ${TILE}) {
              int w0 = j * ${sw} + rc.w;
              ${lines.join("\n              ")}
            }
          }
        }
        setOutput(keep(acc, inside(rc.z, rc.w, ${kh}, ${kw})));
      }
    `,
  };
}
