/**
 * `maxPool`'s kernels on TF.js's `webgl` backend, as our own GPGPU programs: the forward window
 * maxima and the backward routing of dY to each window's first maximum, with the same tie rule
 * as the cpu and wasm kernels (`kernels_cpu.ts`, `max_pool.wat`), so all backends agree bit for bit.
 *
 * The programs read and write unpacked textures (one value per texel): each output compares
 * single values, so packing would save no fetches, and `runWebGLProgram` unpacks a packed input
 * (the conv kernels' output) by itself. The window size is baked into the shader, so its loops
 * unroll.
 *
 * Importing this module registers the kernels (harmless where WebGL is absent).
 *
 * @module
 */
import type { GPGPUProgram, MathBackendWebGL } from "@tensorflow/tfjs";
import { input, registerKernelOnce } from "../register.ts";
import { pooledShape } from "./geometry.ts";
import { MAX_POOL, MAX_POOL_BACKPROP } from "./kernel_names.ts";

/**
 * GLSL that finds the first maximum of the k×k window at (i, j) of plane (n, c): `best` its
 * value, (`bp`, `bq`) its offset in the window. Strict `>` keeps the first of equal values in
 * row-major order, as the cpu loop does.
 */
function argmaxCode(k: number): string {
  return `
    int r0 = i * ${k}, c0 = j * ${k};
    float best = getX(n, c, r0, c0);
    int bp = 0, bq = 0;
    for (int p = 0; p < ${k}; p++) {
      for (int q = 0; q < ${k}; q++) {
        float v = getX(n, c, r0 + p, c0 + q);
        if (v > best) {
          best = v;
          bp = p;
          bq = q;
        }
      }
    }`;
}

/**
 * y[n,c,i,j] = max over x[n,c,i·k+p,j·k+q], p, q < k: `[N,C,H,W]` → `[N,C,⌊H/k⌋,⌊W/k⌋]`.
 */
function maxPoolProgram(xShape: readonly number[], k: number): GPGPUProgram {
  return {
    variableNames: ["x"],
    outputShape: pooledShape(xShape, k),
    userCode: `
      void main() {
        ivec4 rc = getOutputCoords();
        int n = rc.x, c = rc.y, i = rc.z, j = rc.w;
        ${argmaxCode(k)}
        setOutput(best);
      }
    `,
  };
}

/**
 * dx[n,c,h,w] = dy[n,c,h/k,w/k] where (h, w) is the first maximum of its window, else 0 (also in
 * the rows and columns no window covers): `[N,C,H,W]` from x and dy `[N,C,⌊H/k⌋,⌊W/k⌋]`.
 */
function maxPoolBackpropProgram(xShape: readonly number[], k: number): GPGPUProgram {
  const [, , Ho, Wo] = pooledShape(xShape, k);
  return {
    variableNames: ["x", "dy"],
    outputShape: [...xShape],
    userCode: `
      void main() {
        ivec4 rc = getOutputCoords();
        int n = rc.x, c = rc.y, i = rc.z / ${k}, j = rc.w / ${k};
        if (i >= ${Ho} || j >= ${Wo}) {
          setOutput(0.0);
          return;
        }
        ${argmaxCode(k)}
        bool first = rc.z == r0 + bp && rc.w == c0 + bq;
        setOutput(first ? getDy(n, c, i, j) : 0.0);
      }
    `,
  };
}

registerKernelOnce({
  kernelName: MAX_POOL,
  backendName: "webgl",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const x = input(inputs, "x");
    const program = maxPoolProgram(x.shape, attrs!.size as number);
    return (backend as MathBackendWebGL).runWebGLProgram(program, [x], "float32");
  },
});

registerKernelOnce({
  kernelName: MAX_POOL_BACKPROP,
  backendName: "webgl",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const x = input(inputs, "x"), dy = input(inputs, "dy");
    const program = maxPoolBackpropProgram(x.shape, attrs!.size as number);
    return (backend as MathBackendWebGL).runWebGLProgram(program, [x, dy], "float32");
  },
});
