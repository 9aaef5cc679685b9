/**
 * Caption metrics: corpus BLEU-1…4 (Papineni et al. 2002: clipped n-gram precisions over the
 * whole corpus, their geometric mean, a brevity penalty) and exact match.
 *
 * @module
 */

/** Corpus BLEU and what it is made of. */
export interface BleuScores {
  /** BLEU-1 … BLEU-4: the geometric mean of the first n precisions times the brevity penalty. */
  bleu: [number, number, number, number];
  /** Clipped n-gram precisions p1 … p4. */
  precisions: [number, number, number, number];
  brevityPenalty: number;
  /** Total candidate length c and effective reference length r. */
  candidateLength: number;
  referenceLength: number;
}

function checkCorpus(
  candidates: readonly (readonly string[])[],
  references: readonly (readonly (readonly string[])[])[],
  fn: string,
): void {
  if (!Array.isArray(candidates) || !Array.isArray(references)) {
    throw new TypeError(`${fn}: candidates and references must be arrays`);
  }
  if (candidates.length !== references.length) {
    throw new RangeError(
      `${fn}: ${candidates.length} candidates but ${references.length} reference lists`,
    );
  }
  references.forEach((refs, i) => {
    if (!Array.isArray(refs) || refs.length === 0) {
      throw new RangeError(`${fn}: references[${i}] must be a non-empty list of references`);
    }
  });
}

function ngramCounts(words: readonly string[], n: number): Map<string, number> {
  const m = new Map<string, number>();
  // \u0001 cannot occur inside a word, so joined n-grams never collide.
  for (let i = 0; i + n <= words.length; i++) {
    const g = words.slice(i, i + n).join("\u0001");
    m.set(g, (m.get(g) ?? 0) + 1);
  }
  return m;
}

/**
 * Corpus BLEU of tokenised `candidates` against their `references` (one or more per candidate).
 * Each n-gram's count is clipped to its largest count in any one reference; the reference length
 * of a candidate is the one closest to its length (the shorter on ties); brevity penalty
 * `exp(1 − r/c)` when `c ≤ r`. A zero precision makes that and every higher BLEU 0 (no
 * smoothing).
 *
 * @example
 * ```ts
 * import { bleu } from "@convgrad/data";
 * const s = bleu([["a", "cat", "on", "the", "mat"]], [[["the", "cat", "is", "on", "the", "mat"]]]);
 * console.log(s.precisions); // [0.8, 0.5, 0.333…, 0]
 * console.log(s.bleu[0]); // 0.8·exp(−0.2) ≈ 0.655
 * ```
 */
export function bleu(
  candidates: readonly (readonly string[])[],
  references: readonly (readonly (readonly string[])[])[],
): BleuScores {
  checkCorpus(candidates, references, "bleu");
  const matched = [0, 0, 0, 0], total = [0, 0, 0, 0];
  let c = 0, r = 0;
  candidates.forEach((cand, i) => {
    const refs = references[i];
    c += cand.length;
    let best = refs[0].length;
    for (const ref of refs) {
      const d = Math.abs(ref.length - cand.length), db = Math.abs(best - cand.length);
      if (d < db || (d === db && ref.length < best)) best = ref.length;
    }
    r += best;
    for (let n = 1; n <= 4; n++) {
      const maxRef = new Map<string, number>();
      for (const ref of refs) {
        for (const [g, k] of ngramCounts(ref, n)) maxRef.set(g, Math.max(maxRef.get(g) ?? 0, k));
      }
      for (const [g, k] of ngramCounts(cand, n)) {
        matched[n - 1] += Math.min(k, maxRef.get(g) ?? 0);
        total[n - 1] += k;
      }
    }
  });
  const precisions = matched.map((m, i) => total[i] > 0 ? m / total[i] : 0) as BleuScores[
    "precisions"
  ];
  const brevityPenalty = c === 0 ? 0 : c > r ? 1 : Math.exp(1 - r / c);
  let logSum = 0;
  const scores = precisions.map((p, i) => {
    logSum += Math.log(p);
    return p > 0 && Number.isFinite(logSum) ? brevityPenalty * Math.exp(logSum / (i + 1)) : 0;
  }) as BleuScores["bleu"];
  return { bleu: scores, precisions, brevityPenalty, candidateLength: c, referenceLength: r };
}

/**
 * The fraction of candidates equal, word for word, to one of their references.
 *
 * @example
 * ```ts
 * import { exactMatch } from "@convgrad/data";
 * exactMatch([["a", "cat"], ["a", "dog"]], [[["a", "cat"]], [["the", "dog"]]]); // 0.5
 * ```
 */
export function exactMatch(
  candidates: readonly (readonly string[])[],
  references: readonly (readonly (readonly string[])[])[],
): number {
  checkCorpus(candidates, references, "exactMatch");
  if (candidates.length === 0) throw new RangeError("exactMatch: no candidates");
  const same = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && a.every((w, i) => w === b[i]);
  return candidates.filter((c, i) => references[i].some((r) => same(c, r))).length /
    candidates.length;
}
