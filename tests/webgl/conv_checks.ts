/**
 * Checks of the webgl conv kernels that the parity table cannot see, run in Chromium for
 * `webgl_test.ts`: the packed textures they write, values outside every
 * window, leaks, and the refusal of WebGL 1.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { GPGPUProgram, MathBackendWebGL } from "@tensorflow/tfjs";
import {
  filt,
  FILT_BACKPROP_FILTER,
  FILT_BACKPROP_INPUT,
  full,
  setBackend,
  valid,
} from "@convgrad/ops";
import * as R from "@convgrad/ops/reference";
import { errors } from "@convgrad/base/compare";

/** One named check: `ok`, and what was seen when not. */
export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** Every lane of a packed 4-D texture, padding lanes included: [N, C, texels, 4]. */
function lanes(t: tf.Tensor4D): Float32Array {
  const b = tf.backend() as MathBackendWebGL;
  const [N, C, H, W] = t.shape, TW = Math.ceil(W / 2);
  const program: GPGPUProgram = {
    variableNames: ["y"],
    packedInputs: true,
    packedOutput: false,
    outputShape: [N, C, Math.ceil(H / 2) * TW, 4],
    userCode: `
      void main() {
        ivec4 rc = getOutputCoords();
        vec4 v = getY(rc.x, rc.y, 2 * (rc.z / ${TW}), 2 * imod(rc.z, ${TW}));
        setOutput(rc.w == 0 ? v.x : rc.w == 1 ? v.y : rc.w == 2 ? v.z : v.w);
      }
    `,
  };
  const out = b.runWebGLProgram(program, [t], "float32");
  const data = b.readSync(out.dataId) as Float32Array;
  b.disposeIntermediateTensorInfo(out);
  return data;
}

/**
 * Our kernels write packed textures whose lanes past the tensor's edge are 0, like TF.js's own
 * pack program: packed consumers (matMul over an odd shared dimension) add those lanes in.
 */
function paddingLanesAreZero(): CheckResult {
  const x = tf.randomNormal([2, 3, 7, 5], 0, 1, "float32", 1) as tf.Tensor4D;
  const k = tf.randomNormal([3, 3, 3, 3], 0, 1, "float32", 2) as tf.Tensor4D;
  const stride = [2, 1], pad = [1, 0];
  const y = filt(x, k, { stride: [2, 1], pad: [1, 0] }); // [2,3,4,3]: odd width
  const dy = tf.randomNormal(y.shape, 0, 1, "float32", 3);
  const outputs: [string, tf.Tensor4D][] = [
    ["filt", y],
    ["full", full(x, k)],
    [
      "dX",
      tf.engine().runKernel(FILT_BACKPROP_INPUT, { dy, k }, {
        stride,
        pad,
        inputShape: x.shape,
      }) as tf.Tensor4D,
    ],
    [
      "dK",
      tf.engine().runKernel(FILT_BACKPROP_FILTER, { x, dy }, {
        stride,
        pad,
        kernelShape: k.shape,
      }) as tf.Tensor4D,
    ],
  ];
  const bad: string[] = [];
  for (const [name, t] of outputs) {
    const all = lanes(t), values = t.dataSync();
    const [N, C, H, W] = t.shape, TW = Math.ceil(W / 2), texels = Math.ceil(H / 2) * TW;
    let wrong = 0;
    for (let p = 0; p < N * C; p++) {
      for (let i = 0; i < texels; i++) {
        for (let l = 0; l < 4; l++) {
          const r = 2 * Math.floor(i / TW) + (l >> 1), c = 2 * (i % TW) + (l & 1);
          const expected = r < H && c < W ? values[(p * H + r) * W + c] : 0;
          if (all[(p * texels + i) * 4 + l] !== expected) wrong++;
        }
      }
    }
    if (wrong > 0) bad.push(`${name} [${t.shape}]: ${wrong} lanes differ`);
  }
  tf.dispose([x, k, dy, ...outputs.map(([, t]) => t)]);
  return {
    name: "packed outputs have zero padding lanes",
    ok: bad.length === 0,
    detail: bad.join("; "),
  };
}

/**
 * An Inf in input rows no window reaches (the stride skips them) must not reach any output or
 * gradient: the kernels pad and mask by selecting, never by multiplying with 0.
 */
function unreachedValuesStayOut(): CheckResult {
  const cases: {
    shape: R.Array4["shape"];
    row: number;
    stride: [number, number];
    pad: [number, number];
  }[] = [
    { shape: [1, 2, 5, 5], row: 4, stride: [2, 2], pad: [0, 0] },
    { shape: [1, 2, 6, 6], row: 1, stride: [3, 3], pad: [1, 1] },
  ];
  const bad: string[] = [];
  for (const { shape, row, stride, pad } of cases) {
    const [N, C, H, W] = shape;
    const xv = Float64Array.from({ length: N * C * H * W }, (_, i) => Math.sin(i + 1));
    for (let c = 0; c < C; c++) {
      for (let w = 0; w < W; w++) xv[(c * H + row) * W + w] = Infinity;
    }
    const kArr: R.Array4 = {
      data: Float64Array.from({ length: 3 * C * 4 }, (_, i) => Math.cos(i)),
      shape: [3, C, 2, 2],
    };
    const xArr: R.Array4 = { data: xv, shape };
    const y64 = R.filtRef(xArr, kArr, { stride, pad });
    const dy64: R.Array4 = { data: y64.data.map((_, i) => Math.cos(3 * i)), shape: y64.shape };
    const g64 = R.filtGradRef(xArr, kArr, dy64, { stride, pad });
    tf.tidy(() => {
      const x = R.toTensor(xArr), k = R.toTensor(kArr), dy = R.toTensor(dy64);
      const f = (a: tf.Tensor, b: tf.Tensor) =>
        filt(a as tf.Tensor4D, b as tf.Tensor4D, { stride, pad });
      const [, dk] = tf.grads(f)([x, k], dy);
      for (const [name, actual, expected] of [["y", f(x, k), y64], ["dK", dk, g64.dk]] as const) {
        const e = errors(actual, expected.data);
        if (!(e.rel <= 1e-5)) {
          bad.push(`${name} for x[${shape}] Inf row ${row}: rel error ${e.rel}`);
        }
      }
    });
  }
  return {
    name: "values outside every window stay out",
    ok: bad.length === 0,
    detail: bad.join("; "),
  };
}

/** Forward and backward of every op, strided and padded, many times: no tensor or texture left. */
function noLeaks(): CheckResult {
  const x = tf.randomNormal([2, 2, 7, 6], 0, 1, "float32", 4) as tf.Tensor4D;
  const k = tf.randomNormal([3, 2, 3, 2], 0, 1, "float32", 5) as tf.Tensor4D;
  const step = () =>
    tf.tidy(() => {
      const loss = (a: tf.Tensor, b: tf.Tensor) => {
        const [x4, k4] = [a as tf.Tensor4D, b as tf.Tensor4D];
        return filt(x4, k4, { stride: [2, 1], pad: [1, 1] }).sum()
          .add(valid(x4, k4, { stride: 2 }).sum()).add(full(x4, k4).sum());
      };
      tf.grads(loss)([x, k]).forEach((g) => g.dataSync());
    });
  const b = tf.backend() as MathBackendWebGL;
  step();
  const before = [tf.memory().numTensors, b.numDataIds()];
  for (let i = 0; i < 20; i++) step();
  const after = [tf.memory().numTensors, b.numDataIds()];
  tf.dispose([x, k]);
  return {
    name: "20 forward+backward steps leak no tensors or textures",
    ok: before[0] === after[0] && before[1] === after[1],
    detail: `tensors ${before[0]} → ${after[0]}, backend data ${before[1]} → ${after[1]}`,
  };
}

/** The shaders are GLSL ES 3.00: under WebGL 1 the kernels must say so instead of failing to compile. */
function refusesWebGL1(): CheckResult {
  const x = tf.ones([1, 1, 3, 3]) as tf.Tensor4D, k = tf.ones([1, 1, 2, 2]) as tf.Tensor4D;
  const version = tf.env().getNumber("WEBGL_VERSION");
  let detail = "no error";
  try {
    tf.env().set("WEBGL_VERSION", 1);
    filt(x, k).dispose();
  } catch (e) {
    detail = String(e);
  } finally {
    tf.env().set("WEBGL_VERSION", version);
    tf.dispose([x, k]);
  }
  return { name: "WebGL 1 is refused with a clear error", ok: detail.includes("WebGL 2"), detail };
}

/**
 * Runs every check on the webgl backend (which must come up: `setBackend` throws otherwise).
 * Browser only: `webgl_test.ts` calls it through the page `tests/parity/page.ts`.
 */
export async function webglChecks(): Promise<CheckResult[]> {
  await setBackend("webgl");
  return [paddingLanesAreZero(), unreachedValuesStayOut(), noLeaks(), refusesWebGL1()];
}
