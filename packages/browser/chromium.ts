/**
 * Which Chromium the browser tests, benchmarks and the demo test drive, and with which flags.
 *
 * By default the headless Chromium 153 (with SwiftShader for WebGL 2) shipped inside the npm package
 * `@sparticuz/chromium`: it unpacks itself into the system temp folder on first use, so the suite
 * needs nothing from apt. `CONVGRAD_CHROMIUM=/path/to/chrome` picks another binary (a user's own
 * Chrome, Debian's `/usr/lib/chromium/chromium`).
 *
 * @module
 */
import sparticuz from "@sparticuz/chromium";
import { type Browser, chromium, type LaunchOptions } from "playwright-core";

/** The environment variable that overrides the packaged Chromium. */
export const CHROMIUM_ENV = "CONVGRAD_CHROMIUM";

const DROPPED = ["--headless", "--single-process", "--enable-features=SharedArrayBuffer"];

/**
 * Our flags on top of the package's own (`sparticuz.args`: the GPU thread in the browser process,
 * WebGL 2 on SwiftShader through ANGLE). Ours keep the browser off the network and WebGL on SwiftShader also when
 * `CONVGRAD_CHROMIUM` names a full Chrome, which would otherwise look for a real GPU.
 */
const OWN_FLAGS = [
  "--no-sandbox",
  "--enable-unsafe-swiftshader",
  "--use-angle=swiftshader",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/**
 * The launch flags of every browser run: the packaged Chromium's own, then ours, each once.
 * Left out of the package's: `--headless` (Playwright sets the mode itself); `--single-process`,
 * under which closing one page takes the whole browser down (the demo test opens several);
 * `--enable-features=SharedArrayBuffer`, which makes tfjs-backend-wasm pick its threaded binary,
 * which needs a cross-origin-isolated page and breaks on ours, as it would on a user's site that
 * is not isolated.
 *
 * @example
 * ```ts
 * import { chromiumFlags } from "@convgrad/browser";
 * console.log(chromiumFlags().includes("--use-angle=swiftshader")); // true
 * ```
 */
export function chromiumFlags(): string[] {
  const own = sparticuz.args.filter((f: string) => !DROPPED.some((d) => f.startsWith(d)));
  return [...new Set([...own, ...OWN_FLAGS])];
}

/**
 * The Chromium binary to launch: `$CONVGRAD_CHROMIUM` when set (it must be an existing file),
 * else the packaged one, unpacked on first use (~200 MB in the temp folder, about 2 s).
 *
 * @example
 * ```ts
 * import { chromiumExecutable } from "@convgrad/browser";
 * console.log(await chromiumExecutable()); // e.g. /tmp/chromium
 * ```
 */
export async function chromiumExecutable(): Promise<string> {
  const own = Deno.env.get(CHROMIUM_ENV);
  if (own !== undefined && own !== "") {
    let isFile = false;
    try {
      isFile = (await Deno.stat(own)).isFile;
    } catch {
      // reported below
    }
    if (!isFile) {
      throw new Error(
        `${CHROMIUM_ENV}=${own}: no such file; unset it to use the packaged Chromium`,
      );
    }
    return own;
  }
  return await sparticuz.executablePath();
}

/**
 * Launches headless Chromium (see {@linkcode chromiumExecutable}) with {@linkcode chromiumFlags}.
 * The caller closes it.
 *
 * @example
 * ```ts
 * import { launchChromium } from "@convgrad/browser";
 * const browser = await launchChromium();
 * try {
 *   const page = await browser.newPage();
 *   console.log(await page.evaluate(() => 1 + 1)); // 2
 * } finally {
 *   await browser.close();
 * }
 * ```
 */
export async function launchChromium(opts: LaunchOptions = {}): Promise<Browser> {
  return await chromium.launch({
    ...opts,
    executablePath: await chromiumExecutable(),
    args: [...chromiumFlags(), ...(opts.args ?? [])],
    headless: true,
  });
}
