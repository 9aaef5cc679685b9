/**
 * Checks of the webgl `maxPool` kernels, run in Chromium for `webgl_test.ts`: `maxPool` and its
 * gradient on webgl against the cpu kernels, which `max_pool_test.ts` checks against a loop oracle.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { MathBackendWebGL } from "@tensorflow/tfjs";
import { filt, maxPool, setBackend } from "@convgrad/ops";
import type { CheckResult } from "./conv_checks.ts";

/** Shapes `[N,C,H,W]` and window sizes: odd sizes leave rows and columns no window covers. */
const CASES: [number[], number][] = [
  [[2, 3, 9, 8], 2],
  [[1, 2, 7, 7], 3],
  [[1, 1, 4, 4], 1],
  [[1, 32, 22, 22], 2], // the MNIST CNN's pooling layer
];

/** Half-integers in [−4, 4] from a fixed seed: many ties within a window, many negative windows. */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.round((s / 2 ** 32) * 16 - 8) / 2;
  });
}

/** y and dx on the active backend; `packed` first copies x through a conv (packed texture). */
function run(x: Float32Array, dy: Float32Array, shape: number[], k: number, packed: boolean) {
  return tf.tidy(() => {
    let xt = tf.tensor4d(x, shape as [number, number, number, number]);
    if (packed) {
      const C = shape[1];
      xt = filt(xt, tf.eye(C).reshape([C, C, 1, 1]) as tf.Tensor4D); // exact copy: x·1 + 0
    }
    const dyt = tf.tensor(dy, [
      shape[0],
      shape[1],
      Math.floor(shape[2] / k),
      Math.floor(shape[3] / k),
    ]);
    const y = maxPool(xt, k);
    const dx = tf.grad((t: tf.Tensor) => maxPool(t as tf.Tensor4D, k).mul(dyt).sum())(xt);
    return { y: y.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array };
  });
}

/** Indices where a and b differ (bit for bit, so -0 and 0 count as equal). */
function differing(a: Float32Array, b: Float32Array): number {
  let n = a.length === b.length ? 0 : Math.max(a.length, b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) n++;
  return n;
}

/** webgl against cpu on every case, with unpacked and packed inputs. */
async function matchesCpu(): Promise<CheckResult> {
  const data = CASES.map(([shape, k], i) => {
    const [N, C, H, W] = shape;
    return {
      x: values(N * C * H * W, 2 * i + 1),
      dy: values(N * C * Math.floor(H / k) * Math.floor(W / k), 2 * i + 2),
    };
  });
  await setBackend("cpu");
  const expected = CASES.map(([shape, k], i) => run(data[i].x, data[i].dy, shape, k, false));
  await setBackend("webgl");
  const bad: string[] = [];
  CASES.forEach(([shape, k], i) => {
    for (const packed of [false, true]) {
      const got = run(data[i].x, data[i].dy, shape, k, packed);
      for (const name of ["y", "dx"] as const) {
        const n = differing(got[name], expected[i][name]);
        if (n > 0) bad.push(`${name} x[${shape}] k=${k}${packed ? " packed" : ""}: ${n} differ`);
      }
    }
  });
  return {
    name: "maxPool and its gradient on webgl equal the cpu kernels",
    ok: bad.length === 0,
    detail: bad.join("; "),
  };
}

/** Forward and backward many times: no tensor or texture left behind. */
async function noLeaks(): Promise<CheckResult> {
  await setBackend("webgl");
  const x = tf.randomNormal([2, 3, 7, 6], 0, 1, "float32", 7) as tf.Tensor4D;
  const step = () =>
    tf.tidy(() => void tf.grad((t: tf.Tensor) => maxPool(t as tf.Tensor4D, 2).sum())(x).dataSync());
  const b = tf.backend() as MathBackendWebGL;
  step();
  const before = [tf.memory().numTensors, b.numDataIds()];
  for (let i = 0; i < 20; i++) step();
  const after = [tf.memory().numTensors, b.numDataIds()];
  x.dispose();
  return {
    name: "20 forward+backward steps leak no tensors or textures",
    ok: before[0] === after[0] && before[1] === after[1],
    detail: `tensors ${before[0]} → ${after[0]}, backend data ${before[1]} → ${after[1]}`,
  };
}

/**
 * Runs the pooling checks on the webgl backend. Browser only: `webgl_test.ts` calls it through
 * the page `tests/parity/page.ts`.
 */
export async function poolChecks(): Promise<CheckResult[]> {
  return [await matchesCpu(), await noLeaks()];
}
