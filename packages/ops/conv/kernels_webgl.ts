/**
 * The conv kernels on TF.js's `webgl` backend, as our own GPGPU programs (GLSL fragment shaders
 * run by `MathBackendWebGL.runWebGLProgram`).
 *
 * Every program reads and writes *packed* textures, where one RGBA texel holds a 2x2 block of the
 * two innermost axes, and computes one such block per fragment. A direct correlation then needs,
 * per input channel, only the few texels that cover the block's receptive field plus the kernel's
 * texels, and every fetched value feeds several multiply-adds from registers. Stock webgl
 * `conv2d` instead writes an im2col matrix and multiplies it (two passes, every input value copied
 * kh·kw times); `benchmarks/browser_bench.ts` compares the two.
 *
 * - forward (`filt`, `valid`, `full`) and dX = Σ_f K *full dY: {@linkcode correlateProgram}
 *   (valid and full read the kernel reversed, dX reads it reversed and with F and C swapped; a
 *   strided dX first spreads dY onto the stride lattice with {@linkcode dilateProgram});
 * - dK = Σ_n X *filt dY: {@linkcode backpropFilterProgram}.
 *
 * Importing this module registers the kernels (harmless where WebGL is absent).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { GPGPUProgram, MathBackendWebGL } from "@tensorflow/tfjs";
import { input, registerKernelOnce } from "../register.ts";
import { fullAttrs, geometry } from "./geometry.ts";
import { FILT, FILT_BACKPROP_FILTER, FILT_BACKPROP_INPUT, FULL, VALID } from "./kernel_names.ts";
import type { ConvAttrs } from "./options.ts";

type Shape4 = readonly [number, number, number, number];

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

/** What one {@linkcode correlateProgram} computes. */
export interface CorrelateSpec {
  /** x [N,C,H,W]. */
  inShape: Shape4;
  /** k [O,C,kh,kw], or [C,O,kh,kw] with `transposeK`. */
  kShape: Shape4;
  /** out [N,O,Ho,Wo]; rows and columns past the input's reach come out as 0. */
  outShape: Shape4;
  stride: readonly [number, number];
  /** Rows/columns the window starts before the input's origin; negative crops. */
  offset: readonly [number, number];
  /** Read k spatially reversed. */
  flip: boolean;
  /** k is [C,O,kh,kw]: out channel o reads k[c,o] (dX sums over F with K's roles swapped). */
  transposeK: boolean;
}

/**
 * out[n,o,i,j] = Σ_c Σ_p Σ_q x[n,c,i·sh+p−oh, j·sw+q−ow] · K(o,c,p,q), x = 0 outside, with
 * K(o,c,p,q) = k[o,c,p,q], k[c,o,p,q] (`transposeK`), reversed in p and q with `flip`.
 *
 * One fragment makes the 2x2 output block at rows i, i+1 and columns j, j+1 (i, j even). Its
 * input rows are i·sh−oh+a·sh+p for a ∈ {0,1}, p < kh: a band of sh+kh rows whose first row has
 * the parity of oh for every block, so the texels covering it and the lane of each tap are
 * known when the shader is generated, and the tap loops unroll into straight-line code.
 *
 * @example
 * ```ts
 * import { correlateProgram } from "./kernels_webgl.ts";
 * const p = correlateProgram({
 *   inShape: [1, 1, 4, 4], kShape: [1, 1, 3, 3], outShape: [1, 1, 2, 2],
 *   stride: [1, 1], offset: [0, 0], flip: false, transposeK: false,
 * });
 * p.outputShape; // [1, 1, 2, 2]
 * ```
 */
export function correlateProgram(s: CorrelateSpec): GPGPUProgram {
  const [, C, H, W] = s.inShape, [, , kh, kw] = s.kShape, [, , Ho, Wo] = s.outShape;
  const [sh, sw] = s.stride, [oh, ow] = s.offset;
  // The band starts one row (column) early when oh (ow) is odd, to begin on a texel boundary.
  const ah = parity(oh), aw = parity(ow);
  const TR = Math.ceil((ah + sh + kh) / 2), TC = Math.ceil((aw + sw + kw) / 2);
  const KR = Math.ceil(kh / 2), KC = Math.ceil(kw / 2);
  const kAt = (tr: number, tc: number) =>
    s.transposeK ? `getK(c, o, ${2 * tr}, ${2 * tc})` : `getK(o, c, ${2 * tr}, ${2 * tc})`;

  const setup: string[] = [], fetch: string[] = [], madd: string[] = [];
  for (let t = 0; t < TR; t++) setup.push(`int r${t} = clamp(h0 + ${2 * t}, 0, ${H - 1});`);
  for (let u = 0; u < TC; u++) setup.push(`int c${u} = clamp(w0 + ${2 * u}, 0, ${W - 1});`);
  for (let t = 0; t < TR; t++) {
    for (let u = 0; u < TC; u++) {
      setup.push(`bvec4 m${t}_${u} = inside(h0 + ${2 * t}, w0 + ${2 * u}, ${H}, ${W});`);
      fetch.push(`vec4 x${t}_${u} = keep(getX(n, c, r${t}, c${u}), m${t}_${u});`);
    }
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
        int h0 = rc.z * ${sh} - ${oh + ah};
        int w0 = rc.w * ${sw} - ${ow + aw};
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

/**
 * d [N,F,(Ho−1)·sh+1,(Wo−1)·sw+1]: dy spread onto the stride lattice, zeros between, so that a
 * strided dX becomes a stride-1 correlation.
 *
 * @example
 * ```ts
 * import { dilateProgram } from "./kernels_webgl.ts";
 * dilateProgram([1, 1, 3, 3], [2, 2]).outputShape; // [1, 1, 5, 5]
 * ```
 */
export function dilateProgram(dyShape: Shape4, stride: readonly [number, number]): GPGPUProgram {
  const [N, F, Ho, Wo] = dyShape, [sh, sw] = stride;
  const Hd = (Ho - 1) * sh + 1, Wd = (Wo - 1) * sw + 1;
  const laneOf = (a: number, b: number) => `
        {
          int r = rc.z + ${a}, c = rc.w + ${b};
          if (r < ${Hd} && c < ${Wd} && r % ${sh} == 0 && c % ${sw} == 0) {
            int i = r / ${sh}, j = c / ${sw};
            vec4 t = getDy(rc.x, rc.y, i, j);
            int l = (i % 2) * 2 + (j % 2);
            out4.${lane(a, b)} = l == 0 ? t.x : l == 1 ? t.y : l == 2 ? t.z : t.w;
          }
        }`;
  return {
    variableNames: ["dy"],
    packedInputs: true,
    packedOutput: true,
    outputShape: [N, F, Hd, Wd],
    userCode: `
      void main() {
        ivec4 rc = getOutputCoords();
        vec4 out4 = vec4(0.0);
        ${laneOf(0, 0)}${laneOf(0, 1)}${laneOf(1, 0)}${laneOf(1, 1)}
        setOutput(out4);
      }
    `,
  };
}

/**
 * dK[f,c,p,q] = Σ_n Σ_i Σ_j x[n,c,i·sh+p−ph, j·sw+q−pw] · dy[n,f,i,j], x = 0 outside.
 *
 * One fragment makes dK's 2x2 block at taps p, p+1 and q, q+1 (p, q even) and walks dY in 2x2
 * blocks: each step fetches one dY texel and the x texels under the four taps' windows, as in
 * {@linkcode correlateProgram} with the roles of kernel and output exchanged.
 *
 * @example
 * ```ts
 * import { backpropFilterProgram } from "./kernels_webgl.ts";
 * backpropFilterProgram([1, 1, 4, 4], [1, 1, 2, 2], [1, 1, 3, 3], [1, 1], [0, 0]).outputShape;
 * // [1, 1, 3, 3]
 * ```
 */
export function backpropFilterProgram(
  xShape: Shape4,
  dyShape: Shape4,
  kShape: Shape4,
  stride: readonly [number, number],
  pad: readonly [number, number],
): GPGPUProgram {
  const [N, , H, W] = xShape, [, , Ho, Wo] = dyShape, [, , kh, kw] = kShape;
  const [sh, sw] = stride, [ph, pw] = pad;
  const ah = parity(ph), aw = parity(pw);
  // Band rows a·sh + dp (a, dp ∈ {0,1}) after the alignment row.
  const TR = Math.ceil((ah + sh + 2) / 2), TC = Math.ceil((aw + sw + 2) / 2);
  const rows: string[] = [], cols: string[] = [], fetch: string[] = [], madd: string[] = [];
  for (let t = 0; t < TR; t++) rows.push(`int r${t} = clamp(h0 + ${2 * t}, 0, ${H - 1});`);
  for (let u = 0; u < TC; u++) cols.push(`int c${u} = clamp(w0 + ${2 * u}, 0, ${W - 1});`);
  for (let t = 0; t < TR; t++) {
    for (let u = 0; u < TC; u++) {
      fetch.push(
        `vec4 x${t}_${u} = keep(getX(n, c, r${t}, c${u}), ` +
          `inside(h0 + ${2 * t}, w0 + ${2 * u}, ${H}, ${W}));`,
      );
    }
  }
  const xv = (r: number, c: number) => `x${r >> 1}_${c >> 1}.${lane(r, c)}`;
  for (let a = 0; a < 2; a++) {
    for (let b = 0; b < 2; b++) {
      const r0 = ah + a * sh, c0 = aw + b * sw;
      madd.push(
        `acc += g.${lane(a, b)} * vec4(${xv(r0, c0)}, ${xv(r0, c0 + 1)}, ` +
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
          for (int i = 0; i < ${Ho}; i += 2) {
            int h0 = i * ${sh} + rc.z - ${ph + ah};
            ${rows.join("\n            ")}
            for (int j = 0; j < ${Wo}; j += 2) {
              int w0 = j * ${sw} + rc.w - ${pw + aw};
              ${cols.join("\n              ")}
              vec4 g = keep(getDy(n, f, i, j), inside(i, j, ${Ho}, ${Wo}));
              ${fetch.join("\n              ")}
              ${madd.join("\n              ")}
            }
          }
        }
        setOutput(keep(acc, inside(rc.z, rc.w, ${kh}, ${kw})));
      }
    `,
  };
}

const shape4 = (t: tf.TensorInfo) => t.shape as unknown as Shape4;

/** y [N,F,Ho,Wo] = filt(x, k or flip(k)) with `a`. */
function correlate(
  b: MathBackendWebGL,
  x: tf.TensorInfo,
  k: tf.TensorInfo,
  a: ConvAttrs,
  flip: boolean,
): tf.TensorInfo {
  const g = geometry(x.shape, k.shape, a);
  const program = correlateProgram({
    inShape: shape4(x),
    kShape: shape4(k),
    outShape: [g.N, g.F, g.Ho, g.Wo],
    stride: a.stride,
    offset: a.pad,
    flip,
    transposeK: false,
  });
  return b.runWebGLProgram(program, [x, k], "float32");
}

function forward(flip: boolean, attrsOf: (k: tf.TensorInfo, a: ConvAttrs) => ConvAttrs) {
  return ({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]) => {
    const x = input(inputs, "x"), k = input(inputs, "k");
    return correlate(
      backend as MathBackendWebGL,
      x,
      k,
      attrsOf(k, attrs as unknown as ConvAttrs),
      flip,
    );
  };
}

registerKernelOnce({
  kernelName: FILT,
  backendName: "webgl",
  kernelFunc: forward(false, (_k, a) => a),
});
registerKernelOnce({
  kernelName: VALID,
  backendName: "webgl",
  kernelFunc: forward(true, (_k, a) => a),
});
registerKernelOnce({
  kernelName: FULL,
  backendName: "webgl",
  kernelFunc: forward(true, (k) => fullAttrs(k.shape)),
});

registerKernelOnce({
  kernelName: FILT_BACKPROP_INPUT,
  backendName: "webgl",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = backend as MathBackendWebGL;
    const dy = input(inputs, "dy"), k = input(inputs, "k");
    const a = attrs as unknown as ConvAttrs & { inputShape: number[] };
    const [, , kh, kw] = k.shape, [sh, sw] = a.stride, [ph, pw] = a.pad;
    const strided = sh > 1 || sw > 1;
    // dX = Σ_f K *full dY, dY on the stride lattice: a stride-1 correlation with flip(Kᵀ).
    const src = strided
      ? b.runWebGLProgram(dilateProgram(shape4(dy), a.stride), [dy], "float32")
      : dy;
    try {
      const program = correlateProgram({
        inShape: shape4(src),
        kShape: shape4(k),
        outShape: a.inputShape as unknown as Shape4,
        stride: [1, 1],
        offset: [kh - 1 - ph, kw - 1 - pw],
        flip: true,
        transposeK: true,
      });
      return b.runWebGLProgram(program, [src, k], "float32");
    } finally {
      if (strided) b.disposeIntermediateTensorInfo(src);
    }
  },
});

registerKernelOnce({
  kernelName: FILT_BACKPROP_FILTER,
  backendName: "webgl",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const x = input(inputs, "x"), dy = input(inputs, "dy");
    const a = attrs as unknown as ConvAttrs & { kernelShape: number[] };
    const program = backpropFilterProgram(
      shape4(x),
      shape4(dy),
      a.kernelShape as unknown as Shape4,
      a.stride,
      a.pad,
    );
    return (backend as MathBackendWebGL).runWebGLProgram(program, [x, dy], "float32");
  },
});
