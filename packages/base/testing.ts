/**
 * The assertions and oracle comparators of every test in the repository (Deno's std is not
 * reachable here).
 *
 * @example
 * ```ts
 * import { assertClose, assertEquals } from "@convgrad/base/testing";
 * assertEquals([1, 2], [1, 2]);
 * assertClose([1, 2.0000001], [1, 2], "values", 1e-6);
 * ```
 *
 * @module
 */
export { assert, assertEquals, assertRejects, assertThrows } from "./asserts.ts";
export { assertClose, errors } from "./compare.ts";
