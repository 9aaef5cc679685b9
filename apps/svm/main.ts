/**
 * `deno task svm`: kernel SVMs (docs/svm-dual.md) on our toy data sets — linearly separable blobs,
 * overlapping blobs, XOR and circles with an rbf kernel, a polynomial case — trained with the
 * quadprog dual and checked against SMO; prints test accuracy and writes one decision-boundary
 * PNG (and SVG) per data set: the regions filled by f(x), the contours f = 0 and f = ±1, support
 * vectors circled.
 *
 *   deno task svm [--out DIR] [--n N]
 *   deno task svm --mnist [--train N] [--out DIR]    (see mnist.ts)
 *
 * @module
 */
import { parseArgs } from "node:util";
import { commandArgs, createRng, intFlag, runMain } from "@convgrad/base";
import { savePlot } from "@convgrad/plot";
import { type FitOptions, fitSVM, type SVMModel } from "@convgrad/svm";
import { runMnist } from "./mnist.ts";

type Points = { X: number[][]; y: number[] };

/** The toy sets, seeded: each returns `n` points in 2-D with labels ±1. */
export const DATASETS: Record<
  string,
  { make: (n: number, seed: number) => Points; fit: FitOptions }
> = {
  "separable blobs": { make: (n, s) => blobs(n, s, 2.5, 0.6), fit: { kernel: "linear", C: 10 } },
  "overlapping blobs": { make: (n, s) => blobs(n, s, 1, 1), fit: { kernel: "linear", C: 1 } },
  "xor": { make: xor, fit: { kernel: "rbf", gamma: 1, C: 10 } },
  "circles": { make: circles, fit: { kernel: "rbf", gamma: 2, C: 1 } },
  "poly (parabola)": {
    make: parabola,
    fit: { kernel: "poly", degree: 2, gamma: 1, coef0: 1, C: 1 },
  },
};

function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
}

function blobs(n: number, seed: number, gap: number, sd: number): Points {
  const rand = createRng(seed), X: number[][] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2 ? 1 : -1;
    X.push([c * gap / 2 + sd * normal(rand), c * gap / 2 + sd * normal(rand)]);
    y.push(c);
  }
  return { X, y };
}

function xor(n: number, seed: number): Points {
  const rand = createRng(seed), X: number[][] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = [2 * rand() - 1, 2 * rand() - 1];
    X.push(p);
    y.push(p[0] * p[1] >= 0 ? 1 : -1);
  }
  return { X, y };
}

function circles(n: number, seed: number): Points {
  const rand = createRng(seed), X: number[][] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2 ? 1 : -1,
      r = (c === 1 ? 0.5 : 1) + 0.1 * normal(rand),
      t = 2 * Math.PI * rand();
    X.push([r * Math.cos(t), r * Math.sin(t)]);
    y.push(c);
  }
  return { X, y };
}

function parabola(n: number, seed: number): Points {
  const rand = createRng(seed), X: number[][] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = [2 * rand() - 1, 2 * rand() - 1];
    X.push(p);
    y.push(p[1] > p[0] * p[0] - 0.4 + 0.1 * normal(rand) ? 1 : -1);
  }
  return { X, y };
}

/** Segments where the grid function crosses `level` (marching squares, one cell at a time). */
export function contour(
  f: Float64Array,
  xs: number[],
  ys: number[],
  level: number,
): { x: number; y: number; x2: number; y2: number }[] {
  const nx = xs.length, out: { x: number; y: number; x2: number; y2: number }[] = [];
  const v = (i: number, j: number) => f[j * nx + i] - level;
  for (let j = 0; j + 1 < ys.length; j++) {
    for (let i = 0; i + 1 < nx; i++) {
      const corners: [number, number, number][] = [
        [xs[i], ys[j], v(i, j)],
        [xs[i + 1], ys[j], v(i + 1, j)],
        [xs[i + 1], ys[j + 1], v(i + 1, j + 1)],
        [xs[i], ys[j + 1], v(i, j + 1)],
      ];
      const hits: [number, number][] = [];
      for (let e = 0; e < 4; e++) {
        const [x1, y1, a] = corners[e], [x2, y2, b] = corners[(e + 1) % 4];
        if ((a < 0) !== (b < 0)) {
          const t = a / (a - b);
          hits.push([x1 + t * (x2 - x1), y1 + t * (y2 - y1)]);
        }
      }
      for (let h = 0; h + 1 < hits.length; h += 2) {
        out.push({ x: hits[h][0], y: hits[h][1], x2: hits[h + 1][0], y2: hits[h + 1][1] });
      }
    }
  }
  return out;
}

/** The decision-boundary chart (Vega-Lite) of `model` over the box around `X`. */
export function boundaryPlot(
  title: string,
  model: SVMModel,
  { X, y }: Points,
): Record<string, unknown> {
  const lo = [0, 1].map((d) => Math.min(...X.map((p) => p[d])) - 0.3);
  const hi = [0, 1].map((d) => Math.max(...X.map((p) => p[d])) + 0.3);
  const G = 70, xs = [...Array(G).keys()].map((i) => lo[0] + (hi[0] - lo[0]) * i / (G - 1));
  const ys = [...Array(G).keys()].map((j) => lo[1] + (hi[1] - lo[1]) * j / (G - 1));
  const f = model.decision(ys.flatMap((yv) => xs.map((xv) => [xv, yv])));
  const dx = (hi[0] - lo[0]) / (G - 1), dy = (hi[1] - lo[1]) / (G - 1);
  // Opaque cells, each a little wider than its pitch: neighbours overlap, so no anti-aliased
  // seams show between them.
  const cells = ys.flatMap((yv, j) =>
    xs.map((xv, i) => ({
      x: xv - 0.56 * dx,
      x2: xv + 0.56 * dx,
      y: yv - 0.56 * dy,
      y2: yv + 0.56 * dy,
      f: Math.max(-2, Math.min(2, f[j * G + i])),
    }))
  );
  const lines = [-1, 0, 1].flatMap((level) =>
    contour(f, xs, ys, level).map((s) => ({ ...s, level: level === 0 ? "f = 0" : "f = ±1" }))
  );
  const points = X.map((p, i) => ({ x: p[0], y: p[1], class: y[i] > 0 ? "+1" : "−1" }));
  const sv = model.supportIndices.map((i) => ({ x: X[i][0], y: X[i][1] }));
  const scale = (d: number) => ({ domain: [lo[d], hi[d]], nice: false, zero: false });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    width: 420,
    height: 420,
    config: { axis: { grid: false } },
    layer: [
      {
        data: { values: cells },
        mark: { type: "rect", clip: true },
        encoding: {
          x: { field: "x", type: "quantitative", scale: scale(0), title: "x₀" },
          x2: { field: "x2" },
          y: { field: "y", type: "quantitative", scale: scale(1), title: "x₁" },
          y2: { field: "y2" },
          color: {
            field: "f",
            type: "quantitative",
            // A pale diverging ramp, so that the points and contours stay legible on it.
            scale: {
              domain: [-2, 0, 2],
              range: ["#e7898b", "#f7f7f7", "#8fb6dc"],
              interpolate: "rgb",
            },
            title: "f(x)",
          },
        },
      },
      {
        data: { values: lines },
        mark: { type: "rule", color: "black", strokeWidth: 1.6 },
        encoding: {
          x: { field: "x", type: "quantitative" },
          y: { field: "y", type: "quantitative" },
          x2: { field: "x2" },
          y2: { field: "y2" },
          strokeDash: {
            field: "level",
            type: "nominal",
            scale: { domain: ["f = 0", "f = ±1"], range: [[1, 0], [5, 3]] },
          },
        },
      },
      {
        data: { values: points },
        mark: { type: "point", filled: true, size: 25 },
        encoding: {
          x: { field: "x", type: "quantitative" },
          y: { field: "y", type: "quantitative" },
          shape: { field: "class", type: "nominal", title: "class" },
          color: { value: "black" },
        },
      },
      {
        data: { values: sv },
        mark: { type: "point", size: 140, color: "black", strokeWidth: 1.2 },
        encoding: {
          x: { field: "x", type: "quantitative" },
          y: { field: "y", type: "quantitative" },
        },
      },
    ],
  };
}

async function main(): Promise<void> {
  const { values: f } = parseArgs({
    args: commandArgs(),
    options: {
      out: { type: "string", default: "runs/svm" },
      n: { type: "string", default: "200" },
      mnist: { type: "boolean", default: false },
      train: { type: "string", default: "10000" },
    },
  });
  if (f.mnist) {
    await runMnist(intFlag("train", f.train, 45), f.out);
    return;
  }
  const n = intFlag("n", f.n, 10);
  console.log(
    "data set           | kernel | train acc | test acc | support vectors | |Δ dual| quadprog vs smo",
  );
  for (const [name, { make, fit }] of Object.entries(DATASETS)) {
    const train = make(n, 1), test = make(n, 2);
    const model = fitSVM(train.X, train.y, { ...fit, solver: "quadprog" });
    const check = fitSVM(train.X, train.y, { ...fit, solver: "smo", tol: 1e-6 });
    const acc = (m: SVMModel, d: Points) =>
      m.predict(d.X).filter((p, i) => p === d.y[i]).length / d.y.length;
    const gap = Math.abs(model.dualObjective - check.dualObjective) / Math.abs(check.dualObjective);
    console.log(
      `${name.padEnd(18)} | ${String(fit.kernel).padEnd(6)} | ${
        acc(model, train).toFixed(3)
      }     | ` +
        `${acc(model, test).toFixed(3)}    | ${String(model.supportIndices.length).padEnd(15)} | ` +
        gap.toExponential(1),
    );
    const file = `${f.out}/${name.replace(/[^a-z]+/g, "-").replace(/-$/, "")}`;
    const title = `${name}: ${fit.kernel} kernel, C = ${fit.C}, test accuracy ${
      acc(model, test).toFixed(3)
    }`;
    await savePlot(file, boundaryPlot(title, model, train));
  }
  console.log(`wrote decision-boundary plots (.png, .svg) to ${f.out}/`);
}

if (import.meta.main) await runMain("svm", main);
