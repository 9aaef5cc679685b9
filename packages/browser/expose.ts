/**
 * The page side of `page.ts`: a bundled page module hands the functions the driver may call to
 * {@linkcode expose}. Kept apart from `page.ts` so that pages do not bundle playwright.
 *
 * @module
 */

/** The global under which a page's functions are found by the driver. */
export const GLOBAL = "__convgrad";

/** A function a page exposes: one JSON-serialisable argument, a JSON-serialisable result. */
// deno-lint-ignore no-explicit-any
export type PageFunction = (arg: any) => unknown;

/**
 * Makes `fns` callable from the driver (`BrowserPage.call(name, arg)`).
 *
 * @example
 * ```ts
 * import { expose } from "@convgrad/browser/expose";
 * expose({ ping: () => "pong" });
 * ```
 */
export function expose(fns: Record<string, PageFunction>): void {
  (globalThis as Record<string, unknown>)[GLOBAL] = fns;
}
