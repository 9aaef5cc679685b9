/**
 * The demo end to end in headless Chromium (from npm, WebGL 2 on SwiftShader): builds the site,
 * serves it under a sub-path, draws digits with the mouse, switches backends, clicks samples,
 * falls back when WebGL is missing, and checks phone width. Any console error or unhandled
 * rejection on a page fails the test. Screenshots and the measured times go to
 * `runs/web-test/` (`metrics.json`).
 */
import { type Browser, chromium, type Page } from "playwright-core";
import { assert, assertEquals } from "@convgrad/base/testing";
import { launchChromium } from "@convgrad/browser";
import { buildSite } from "./build.ts";
import { serveSite } from "./serve.ts";

const OUT = new URL("../../runs/web-test/", import.meta.url).pathname;
const BASE = "/some/sub/path/";

type Stroke = [number, number][];

/** Digits as mouse strokes in pad coordinates (0..1), drawn the way people write them. */
const DIGITS: { digit: number; strokes: Stroke[] }[] = [
  { digit: 1, strokes: [[[0.52, 0.2], [0.5, 0.5], [0.48, 0.8]]] },
  {
    digit: 0,
    strokes: [Array.from({ length: 41 }, (_, i): [number, number] => {
      const a = (2 * Math.PI * i) / 40;
      return [0.5 + 0.19 * Math.sin(a), 0.5 - 0.29 * Math.cos(a)];
    })],
  },
  { digit: 7, strokes: [[[0.3, 0.22], [0.7, 0.22], [0.55, 0.5], [0.43, 0.8]]] },
  {
    digit: 4,
    strokes: [[[0.36, 0.2], [0.31, 0.56], [0.72, 0.56]], [[0.62, 0.22], [0.61, 0.82]]],
  },
];

/** Collects the page's console errors, uncaught exceptions and unhandled rejections. */
async function watch(page: Page): Promise<string[]> {
  const problems: string[] = [];
  await page.addInitScript(() => {
    addEventListener(
      "unhandledrejection",
      (e) => console.error(`unhandled rejection: ${e.reason}`),
    );
  });
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`page error: ${e}`));
  return problems;
}

/** Waits until no prediction or switch is queued or running. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.busy === undefined);
}

async function draw(page: Page, strokes: Stroke[]): Promise<void> {
  const box = (await page.getByTestId("pad").boundingBox())!;
  const at = ([x, y]: [number, number]) => [box.x + x * box.width, box.y + y * box.height] as const;
  for (const stroke of strokes) {
    await page.mouse.move(...at(stroke[0]));
    await page.mouse.down();
    for (const p of stroke.slice(1)) await page.mouse.move(...at(p), { steps: 6 });
    await page.mouse.up();
  }
  await settled(page);
}

/** The shown result: digit, probabilities, latency and the backend it ran on. */
async function result(page: Page) {
  return await page.evaluate(() => {
    const pred = document.querySelector<HTMLElement>('[data-testid="prediction"]')!;
    const lat = document.querySelector<HTMLElement>('[data-testid="latency"]')!;
    const rows = document.querySelectorAll<HTMLElement>('[data-testid="probabilities"] li');
    return {
      digit: pred.textContent ?? "",
      backend: pred.dataset.backend ?? "",
      count: Number(pred.dataset.count ?? 0),
      ms: Number(lat.dataset.ms),
      p: Array.from(rows, (r) => Number(r.dataset.p)),
    };
  });
}

async function useBackend(page: Page, name: string): Promise<void> {
  await page.getByTestId("backend").selectOption(name);
  await page.waitForSelector(`[data-testid="active-backend"][data-name="${name}"]`);
  await settled(page);
}

const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Performance marks of the page, ms since navigation start. */
async function mark(page: Page, name: string): Promise<number> {
  return await page.evaluate((n) => performance.getEntriesByName(n)[0]?.startTime ?? NaN, name);
}

Deno.test("web demo in Chromium: draw, switch backends, samples, fallback, phone width", async (t) => {
  await Deno.mkdir(OUT, { recursive: true });
  const dir = await Deno.makeTempDir({ prefix: "convgrad-web-" });
  let browser: Browser | undefined;
  const server = serveSite(dir, { port: 0, base: BASE });
  const url = `http://127.0.0.1:${server.addr.port}${BASE}`;
  const metrics: Record<string, unknown> = {};
  try {
    metrics.buildSeconds = (await buildSite(dir)).seconds;
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = await watch(page);
    await page.goto(url);
    await page.waitForSelector("body[data-ready]", { state: "attached", timeout: 90_000 });
    assertEquals(await page.getByTestId("active-backend").getAttribute("data-name"), "webgl");

    await t.step("drawn digits are recognised", async () => {
      for (const [i, { digit, strokes }] of DIGITS.entries()) {
        await page.getByTestId("clear").click();
        await settled(page);
        await draw(page, strokes);
        const r = await result(page);
        if (i === 0) {
          metrics.readyMs = await mark(page, "convgrad:ready");
          metrics.firstPredictionMs = await mark(page, "convgrad:first-prediction");
          await page.screenshot({ path: `${OUT}/01-drawn-${digit}-webgl.png`, fullPage: true });
        }
        assertEquals(r.digit, String(digit), `drew a ${digit}, page says ${r.digit} (p ${r.p})`);
        assertEquals(r.backend, "webgl");
        assert(Math.abs(r.p.reduce((a, b) => a + b) - 1) < 1e-5, `probabilities ${r.p}`);
      }
      await page.screenshot({ path: `${OUT}/02-drawn-4-webgl.png`, fullPage: true });
    });

    await t.step("every backend gives the same prediction and probabilities", async () => {
      const webgl = await result(page);
      for (const name of ["wasm", "cpu"]) {
        await useBackend(page, name);
        const r = await result(page);
        assertEquals([r.backend, r.digit], [name, webgl.digit]);
        assert(r.count > webgl.count, `no new prediction on ${name}`);
        const d = maxDiff(r.p, webgl.p);
        assert(d <= 1e-4, `${name} probabilities differ from webgl by ${d}`);
      }
      await page.screenshot({ path: `${OUT}/03-drawn-4-cpu.png`, fullPage: true });
    });

    await t.step("samples: true labels on every backend, latency per backend", async () => {
      const buttons = page.getByTestId("samples").getByRole("button");
      const n = await buttons.count();
      assertEquals(n, 10);
      const latency: Record<string, number[]> = {}, probs: Record<string, number[][]> = {};
      for (const name of ["webgl", "wasm", "cpu"]) {
        await useBackend(page, name);
        latency[name] = [];
        probs[name] = [];
        for (let i = 0; i < n; i++) {
          await buttons.nth(i).click();
          await settled(page);
          const r = await result(page), label = await buttons.nth(i).getAttribute("data-label");
          assertEquals([r.backend, r.digit], [name, label], `sample ${i} on ${name}`);
          latency[name].push(r.ms);
          probs[name].push(r.p);
        }
        const d = Math.max(...probs[name].map((p, i) => maxDiff(p, probs.webgl[i])));
        assert(d <= 1e-4, `samples on ${name} differ from webgl by ${d}`);
      }
      metrics.latencyMs = Object.fromEntries(
        Object.entries(latency).map(([k, v]) => [k, { median: median(v), all: v }]),
      );
      await page.screenshot({ path: `${OUT}/04-sample-cpu.png`, fullPage: true });
    });

    await t.step(
      "the ABC-Net binarized model: switch to it, samples agree across backends",
      async () => {
        await page.getByTestId("model").selectOption("abc");
        await settled(page);
        const buttons = page.getByTestId("samples").getByRole("button");
        const probs: Record<string, number[][]> = {};
        let right = 0;
        for (const name of ["wasm", "cpu"]) {
          await useBackend(page, name);
          probs[name] = [];
          for (let i = 0; i < 10; i++) {
            await buttons.nth(i).click();
            await settled(page);
            const r = await result(page);
            probs[name].push(r.p);
            if (
              name === "wasm" && r.digit === await buttons.nth(i).getAttribute("data-label")
            ) right++;
          }
        }
        // ~96% accurate: the ten samples may hold a miss, not three.
        assert(right >= 8, `the binarized model got ${right} of 10 samples`);
        const d = Math.max(...probs.cpu.map((p, i) => maxDiff(p, probs.wasm[i])));
        assert(d <= 1e-4, `binarized model: cpu and wasm differ by ${d}`);
        await page.screenshot({ path: `${OUT}/04b-abc-model.png`, fullPage: true });
        await page.getByTestId("model").selectOption("cnn");
        await settled(page);
      },
    );

    await t.step("keyboard: a focused sample is picked with Enter", async () => {
      await useBackend(page, "webgl");
      const three = page.getByRole("button", { name: /, a 3$/ });
      await three.focus();
      await page.keyboard.press("Enter");
      await settled(page);
      assertEquals((await result(page)).digit, "3");
      assertEquals(await three.getAttribute("aria-pressed"), "true");
      assertEquals(await page.getByLabel("Backend").getAttribute("data-testid"), "backend");
    });

    await t.step("phone width: nothing overflows, drawing still works", async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
      assert(overflow <= 0, `the page is ${overflow}px wider than a 390px screen`);
      await page.getByTestId("clear").click();
      await page.getByTestId("pad").scrollIntoViewIfNeeded();
      await draw(page, DIGITS[2].strokes);
      assertEquals((await result(page)).digit, "7");
      await page.screenshot({ path: `${OUT}/05-phone.png`, fullPage: true });
    });
    assertEquals(problems, []);

    // Chromium cannot be told to lack WebGL here (--disable-webgl has no effect on SwiftShader),
    // so these pages refuse the contexts TF.js asks for, on both canvas kinds it uses.
    for (
      const { name, refuse, says } of [
        {
          name: "no-webgl",
          refuse: "^(webgl|webgl2|experimental-webgl)$",
          says: "offers no WebGL",
        },
        { name: "webgl1-only", refuse: "^webgl2$", says: "offers only WebGL 1" },
      ]
    ) {
      await t.step(`${name}: the page says so and runs on WebAssembly`, async () => {
        const page2 = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
        const problems2 = await watch(page2);
        await page2.addInitScript((pattern) => {
          for (const proto of [HTMLCanvasElement.prototype, OffscreenCanvas.prototype]) {
            const get = proto.getContext as (this: unknown, id: string, o?: unknown) => unknown;
            Object.defineProperty(proto, "getContext", {
              value(this: unknown, id: string, o?: unknown) {
                return new RegExp(pattern).test(id) ? null : get.call(this, id, o);
              },
            });
          }
        }, refuse);
        await page2.goto(url);
        await page2.waitForSelector("body[data-ready]", { state: "attached", timeout: 60_000 });
        assertEquals(await page2.getByTestId("active-backend").getAttribute("data-name"), "wasm");
        const notice = page2.getByTestId("notice");
        assert(await notice.isVisible(), "no notice about the missing WebGL");
        const text = (await notice.textContent())!;
        assert(text.includes(says), `notice "${text}" does not say "${says}"`);
        assert(await page2.locator('option[value="webgl"]').isDisabled(), "webgl still offered");
        await page2.getByTestId("samples").getByRole("button").first().click();
        await settled(page2);
        const r = await result(page2);
        assertEquals([r.backend, r.digit], ["wasm", "0"]);
        await page2.screenshot({
          path: `${OUT}/06-${name}.png`,
          fullPage: true,
        });
        await page2.close();
        assertEquals(problems2, []);
      });
    }
  } finally {
    await browser?.close();
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
    await Deno.writeTextFile(`${OUT}/metrics.json`, JSON.stringify(metrics, null, 2) + "\n");
    console.log(`web demo: ${JSON.stringify(metrics)}`);
  }
});
