import { assertClose, assertEquals, assertThrows } from "@convgrad/base/testing";
import { bleu, exactMatch } from "./mod.ts";

const w = (s: string) => s === "" ? [] : s.split(" ");

Deno.test("bleu: Papineni's clipping example, by hand", () => {
  // "the" 7 times; the references hold it at most twice: p1 = 2/7, no bigram matches.
  const s = bleu([w("the the the the the the the")], [[
    w("the cat is on the mat"),
    w("there is a cat on the mat"),
  ]]);
  assertClose(s.precisions, [2 / 7, 0, 0, 0], "precisions", 1e-12);
  assertEquals([s.candidateLength, s.referenceLength, s.brevityPenalty], [7, 7, 1]);
  assertClose(s.bleu, [2 / 7, 0, 0, 0], "bleu", 1e-12);
});

Deno.test("bleu: a short candidate (brevity penalty) and a corpus of two, by hand", () => {
  const cand = w("a cat on the mat"), ref = w("the cat is on the mat");
  // Unigrams 4/5 (not "a"), bigrams "on the", "the mat" 2/4, trigram "on the mat" 1/3, 0/2.
  const one = bleu([cand], [[ref]]), bp = Math.exp(1 - 6 / 5);
  assertClose(one.precisions, [4 / 5, 2 / 4, 1 / 3, 0], "precisions", 1e-12);
  assertClose([one.brevityPenalty], [bp], "bp", 1e-12);
  assertClose(
    one.bleu,
    [bp * 0.8, bp * Math.sqrt(0.8 * 0.5), bp * Math.cbrt(0.8 * 0.5 / 3), 0],
    "bleu",
    1e-12,
  );
  // Corpus statistics add up before the ratios: the reference itself matches 6, 5, 4, 3 n-grams.
  const two = bleu([cand, ref], [[ref], [ref, w("a cat")]]);
  const p = [10 / 11, 7 / 9, 5 / 7, 3 / 5], bp2 = Math.exp(1 - 12 / 11);
  assertClose(two.precisions, p, "corpus precisions", 1e-12);
  assertClose(
    two.bleu,
    [1, 2, 3, 4].map((n) => bp2 * Math.pow(p.slice(0, n).reduce((a, b) => a * b), 1 / n)),
    "corpus bleu",
    1e-12,
  );
  assertEquals(bleu([ref], [[ref]]).bleu, [1, 1, 1, 1]);
});

Deno.test("bleu: the closest reference length, the shorter on ties", () => {
  // Candidate of 5 against references of 4 and 6: r = 4, so c > r and no penalty.
  const s = bleu([w("x y z u v")], [[w("x y z u"), w("x y z u v w")]]);
  assertEquals([s.referenceLength, s.brevityPenalty], [4, 1]);
  const t = bleu([w("x y")], [[w("x y z u v w"), w("x y z")]]);
  assertEquals(t.referenceLength, 3);
  assertClose([t.brevityPenalty], [Math.exp(1 - 3 / 2)], "bp", 1e-12);
  assertEquals(bleu([[]], [[w("x")]]).bleu, [0, 0, 0, 0]);
});

Deno.test("exactMatch and the corpus checks", () => {
  assertEquals(
    exactMatch([w("a b"), w("a"), w("c")], [[w("a b")], [w("a b"), w("a")], [w("c d")]]),
    2 / 3,
  );
  assertThrows(() => bleu([w("a")], []), RangeError, "1 candidates but 0 reference lists");
  assertThrows(() => exactMatch([w("a")], [[]]), RangeError, "references[0] must be a non-empty");
  assertThrows(() => exactMatch([], []), RangeError, "no candidates");
});
