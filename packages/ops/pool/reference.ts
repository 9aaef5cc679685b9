/**
 * The float64 oracle of max-pooling: window maxima and their gradient as plain loops from the
 * definition, independent of the kernels' code. Slow on purpose; every max-pool kernel is tested
 * against it.
 *
 * @module
 */
import { type Array4, zeros4 } from "../conv/reference.ts";

/** The flat index in x of the first maximum (row-major) of each k×k window, in output order. */
function firstMaxima(x: Array4, k: number): { at: number[]; shape: Array4["shape"] } {
  const fits = Math.min(x.shape[2], x.shape[3]);
  if (!Number.isInteger(k) || k < 1 || k > fits) {
    throw new RangeError(
      `maxPoolRef: k must be an integer from 1 to ${fits} (x [${x.shape}]), got ${k}`,
    );
  }
  const [N, C, H, W] = x.shape, Ho = Math.floor(H / k), Wo = Math.floor(W / k);
  const at: number[] = [];
  for (let plane = 0; plane < N * C; plane++) {
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++) {
        let best = -1;
        for (let p = 0; p < k; p++) {
          for (let q = 0; q < k; q++) {
            const e = (plane * H + i * k + p) * W + j * k + q;
            if (best < 0 || x.data[e] > x.data[best]) best = e;
          }
        }
        at.push(best);
      }
    }
  }
  return { at, shape: [N, C, Ho, Wo] };
}

/**
 * `y[n,c,i,j] = max_{p,q<k} x[n,c,i·k+p,j·k+q]`; rows and columns that fill no window are dropped.
 *
 * @example
 * ```ts
 * import { maxPoolRef } from "@convgrad/ops/pool-reference";
 * maxPoolRef({ data: Float64Array.of(1, 5, 3, 2), shape: [1, 1, 2, 2] }, 2).data; // [5]
 * ```
 */
export function maxPoolRef(x: Array4, k: number): Array4 {
  const { at, shape } = firstMaxima(x, k);
  return { data: Float64Array.from(at, (e) => x.data[e]), shape };
}

/**
 * The gradient of {@linkcode maxPoolRef}: `dx` is `dy[n,c,i,j]` at the first maximum of window
 * (i, j), zero elsewhere.
 *
 * @example
 * ```ts
 * import { maxPoolGradRef } from "@convgrad/ops/pool-reference";
 * const x = { data: Float64Array.of(1, 5, 5, 2), shape: [1, 1, 2, 2] as [1, 1, 2, 2] };
 * const dy = { data: Float64Array.of(3), shape: [1, 1, 1, 1] as [1, 1, 1, 1] };
 * maxPoolGradRef(x, dy, 2).data; // [0, 3, 0, 0]
 * ```
 */
export function maxPoolGradRef(x: Array4, dy: Array4, k: number): Array4 {
  const { at, shape } = firstMaxima(x, k);
  if (dy.shape.join() !== shape.join()) {
    throw new RangeError(`maxPoolGradRef: dy must have shape [${shape}], got [${dy.shape}]`);
  }
  const dx = zeros4(x.shape);
  at.forEach((e, o) => dx.data[e] += dy.data[o]);
  return dx;
}
