/**
 * The backend-parity cases and their runner, shared by Deno (`parity.ts`) and the Chromium page
 * (`page.ts`): every case is run on each backend and compared with the float64 oracles
 * (`reference.ts` of each op folder in `packages/ops/`), forward and every gradient.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  ABC_GRADIENTS,
  abcActivation,
  abcConv2d,
  adamUpdate,
  type BackendName,
  filt,
  full,
  maxPool,
  setBackend,
  valid,
} from "@convgrad/ops";
import * as R from "@convgrad/ops/reference";
import * as A from "@convgrad/ops/abc-reference";
import * as P from "@convgrad/ops/pool-reference";
import { adamRef } from "@convgrad/ops/adam-reference";
import { errors } from "@convgrad/base/compare";
import { textTable } from "@convgrad/base";
import { stockCases } from "./stock_cases.ts";

/**
 * One op on one set of inputs. `oracle` and `run` return the same output names (`y`, `dX`, ...);
 * the oracle is computed once and shared by all backends.
 */
export interface ParityCase {
  /** The op, e.g. `filt`. */
  op: string;
  /** Shapes and options, e.g. `x[2,3,7,6] k[4,3,3,3] s[1,1] p[0,0]`. */
  label: string;
  /** Largest accepted max-abs error relative to the oracle's largest magnitude. */
  tolerance: number;
  /** The expected outputs in float64. */
  oracle(): Record<string, Float64Array>;
  /** The outputs on the active backend; the runner disposes them. */
  run(): Record<string, tf.Tensor>;
}

/** One line of the parity table. */
export interface ParityRow {
  /** Op and output: `filt`, `filt dX`, `filt dK`. */
  op: string;
  case: string;
  /** Where it ran: `deno/wasm`, `chromium/webgl`, ... */
  backend: string;
  abs: number;
  rel: number;
  pass: boolean;
}

type Shape = [number, number, number, number];

/** Deterministic values in [-1, 1): an LCG, so every backend and both runtimes see the same data. */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const f64 = (data: Float32Array, shape: Shape): R.Array4 => ({
  data: Float64Array.from(data),
  shape,
});

interface ConvShape {
  x: Shape;
  k: Shape;
  stride?: [number, number];
  pad?: [number, number];
  /** Relative tolerance against the oracle; 1e-5 unless set. */
  tolerance?: number;
}

/**
 * Small shapes (WebGL runs on SwiftShader in CI) chosen for the edges of each kernel: odd sizes
 * (half-filled packed texels), strides that skip input rows, odd and over-large padding, 1x1 and
 * image-sized kernels, the MNIST 7x7 layer, and enough channels for real sums. The last one takes
 * wasm's Winograd F(4x4, 3x3) backward path, whose float32 rounding is a few times larger.
 */
const CONV_SHAPES: ConvShape[] = [
  { x: [2, 3, 7, 6], k: [4, 3, 3, 3] },
  { x: [2, 2, 8, 7], k: [3, 2, 3, 2], stride: [2, 2], pad: [1, 1] },
  { x: [1, 3, 9, 8], k: [2, 3, 3, 3], stride: [2, 3], pad: [2, 0] },
  { x: [3, 1, 6, 6], k: [2, 1, 1, 1] },
  { x: [1, 2, 5, 5], k: [2, 2, 5, 5], pad: [1, 2] },
  { x: [2, 2, 6, 5], k: [3, 2, 3, 3], pad: [4, 1] },
  { x: [2, 1, 14, 14], k: [4, 1, 7, 7], stride: [3, 3], pad: [3, 3] },
  { x: [4, 8, 12, 12], k: [8, 8, 3, 3], pad: [1, 1] },
  { x: [16, 32, 10, 9], k: [16, 32, 3, 3], pad: [1, 0], tolerance: 2e-5 },
];

type Op = (x: tf.Tensor4D, k: tf.Tensor4D, o: R.RefOptions) => tf.Tensor4D;
type GradRef = (
  x: R.Array4,
  k: R.Array4,
  dy: R.Array4,
  o: R.RefOptions,
) => { dx: R.Array4; dk: R.Array4 };

const CONV_OPS: { op: string; strided: boolean; f: Op; ref: typeof R.filtRef; grad: GradRef }[] = [
  { op: "filt", strided: true, f: filt, ref: R.filtRef, grad: R.filtGradRef },
  { op: "valid", strided: true, f: valid, ref: R.validRef, grad: R.validGradRef },
  {
    op: "full",
    strided: false,
    f: (x, k) => full(x, k),
    ref: (x, k) => R.fullRef(x, k),
    grad: (x, k, dy) => R.fullGradRef(x, k, dy),
  },
];

/** filt, valid and full on every shape (full takes no stride or padding, so fewer shapes). */
function convCases(): ParityCase[] {
  const cases: ParityCase[] = [];
  for (const { op, strided, f, ref, grad } of CONV_OPS) {
    const seen = new Set<string>();
    CONV_SHAPES.forEach((s, i) => {
      const opts: R.RefOptions = strided ? { stride: s.stride, pad: s.pad } : {};
      const label = `x[${s.x}] k[${s.k}]` +
        (strided ? ` s[${s.stride ?? [1, 1]}] p[${s.pad ?? [0, 0]}]` : "");
      if (seen.has(label)) return;
      seen.add(label);
      const x = values(size(s.x), 10 * i + 1), k = values(size(s.k), 10 * i + 2);
      const yShape = ref(f64(x, s.x), f64(k, s.k), opts).shape;
      const dy = values(size(yShape), 10 * i + 3);
      cases.push({
        op,
        label,
        tolerance: s.tolerance ?? 1e-5,
        oracle: () => {
          const X = f64(x, s.x), K = f64(k, s.k);
          const g = grad(X, K, f64(dy, yShape), opts);
          return { y: ref(X, K, opts).data, dX: g.dx.data, dK: g.dk.data };
        },
        run: () => {
          const xt = tf.tensor4d(x, s.x), kt = tf.tensor4d(k, s.k);
          const [dX, dK] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            f(a as tf.Tensor4D, b as tf.Tensor4D, opts)
          )(
            [xt, kt],
            tf.tensor4d(dy, yShape),
          );
          return { y: f(xt, kt, opts), dX, dK };
        },
      });
    });
  }
  return cases;
}

/**
 * The ABC-Net binarized conv under each gradient rule (y, dX, dW; M = 1, 3, 5, stride 2, pad 1,
 * and a rank-deficient M = 8 on a tiny kernel whose bases coincide) and its activation bases
 * (y, dR, dv, dβ, with R + v landing exactly on 0, 0.5 and 1). Oracle: the float64 ABC reference
 * (`packages/ops/abc/reference.ts`) composed with the conv reference.
 */
function abcCases(): ParityCase[] {
  const cases: ParityCase[] = [];
  const shapes: { x: Shape; w: Shape; M: number; opts: R.RefOptions }[] = [
    ...[1, 3, 5].map((M) => ({
      x: [2, 2, 9, 8] as Shape,
      w: [3, 2, 3, 3] as Shape,
      M,
      opts: { stride: [2, 2], pad: [1, 1] } as R.RefOptions,
    })),
    { x: [1, 2, 4, 4], w: [1, 2, 2, 2], M: 8, opts: {} },
  ];
  for (const gradient of ABC_GRADIENTS) {
    shapes.forEach((s, i) => {
      const x = values(size(s.x), 100 + i), w = values(size(s.w), 200 + i);
      const what = A.abcWeightsRef(w, s.M);
      const yShape = R.filtRef(f64(x, s.x), { data: what, shape: s.w }, s.opts).shape;
      const dy = values(size(yShape), 300 + i);
      cases.push({
        op: `abcConv2d ${gradient}`,
        label: `x[${s.x}] w[${s.w}] M=${s.M} s[${s.opts.stride ?? [1, 1]}] p[${
          s.opts.pad ?? [0, 0]
        }]`,
        tolerance: 1e-5,
        oracle: () => {
          const X = f64(x, s.x), W = { data: what, shape: s.w };
          const g = R.filtGradRef(X, W, f64(dy, yShape), s.opts);
          const dW = A.abcWeightGradRef(w, g.dk.data, s.M, gradient);
          return { y: R.filtRef(X, W, s.opts).data, dX: g.dx.data, dW };
        },
        run: () => {
          const xt = tf.tensor4d(x, s.x), wt = tf.tensor4d(w, s.w);
          const opts = { M: s.M, gradient, ...s.opts };
          const [dX, dW] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            abcConv2d(a as tf.Tensor4D, b as tf.Tensor4D, opts)
          )([xt, wt], tf.tensor4d(dy, yShape));
          return { y: abcConv2d(xt, wt, opts), dX, dW };
        },
      });
    });
  }
  // R + v on the clip range's ends and on the threshold: 0.25 + (−0.25) = 0, 0.75 + (−0.25) = 0.5.
  const r = Float32Array.from([...values(40, 400), 0.25, 0.75, 1.25, -0.5]);
  const v = Float32Array.of(-0.25, 0, 0.25), beta = Float32Array.of(0.5, 1.5, -0.75);
  const dy = values(r.length, 401);
  cases.push({
    op: "abcActivation",
    label: `r[${r.length}] N=3`,
    tolerance: 1e-5,
    oracle: () => {
      const g = A.abcActivationGradRef(r, v, beta, dy);
      return { y: A.abcActivationRef(r, v, beta), dR: g.dr, dv: g.dv, dbeta: g.dbeta };
    },
    run: () => {
      const rt = tf.tensor1d(r), vt = tf.tensor1d(v), bt = tf.tensor1d(beta);
      const [dR, dv, dbeta] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        abcActivation(a, b as tf.Tensor1D, c as tf.Tensor1D)
      )([rt, vt, bt], tf.tensor1d(dy));
      return { y: abcActivation(rt, vt, bt), dR, dv, dbeta };
    },
  });
  return cases;
}

/**
 * maxPool (y, dX): 2x2 windows, which wasm runs with SIMD four at a time (Wo of 11 overlaps a
 * row's last step), leftover rows and columns no window covers, 3x3 and 1x1 windows, and the
 * MNIST CNN's pooling layer. The LCG's values have no ties, so the first maximum is the maximum.
 */
function poolCases(): ParityCase[] {
  const shapes: [Shape, number][] = [
    [[2, 3, 9, 8], 2],
    [[1, 2, 10, 22], 2],
    [[1, 2, 7, 7], 3],
    [[1, 1, 4, 4], 1],
    [[2, 32, 22, 22], 2],
  ];
  return shapes.map(([shape, k], i) => {
    const x = values(size(shape), 500 + i);
    const yShape = P.maxPoolRef(f64(x, shape), k).shape;
    const dy = values(size(yShape), 600 + i);
    return {
      op: "maxPool",
      label: `x[${shape}] k=${k}`,
      tolerance: 0,
      oracle: () => ({
        y: P.maxPoolRef(f64(x, shape), k).data,
        dX: P.maxPoolGradRef(f64(x, shape), f64(dy, yShape), k).data,
      }),
      run: () => {
        const xt = tf.tensor4d(x, shape);
        const dX = tf.grad((a: tf.Tensor) => maxPool(a as tf.Tensor4D, k))(
          xt,
          tf.tensor4d(dy, yShape),
        );
        return { y: maxPool(xt, k), dX };
      },
    };
  });
}

/**
 * The fused Adam step (x', m', v') at step 1 and step 50, on 1031 values (SIMD lanes and a scalar
 * tail); the backends without the fused kernel (webgl) run the stock optimizer's kernels.
 */
function adamCases(): ParityCase[] {
  const f64s = (a: Float32Array) => Float64Array.from(a);
  return [1, 50].map((t, i) => {
    const n = 1031, [x, m, g] = [0, 1, 2].map((j) => values(n, 700 + 10 * i + j));
    const v = values(n, 703 + 10 * i).map(Math.abs);
    const opts = {
      learningRate: 1e-3,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-7,
      accBeta1: 0.9 ** t,
      accBeta2: 0.999 ** t,
    };
    return {
      op: "adamUpdate",
      label: `n=${n} t=${t}`,
      tolerance: 1e-5,
      oracle: () => {
        const r = adamRef(f64s(x), f64s(m), f64s(v), f64s(g), opts);
        return { "x'": r.x, "m'": r.m, "v'": r.v };
      },
      run: () => {
        const [x1, m1, v1] = adamUpdate(
          tf.tensor1d(x),
          tf.tensor1d(m),
          tf.tensor1d(v),
          tf.tensor1d(g),
          opts,
        );
        return { "x'": x1, "m'": m1, "v'": v1 };
      },
    };
  });
}

/**
 * Every parity case. An op family that gains kernels (the ABC-Net binarized conv, for one) adds
 * its case list here, and runs on every backend in Deno and Chromium from then on.
 *
 * @example
 * ```ts
 * import { parityCases } from "./cases.ts";
 * console.log(parityCases().length);
 * ```
 */
export function parityCases(): ParityCase[] {
  return [...convCases(), ...abcCases(), ...poolCases(), ...adamCases(), ...stockCases()];
}

/**
 * Runs `cases` on each backend (activated with the ops' `setBackend`, which throws if a backend
 * does not come up) and compares with the oracle. `where` prefixes the backend column.
 *
 * @example
 * ```ts
 * import { parityCases, runParity } from "./cases.ts";
 * const rows = await runParity(["cpu"], "deno", parityCases());
 * console.log(rows.every((r) => r.pass));
 * ```
 */
export async function runParity(
  backends: readonly BackendName[],
  where: string,
  cases: readonly ParityCase[] = parityCases(),
  onProgress: (line: string) => void = () => {},
): Promise<ParityRow[]> {
  const oracles = cases.map((c) => c.oracle());
  const rows: ParityRow[] = [];
  for (const backend of backends) {
    await setBackend(backend);
    if (tf.getBackend() !== backend) {
      throw new Error(`parity: asked for '${backend}', TF.js runs '${tf.getBackend()}'`);
    }
    const t0 = performance.now();
    cases.forEach((c, i) => {
      tf.tidy(() => {
        const out = c.run();
        for (const [name, expected] of Object.entries(oracles[i])) {
          const actual = out[name];
          if (actual === undefined) throw new Error(`parity: ${c.op} ${c.label} has no '${name}'`);
          const e = errors(actual, expected);
          rows.push({
            op: name === "y" ? c.op : `${c.op} ${name}`,
            case: c.label,
            backend: `${where}/${backend}`,
            abs: e.abs,
            rel: e.rel,
            pass: e.rel <= c.tolerance,
          });
        }
      });
    });
    onProgress(
      `parity: ${where}/${backend}: ${cases.length} cases in ${
        ((performance.now() - t0) / 1000).toFixed(1)
      } s`,
    );
  }
  return rows;
}

/**
 * The table printed by `deno task parity`: op, case, backend, max abs error, max rel error,
 * pass/fail.
 *
 * @example
 * ```ts
 * import { formatTable } from "./cases.ts";
 * console.log(formatTable([
 *   { op: "filt", case: "x[1,1,3,3] k[1,1,2,2]", backend: "deno/cpu", abs: 0, rel: 0, pass: true },
 * ]));
 * ```
 */
export function formatTable(rows: readonly ParityRow[]): string {
  const head = ["op", "case", "backend", "max abs err", "max rel err", "result"];
  const body = rows.map((r) => [
    r.op,
    r.case,
    r.backend,
    r.abs.toExponential(2),
    r.rel.toExponential(2),
    r.pass ? "pass" : "FAIL",
  ]);
  return textTable(head, body);
}
