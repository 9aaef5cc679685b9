/**
 * Caption vocabularies and token ids, in cs231n's conventions: `<NULL>` pads, `<START>` opens and
 * `<END>` closes a caption; `idx_to_word` / `word_to_idx` become `idxToWord` / `wordToIdx`.
 *
 * @module
 */

/** A caption vocabulary: token id → word and back. */
export interface CaptionVocab {
  idxToWord: string[];
  wordToIdx: Record<string, number>;
}

/** The tokens that are not words of a sentence. */
const SPECIAL = new Set(["<NULL>", "<START>", "<END>"]);

/**
 * The vocabulary of `words`, whose ids are their positions; every word once.
 *
 * @example
 * ```ts
 * import { makeVocab } from "@convgrad/data";
 * const vocab = makeVocab(["<NULL>", "<START>", "<END>", "cat"]);
 * console.log(vocab.wordToIdx.cat); // 3
 * ```
 */
export function makeVocab(words: readonly string[]): CaptionVocab {
  const wordToIdx: Record<string, number> = {};
  words.forEach((w, i) => {
    if (typeof w !== "string" || w === "") {
      throw new TypeError(`makeVocab: words[${i}] must be a non-empty string, got ${String(w)}`);
    }
    if (Object.hasOwn(wordToIdx, w)) {
      throw new RangeError(`makeVocab: "${w}" appears twice (ids ${wordToIdx[w]} and ${i})`);
    }
    wordToIdx[w] = i;
  });
  return { idxToWord: [...words], wordToIdx };
}

function word(id: number, vocab: CaptionVocab, where: string): string {
  if (!Number.isInteger(id) || id < 0 || id >= vocab.idxToWord.length) {
    throw new RangeError(
      `decodeCaptions: ${where} is ${id}, expected a token id in [0, ${vocab.idxToWord.length})`,
    );
  }
  return vocab.idxToWord[id];
}

function decodeRow(row: ArrayLike<number>, vocab: CaptionVocab, where: string): string {
  const words: string[] = [];
  for (let t = 0; t < row.length; t++) {
    const w = word(row[t], vocab, `${where}[${t}]`);
    if (w !== "<NULL>") words.push(w);
    if (w === "<END>") break;
  }
  return words.join(" ");
}

/**
 * Token ids → text as cs231n's `decode_captions`: `<NULL>` skipped, stops after the first
 * `<END>`, `<START>` and `<END>` kept. One row gives a string, rows give one string each.
 *
 * @example
 * ```ts
 * import { decodeCaptions, makeVocab } from "@convgrad/data";
 * const vocab = makeVocab(["<NULL>", "<START>", "<END>", "a", "cat"]);
 * decodeCaptions([1, 3, 4, 2, 0, 4], vocab); // "<START> a cat <END>"
 * decodeCaptions([[1, 4, 2], [1, 3, 0]], vocab); // ["<START> cat <END>", "<START> a"]
 * ```
 */
export function decodeCaptions(captions: ArrayLike<number>, vocab: CaptionVocab): string;
export function decodeCaptions(captions: ArrayLike<number>[], vocab: CaptionVocab): string[];
export function decodeCaptions(
  captions: ArrayLike<number> | ArrayLike<number>[],
  vocab: CaptionVocab,
): string | string[] {
  if (captions === null || typeof captions !== "object" || !("length" in captions)) {
    throw new TypeError(`decodeCaptions: captions must be an array of token ids or of rows`);
  }
  const rows = Array.isArray(captions) && captions.length > 0 && typeof captions[0] !== "number";
  if (!rows) return decodeRow(captions as ArrayLike<number>, vocab, "captions");
  return (captions as ArrayLike<number>[]).map((r, i) => {
    if (r === null || typeof r !== "object" || !("length" in r)) {
      throw new TypeError(`decodeCaptions: captions[${i}] must be an array of token ids`);
    }
    return decodeRow(r, vocab, `captions[${i}]`);
  });
}

/**
 * The words of one caption, without `<START>`, `<END>` (which ends it) and `<NULL>`: what BLEU
 * and exact match compare.
 *
 * @example
 * ```ts
 * import { captionWords, makeVocab } from "@convgrad/data";
 * const vocab = makeVocab(["<NULL>", "<START>", "<END>", "a", "cat"]);
 * captionWords([1, 3, 4, 2, 4], vocab); // ["a", "cat"]
 * ```
 */
export function captionWords(row: ArrayLike<number>, vocab: CaptionVocab): string[] {
  return decodeCaptions(row, vocab).split(" ").filter((w) => w !== "" && !SPECIAL.has(w));
}

/**
 * Words → a row of `length` token ids: `<START>`, the words (unknown ones as `<UNK>`), `<END>`,
 * then `<NULL>` padding.
 *
 * @example
 * ```ts
 * import { encodeCaption, makeVocab } from "@convgrad/data";
 * const vocab = makeVocab(["<NULL>", "<START>", "<END>", "<UNK>", "a", "cat"]);
 * encodeCaption(["a", "cat"], vocab, 6); // Int32Array [1, 4, 5, 2, 0, 0]
 * ```
 */
export function encodeCaption(
  words: readonly string[],
  vocab: CaptionVocab,
  length: number,
): Int32Array {
  if (!Number.isInteger(length) || length < words.length + 2) {
    throw new RangeError(
      `encodeCaption: length must be an integer >= ${words.length + 2} (the words, <START> and ` +
        `<END>), got ${length}`,
    );
  }
  const need = (w: string) => {
    if (!Object.hasOwn(vocab.wordToIdx, w)) {
      throw new RangeError(`encodeCaption: "${w}" is not in the vocabulary`);
    }
    return vocab.wordToIdx[w];
  };
  const id = (w: string) => Object.hasOwn(vocab.wordToIdx, w) ? vocab.wordToIdx[w] : need("<UNK>");
  const row = new Int32Array(length).fill(need("<NULL>"));
  row[0] = need("<START>");
  words.forEach((w, t) => row[t + 1] = id(w));
  row[words.length + 1] = need("<END>");
  return row;
}
