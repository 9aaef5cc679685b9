/**
 * The input checks every public function of the package shares: errors name the function, the
 * argument, the value received and what was expected.
 *
 * @module
 */

/**
 * Checks points `X`: a non-empty array of rows of equal, non-zero length holding finite numbers.
 *
 * @example
 * ```ts
 * import { checkX } from "./validate.ts";
 * checkX("demo", [[0, 1], [2, 3]]); // returns X
 * // checkX("demo", [[0, 1], [2]]) throws RangeError: demo: X[1] has 1 features, X[0] has 2
 * ```
 */
export function checkX(op: string, X: unknown): ArrayLike<number>[] {
  if (!Array.isArray(X) || X.length === 0) {
    throw new RangeError(`${op}: X must be a non-empty array of points, got ${short(X)}`);
  }
  const d = (X[0] as ArrayLike<unknown> | null)?.length;
  // Plain loops, no closure: this runs once per call, so mostly before the JIT has seen it.
  for (let i = 0; i < X.length; i++) {
    const row = X[i];
    if (!Array.isArray(row) && !ArrayBuffer.isView(row)) {
      throw new TypeError(`${op}: X[${i}] must be an array of numbers, got ${short(row)}`);
    }
    const r = row as ArrayLike<unknown>;
    if (r.length !== d || d === 0) {
      throw new RangeError(`${op}: X[${i}] has ${r.length} features, X[0] has ${d}`);
    }
    // A typed array's every() with the builtin Number.isFinite never enters the interpreter
    // (in a fresh process the loop below takes 1 ms over 500 × 10 values); the loop then names
    // the culprit. Plain arrays take the loop: their every() would skip holes.
    const typed = row as Float64Array;
    if (!Array.isArray(row) && typeof typed.every === "function" && typed.every(Number.isFinite)) {
      continue;
    }
    for (let j = 0; j < r.length; j++) {
      const v = r[j];
      // v − v is 0 exactly for finite numbers (NaN for NaN and ±Infinity).
      if (typeof v !== "number" || v - v !== 0) {
        throw new RangeError(`${op}: X[${i}][${j}] must be a finite number, got ${v}`);
      }
    }
  }
  return X as ArrayLike<number>[];
}

/**
 * Checks labels: one per point, each +1 or −1, both classes present.
 *
 * @example
 * ```ts
 * import { checkY } from "./validate.ts";
 * checkY("demo", [1, -1, 1], 3); // Float64Array [1, -1, 1]
 * ```
 */
export function checkY(op: string, y: unknown, n: number): Float64Array {
  if (!Array.isArray(y) && !ArrayBuffer.isView(y)) {
    throw new TypeError(`${op}: y must be an array of labels +1/-1, got ${short(y)}`);
  }
  const labels = y as ArrayLike<unknown>;
  if (labels.length !== n) {
    throw new RangeError(`${op}: y has ${labels.length} labels for ${n} points`);
  }
  let pos = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== 1 && labels[i] !== -1) {
      throw new RangeError(`${op}: y[${i}] must be +1 or -1, got ${labels[i]}`);
    }
    if (labels[i] === 1) pos++;
  }
  if (pos === 0 || pos === n) {
    throw new RangeError(
      `${op}: y must contain both classes +1 and -1, got only ${pos ? "+1" : "-1"}`,
    );
  }
  return Float64Array.from(labels as ArrayLike<number>);
}

/**
 * Checks class labels: one per point, all finite numbers or all strings, at least two distinct;
 * returns the classes sorted (numbers ascending, strings by code unit) and each point's index
 * among them.
 *
 * @example
 * ```ts
 * import { checkLabels } from "./validate.ts";
 * checkLabels("demo", ["b", "a", "b"], 3); // { classes: ["a", "b"], index: Int32Array [1, 0, 1] }
 * ```
 */
export function checkLabels<L extends number | string>(
  op: string,
  y: unknown,
  n: number,
): { classes: L[]; index: Int32Array } {
  if (!Array.isArray(y) && !ArrayBuffer.isView(y)) {
    throw new TypeError(
      `${op}: y must be an array of labels (numbers or strings), got ${short(y)}`,
    );
  }
  const labels = y as ArrayLike<unknown>;
  if (labels.length !== n) {
    throw new RangeError(`${op}: y has ${labels.length} labels for ${n} points`);
  }
  // Plain loops, no closures: this runs once per fit, mostly before the JIT has seen it.
  const kind = typeof labels[0], seen = new Set<unknown>();
  for (let i = 0; i < n; i++) {
    const v = labels[i];
    if (
      kind === "string" ? typeof v !== "string" : !(typeof v === "number" && Number.isFinite(v))
    ) {
      throw new RangeError(
        `${op}: y[${i}] must be a ${
          kind === "string" ? "string" : "finite number"
        } like y[0], got ${short(v)}`,
      );
    }
    seen.add(v);
  }
  const classes = ([...seen] as L[]).sort((a, b) =>
    typeof a === "number" ? (a as number) - (b as number) : a < b ? -1 : a > b ? 1 : 0
  );
  if (classes.length < 2) {
    throw new RangeError(
      `${op}: y must contain at least two classes, got only ${short(classes[0])}`,
    );
  }
  const at = new Map<unknown, number>();
  for (let k = 0; k < classes.length; k++) at.set(classes[k], k);
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) index[i] = at.get(labels[i])!;
  return { classes, index };
}

/**
 * Checks the box bound C: a finite number > 0.
 *
 * @example
 * ```ts
 * import { checkC } from "./validate.ts";
 * checkC("demo", 10); // 10
 * ```
 */
export function checkC(op: string, C: unknown): number {
  if (typeof C !== "number" || !(C > 0) || !Number.isFinite(C)) {
    throw new RangeError(`${op}: C must be a finite number > 0, got ${C}`);
  }
  return C;
}

/** A value as a short string for an error message. */
function short(v: unknown): string {
  const s = Array.isArray(v) ? `array of length ${v.length}` : String(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
