/**
 * convgrad's Chromium harness: launch the packaged headless Chromium (npm `@sparticuz/chromium`,
 * nothing from apt), bundle a module of ours for the browser, serve it on 127.0.0.1 and call the
 * functions it exposed. Used by the parity suite, the webgl kernel tests, the browser benchmark
 * and the web demo's test. Page modules import `expose` from `@convgrad/browser/expose`, which
 * does not pull playwright into the bundle.
 *
 * @example
 * ```ts
 * import { launchChromium } from "@convgrad/browser";
 * const browser = await launchChromium();
 * await browser.close();
 * ```
 *
 * @module
 */
export { CHROMIUM_ENV, chromiumExecutable, chromiumFlags, launchChromium } from "./chromium.ts";
export { type BrowserPage, openPage, type OpenPageOptions, withPage } from "./page.ts";
