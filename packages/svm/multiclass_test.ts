import { assert, assertEquals, assertThrows } from "@convgrad/base/testing";
import { createRng } from "@convgrad/base";
import { fitSVM, fromJSON } from "./mod.ts";

/** Three or four Gaussian blobs in 2-D around the corners of a square, labels given. */
function blobs<L>(n: number, labels: L[], seed: number): { X: number[][]; y: L[] } {
  const rand = createRng(seed),
    gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const centres = [[0, 0], [2, 0], [0, 2], [2, 2]];
  const X: number[][] = [], y: L[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % labels.length;
    X.push([centres[c][0] + 0.5 * gauss(), centres[c][1] + 0.5 * gauss()]);
    y.push(labels[c]);
  }
  return { X, y };
}

Deno.test("one-vs-one: each machine is the binary SVM of its pair, votes decide, labels come back", () => {
  const labels = ["dog", "cat", "emu", "ant"], { X, y } = blobs(120, labels, 2);
  const opts = { kernel: "rbf" as const, gamma: 0.7, C: 3 };
  const m = fitSVM(X, y, opts);
  assertEquals(m.classes, ["ant", "cat", "dog", "emu"]);
  assertEquals(m.machines.map((k) => `${k.negative}/${k.positive}`), [
    "ant/cat",
    "ant/dog",
    "ant/emu",
    "cat/dog",
    "cat/emu",
    "dog/emu",
  ]);
  const probe = blobs(60, labels, 9).X, f = m.decision(probe);
  assertEquals(f.length, 60 * 6);
  m.machines.forEach((k, j) => {
    // The oracle: a binary fit on the pair's points alone, the larger class as +1.
    const idx = [...y.keys()].filter((i) => y[i] === k.negative || y[i] === k.positive);
    const bin = fitSVM(idx.map((i) => X[i]), idx.map((i) => (y[i] === k.positive ? 1 : -1)), opts);
    assert(
      Math.abs(bin.dualObjective - k.dualObjective) < 1e-9 * bin.dualObjective,
      `machine ${j}`,
    );
    bin.decision(probe).forEach((v, r) =>
      assert(Math.abs(v - f[r * 6 + j]) < 1e-9, `machine ${j}, row ${r}: ${v} vs ${f[r * 6 + j]}`)
    );
    idx.forEach((i, s) => assertEquals(k.alpha[i], bin.alpha[s]));
    assertEquals(k.supportIndices, bin.supportIndices.map((s) => idx[s]));
  });
  // Votes by hand: each machine votes for its positive class where f ≥ 0.
  const pred = m.predict(probe);
  probe.forEach((_, r) => {
    const votes = new Map(m.classes.map((c) => [c, 0]));
    m.machines.forEach((k, j) => {
      const c = f[r * 6 + j] >= 0 ? k.positive : k.negative;
      votes.set(c, votes.get(c)! + 1);
    });
    const best = Math.max(...votes.values());
    assertEquals(pred[r], m.classes.find((c) => votes.get(c) === best));
  });
  const train = m.predict(X).filter((p, i) => p === y[i]).length / X.length;
  assert(train > 0.8, `training accuracy ${train}`);
  const union = [...new Set(m.machines.flatMap((k) => k.supportIndices))].sort((a, b) => a - b);
  assertEquals(m.supportIndices, union);
  assert(Number.isNaN(m.bias), "a multi-class model has no single bias");
});

Deno.test("two classes of any labels are the ±1 machine, the larger label positive", () => {
  const { X, y } = blobs(80, [-1, 1], 4);
  const pm = fitSVM(X, y, { kernel: "rbf", gamma: 1 });
  for (const [neg, pos] of [[0, 1], [3, 7], ["no", "yes"]] as const) {
    const m = fitSVM<number | string>(X, y.map((v) => (v > 0 ? pos : neg)), {
      kernel: "rbf",
      gamma: 1,
    });
    assertEquals(m.classes, [neg, pos]);
    assertEquals(Array.from(m.decision(X)), Array.from(pm.decision(X)));
    assertEquals(m.predict(X), pm.predict(X).map((v) => (v > 0 ? pos : neg)));
    assertEquals(m.bias, pm.bias);
  }
});

Deno.test("multi-class JSON round trip: the same decisions to the last bit", () => {
  const { X, y } = blobs(90, [3, 1, 2], 6);
  for (const kernel of ["rbf", "poly"] as const) {
    const m = fitSVM(X, y, { kernel, degree: 2, coef0: 1, C: 2 });
    const back = fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    const probe = blobs(30, [0, 1, 2], 8).X;
    assertEquals(Array.from(back.decision(probe)), Array.from(m.decision(probe)));
    assertEquals(back.predict(probe), m.predict(probe));
    assertEquals(back.classes, [1, 2, 3]);
    assertEquals(back.supportIndices, m.supportIndices);
    m.machines.forEach((k, j) => {
      assertEquals(back.machines[j].supportIndices, k.supportIndices);
      assertEquals(Array.from(back.machines[j].alpha), Array.from(k.alpha));
    });
  }
  const json = fitSVM(X, y, { kernel: "linear" }).toJSON();
  assertThrows(
    () => fromJSON({ ...json, machines: json.machines.slice(1) }),
    RangeError,
    "one machine per pair of the 3 classes",
  );
  assertThrows(() => fromJSON({ ...json, classes: [1] }), RangeError, "at least two classes");
});
