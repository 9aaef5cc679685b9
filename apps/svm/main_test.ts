import { assert, assertEquals } from "@convgrad/base/testing";
import { fitSVM } from "@convgrad/svm";
import { renderVega } from "@convgrad/plot";
import { boundaryPlot, contour, DATASETS } from "./main.ts";
import { confusion, confusionPlot, pixelRows } from "./mnist.ts";

Deno.test("contour: the zero line of f(x, y) = x − 0.25 is the vertical x = 0.25", () => {
  const xs = [0, 0.5, 1], ys = [0, 1, 2];
  const f = Float64Array.from(ys.flatMap(() => xs.map((x) => x - 0.25)));
  const segs = contour(f, xs, ys, 0);
  assertEquals(segs.length, 2); // one per row of cells
  for (const s of segs) assertEquals([s.x, s.x2], [0.25, 0.25]);
  assertEquals(contour(f, xs, ys, 5), []); // a level the function never reaches
});

Deno.test("every toy set trains, and its decision-boundary chart renders", async () => {
  for (const [name, { make, fit }] of Object.entries(DATASETS)) {
    const d = make(60, 1), m = fitSVM(d.X, d.y, fit);
    const acc = m.predict(d.X).filter((p, i) => p === d.y[i]).length / 60;
    assert(acc > (name.startsWith("overlapping") ? 0.6 : 0.85), `${name}: train accuracy ${acc}`);
    const { svg } = await renderVega(boundaryPlot(name, m, d), { scale: 1 });
    assert(svg.includes(name), `${name}: chart has no title`);
  }
});

Deno.test("MNIST helpers: confusion counts by hand, the heat map renders, pixel rows are copies", async () => {
  const counts = confusion([0, 1, 2, 2, 1], [0, 2, 2, 2, 1], 3);
  assertEquals(Array.from(counts), [1, 0, 0, 0, 1, 1, 0, 0, 2]);
  const { svg } = await renderVega(confusionPlot(counts, 3, "three classes"), { scale: 1 });
  assert(svg.includes("three classes"), "chart has no title");
  const images = Float32Array.from({ length: 12 }, (_, i) => i / 16);
  const rows = pixelRows(images, 1, 3, 4);
  assertEquals(rows.map((r) => Array.from(r)), [[0.25, 0.3125, 0.375, 0.4375], [
    0.5,
    0.5625,
    0.625,
    0.6875,
  ]]);
});
