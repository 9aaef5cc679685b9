/**
 * The conv kernels on TF.js's `webgl` backend, as our own GPGPU programs (`shaders_webgl.ts`)
 * run by `MathBackendWebGL.runWebGLProgram`.
 *
 * Importing this module registers the kernels (harmless where WebGL is absent).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { MathBackendWebGL } from "@tensorflow/tfjs";
import type { Shape4 } from "../backend_types.ts";
import { geometry } from "./geometry.ts";
import { registerConvKernels } from "./register_kernels.ts";
import {
  backpropFilterProgram,
  band,
  correlateProgram,
  filterPadding,
  padProgram,
  type Program,
} from "./shaders_webgl.ts";

const shape4 = (t: tf.TensorInfo) => t.shape as unknown as Shape4;

/** The backend a kernel runs on, refused under WebGL 1: our shaders are GLSL ES 3.00. */
function webgl2(backend: unknown): MathBackendWebGL {
  const version = tf.env().getNumber("WEBGL_VERSION");
  if (version < 2) {
    throw new Error(
      `convgrad: the webgl kernels need WebGL 2, this context has WebGL ${version}; ` +
        "use setBackend('wasm') instead",
    );
  }
  return backend as MathBackendWebGL;
}

/** Runs `program` and frees the temporaries in `temps` afterwards, also on error. */
function run(
  b: MathBackendWebGL,
  program: Program,
  inputs: tf.TensorInfo[],
  temps: tf.TensorInfo[] = [],
): tf.TensorInfo {
  try {
    return b.runWebGLProgram(program, inputs, "float32");
  } finally {
    for (const t of temps) b.disposeIntermediateTensorInfo(t);
  }
}

/**
 * out [N,O,Ho,Wo] = Σ_c x[n,c] correlated with K(o,c) at `stride` from row −offset (see
 * {@linkcode correlateProgram}), x first dilated by `dilation` (zeros between its entries). x is
 * copied into a zero-padded texture unless every real output's window stays inside it.
 */
function correlate(
  b: MathBackendWebGL,
  x: tf.TensorInfo,
  k: tf.TensorInfo,
  outShape: Shape4,
  stride: readonly [number, number],
  offset: readonly [number, number],
  kernel: { flip: boolean; transposeK: boolean },
  dilation: readonly [number, number] = [1, 1],
): tf.TensorInfo {
  const [N, C, H, W] = x.shape, [, , kh, kw] = k.shape, [, , Ho, Wo] = outShape;
  const [dh, dw] = dilation;
  const rows = band((H - 1) * dh + 1, Ho, 2, kh, stride[0], offset[0]);
  const cols = band((W - 1) * dw + 1, Wo, 2, kw, stride[1], offset[1]);
  const direct = rows.direct && cols.direct && dh === 1 && dw === 1;
  const src = direct ? x : b.runWebGLProgram(
    padProgram(shape4(x), [N, C, rows.padded, cols.padded], [rows.start, cols.start], dilation),
    [x],
    "float32",
  );
  const program = correlateProgram({
    inShape: shape4(src),
    kShape: shape4(k),
    outShape,
    stride,
    skew: [rows.skew, cols.skew],
    ...kernel,
  });
  return run(b, program, [src, k], direct ? [] : [src]);
}

registerConvKernels<MathBackendWebGL>("webgl", {
  backend: webgl2,
  correlate: (b, x, k, a, flip) => {
    const g = geometry(x.shape, k.shape, a);
    return correlate(b, x, k, [g.N, g.F, g.Ho, g.Wo], a.stride, a.pad, { flip, transposeK: false });
  },
  // dX = Σ_f K *full dY with dY spread onto the stride lattice: a stride-1 correlation of the
  // dilated dY with flip(Kᵀ).
  backpropInput: (b, dy, k, a, inputShape) => {
    const [, , kh, kw] = k.shape, [ph, pw] = a.pad;
    return correlate(
      b,
      dy,
      k,
      inputShape as Shape4,
      [1, 1],
      [kh - 1 - ph, kw - 1 - pw],
      { flip: true, transposeK: true },
      a.stride,
    );
  },
  backpropFilter: (b, x, dy, a, kernelShape) => {
    const kShape = kernelShape as Shape4;
    const pads = filterPadding(shape4(x), shape4(dy), kShape, a.stride, a.pad);
    const xp = b.runWebGLProgram(
      padProgram(shape4(x), pads.xShape, [pads.rows.start, pads.cols.start], [1, 1], pads.extent),
      [x],
      "float32",
    );
    const dyp = b.runWebGLProgram(padProgram(shape4(dy), pads.dyShape, [0, 0]), [dy], "float32");
    return run(b, backpropFilterProgram(pads, kShape, a.stride), [xp, dyp], [xp, dyp]);
  },
});
