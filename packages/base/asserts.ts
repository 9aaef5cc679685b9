/**
 * The few assertions the tests use (Deno's std is not reachable here), on top of `node:assert`.
 *
 * @module
 */
import nodeAssert from "node:assert/strict";

/** Throws with `msg` unless `cond`. */
export function assert(cond: unknown, msg = "assertion failed"): asserts cond {
  nodeAssert.ok(cond, msg);
}

/** Deep, strict equality. */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  nodeAssert.deepStrictEqual(actual, expected, msg);
}

type ErrorClass = new (...args: never[]) => Error;

function check(e: unknown, type: ErrorClass, includes: string): void {
  assert(e instanceof type, `expected ${type.name}, got ${e}`);
  const m = (e as Error).message;
  assert(m.includes(includes), `error message "${m}" does not include "${includes}"`);
}

/** `f` throws an instance of `type` whose message includes `includes`. */
export function assertThrows(f: () => unknown, type: ErrorClass, includes: string): void {
  try {
    f();
  } catch (e) {
    return check(e, type, includes);
  }
  throw new Error(`expected ${type.name} including "${includes}", nothing was thrown`);
}

/** `f` rejects with an instance of `type` whose message includes `includes`. */
export async function assertRejects(
  f: () => Promise<unknown>,
  type: ErrorClass,
  includes: string,
): Promise<void> {
  try {
    await f();
  } catch (e) {
    return check(e, type, includes);
  }
  throw new Error(`expected ${type.name} including "${includes}", nothing was thrown`);
}
