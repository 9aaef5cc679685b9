/**
 * The demo page (bundled into `app.js` by `build.ts`): a drawing pad whose strokes are centred
 * like MNIST digits and classified as they are drawn, on the TF.js backend picked in the page,
 * with convgrad's kernels doing every convolution and max-pool.
 *
 * Hooks for tests: `data-testid` on the controls and results; `<body data-ready>` once the model
 * is loaded and warmed up, `<body data-busy>` while a prediction or switch is queued or running;
 * on the latency, `data-ms`; on the prediction, `data-count` (predictions shown so far) and
 * `data-backend`; on each probability row, `data-p` (the exact value); performance marks
 * `convgrad:ready` and `convgrad:first-prediction`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type BackendName, setBackend } from "@convgrad/ops";
// Registers the model's layers for tf.loadLayersModel. Only the layers: the rest of @convgrad/nn
// (the trainer) pulls in the Deno-only MNIST loader, which a browser cannot load.
import "@convgrad/nn/layers";
import "@convgrad/nn/abc_layer";
import {
  Classifier,
  IMAGE_SIZE,
  type ModelEntry,
  type Prediction,
  type SampleFile,
} from "./classifier.ts";
import { centerLikeMnist } from "./preprocess.ts";

/** The folder `app.js` was served from: the model and wasm binaries sit beside it. */
const HERE = new URL("./", import.meta.url);

/** The pad's drawing coordinates (CSS-independent) and its backing-store scale. */
const PAD_UNITS = 280, PAD_SCALE = 2, STROKE = 22;

const BACKEND_NAMES: Record<string, string> = {
  webgl: "WebGL",
  wasm: "WebAssembly",
  cpu: "JavaScript CPU",
};

function $<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`demo: the page has no #${id}`);
  return el as T;
}

const ui = {
  status: $<HTMLParagraphElement>("status"),
  pad: $<HTMLCanvasElement>("pad"),
  padHint: $<HTMLParagraphElement>("pad-hint"),
  clear: $<HTMLButtonElement>("clear"),
  input28: $<HTMLCanvasElement>("input28"),
  prediction: $<HTMLOutputElement>("prediction"),
  confidence: $<HTMLParagraphElement>("confidence"),
  bars: $<HTMLOListElement>("probabilities"),
  latency: $<HTMLElement>("latency"),
  activeBackend: $<HTMLElement>("active-backend"),
  backend: $<HTMLSelectElement>("backend"),
  notice: $<HTMLParagraphElement>("notice"),
  model: $<HTMLSelectElement>("model"),
  modelInfo: $<HTMLParagraphElement>("model-info"),
  samples: $<HTMLUListElement>("samples"),
  filters: $<HTMLCanvasElement>("filters"),
  filterSize: $<HTMLSpanElement>("filter-size"),
  maps: $<HTMLCanvasElement>("maps"),
};

const pad = ui.pad.getContext("2d", { willReadFrequently: true })!;

/** What the page is showing. */
const state = {
  models: [] as ModelEntry[],
  loaded: new Map<string, Classifier>(),
  classifier: undefined as Classifier | undefined,
  /** The pad holds a drawing, a sample (its exact pixels), or nothing. */
  source: null as null | "drawing" | { pixels: Float32Array; label: number },
  drawing: false,
  last: [0, 0] as [number, number],
  shown: 0,
};

// ---- one task at a time: predictions, backend and model switches never interleave ----

let queue: Promise<void> = Promise.resolve();
let predictionQueued = false;
/** Tasks queued or running; `<body data-busy>` while any are. */
let pending = 0;

function fail(e: unknown): void {
  const msg = e instanceof Error ? e.message : String(e);
  ui.status.textContent = `Something went wrong: ${msg}`;
  ui.status.classList.add("error");
  console.error(e);
}

function serial(task: () => Promise<void>): Promise<void> {
  pending++;
  document.body.dataset.busy = "true";
  queue = queue.then(task).catch(fail).finally(() => {
    if (--pending === 0) delete document.body.dataset.busy;
  });
  return queue;
}

/** Queues one prediction of whatever the pad shows when it runs (coalescing while drawing). */
function schedulePrediction(): void {
  if (predictionQueued) return;
  predictionQueued = true;
  serial(async () => {
    predictionQueued = false;
    await predictNow();
  });
}

// ---- the pad ----

function setupPad(): void {
  ui.pad.width = ui.pad.height = PAD_UNITS * PAD_SCALE;
  pad.setTransform(PAD_SCALE, 0, 0, PAD_SCALE, 0, 0);
  pad.lineCap = pad.lineJoin = "round";
  pad.lineWidth = STROKE;
  pad.strokeStyle = pad.fillStyle = "#fff";

  const at = (e: PointerEvent): [number, number] => {
    const r = ui.pad.getBoundingClientRect();
    return [(e.clientX - r.left) * PAD_UNITS / r.width, (e.clientY - r.top) * PAD_UNITS / r.height];
  };
  ui.pad.addEventListener("pointerdown", (e) => {
    if (e.pointerType === "mouse" && e.button !== 0) return;
    e.preventDefault();
    ui.pad.setPointerCapture(e.pointerId);
    if (state.source !== "drawing") clearPad();
    state.source = "drawing";
    state.drawing = true;
    state.last = at(e);
    pad.beginPath();
    pad.arc(state.last[0], state.last[1], STROKE / 2, 0, 2 * Math.PI);
    pad.fill();
    ui.padHint.hidden = true;
    schedulePrediction();
  });
  ui.pad.addEventListener("pointermove", (e) => {
    if (!state.drawing) return;
    const points = e.getCoalescedEvents?.() ?? [e];
    pad.beginPath();
    pad.moveTo(...state.last);
    for (const p of points.length ? points : [e]) {
      state.last = at(p);
      pad.lineTo(...state.last);
    }
    pad.stroke();
    schedulePrediction();
  });
  const end = () => {
    if (!state.drawing) return;
    state.drawing = false;
    schedulePrediction();
  };
  ui.pad.addEventListener("pointerup", end);
  ui.pad.addEventListener("pointercancel", end);
  ui.clear.addEventListener("click", () => {
    clearPad();
    state.source = null;
    schedulePrediction();
  });
}

function clearPad(): void {
  pad.clearRect(0, 0, PAD_UNITS, PAD_UNITS);
  ui.padHint.hidden = false;
  for (const b of ui.samples.querySelectorAll("button")) b.setAttribute("aria-pressed", "false");
}

/** The network's input for what the pad shows, or null when it is empty. */
function currentInput(): Float32Array | null {
  const src = state.source;
  if (src === null) return null;
  if (src !== "drawing") return src.pixels;
  const { width, height } = ui.pad;
  const rgba = pad.getImageData(0, 0, width, height).data;
  const ink = new Float32Array(width * height);
  for (let i = 0; i < ink.length; i++) ink[i] = rgba[4 * i + 3] / 255; // alpha: the ink
  return centerLikeMnist(ink, width, height);
}

// ---- pictures: grey images, filter and map grids ----

type Rgb = [number, number, number];

/** A colour ramp through `stops` at t in [0, 1]. */
function ramp(stops: Rgb[], t: number): Rgb {
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1),
    i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  return [0, 1, 2].map((c) => stops[i][c] + f * (stops[i + 1][c] - stops[i][c])) as Rgb;
}

const MAGMA: Rgb[] = [[0, 0, 4], [81, 18, 124], [183, 55, 121], [252, 137, 97], [252, 253, 191]];
const DIVERGING: Rgb[] = [[47, 84, 200], [255, 255, 255], [214, 48, 49]];

/**
 * Draws `count` images of h×w values (`values`, one after another) as a grid of tiles with
 * 1-pixel gaps on `canvas`, colour `color(v)`.
 */
function drawTiles(
  canvas: HTMLCanvasElement,
  values: Float32Array,
  [count, h, w]: [number, number, number],
  color: (v: number) => Rgb,
): void {
  const cols = Math.min(count, 8), rows = Math.ceil(count / cols);
  canvas.width = cols * (w + 1) + 1;
  canvas.height = rows * (h + 1) + 1;
  const ctx = canvas.getContext("2d")!;
  const img = ctx.createImageData(canvas.width, canvas.height);
  img.data.fill(255);
  for (let t = 0; t < count; t++) {
    const x0 = 1 + (t % cols) * (w + 1), y0 = 1 + Math.floor(t / cols) * (h + 1);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = 4 * ((y0 + y) * canvas.width + x0 + x);
        const [r, g, b] = color(values[(t * h + y) * w + x]);
        img.data[o] = r;
        img.data[o + 1] = g;
        img.data[o + 2] = b;
      }
    }
  }
  ctx.putImageData(img, 0, 0);
}

/**
 * A 28x28 image in [0, 1] as the pixels of `canvas`: white on black, or with `ink` white on
 * transparent (as the pad draws).
 */
function drawDigit(canvas: HTMLCanvasElement, pixels: Float32Array | null, ink = false): void {
  canvas.width = canvas.height = IMAGE_SIZE;
  const ctx = canvas.getContext("2d")!, img = ctx.createImageData(IMAGE_SIZE, IMAGE_SIZE);
  for (let i = 0; i < IMAGE_SIZE * IMAGE_SIZE; i++) {
    const g = Math.round(255 * (pixels?.[i] ?? 0));
    img.data.set(ink ? [255, 255, 255, g] : [g, g, g, 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
}

function drawFilters(c: Classifier): void {
  const { data, shape: [F, C, kh, kw] } = c.filters();
  // One tile per filter: its first input channel (the models here read one grey channel),
  // scaled by its own largest magnitude so that weak filters still show their shape.
  const tiles = new Float32Array(F * kh * kw);
  for (let f = 0; f < F; f++) {
    const w = data.subarray(f * C * kh * kw, f * C * kh * kw + kh * kw);
    const max = w.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-12);
    tiles.set(w.map((v) => v / max), f * kh * kw);
  }
  drawTiles(ui.filters, tiles, [F, kh, kw], (v) => ramp(DIVERGING, 0.5 + v / 2));
  ui.filterSize.textContent = `${kh}×${kw}`;
}

function drawMaps(c: Classifier, p: Prediction | null): void {
  const shape = c.mapShape, maps = p?.maps ?? new Float32Array(shape[0] * shape[1] * shape[2]);
  let max = 1e-12;
  for (const v of maps) max = Math.max(max, v);
  drawTiles(ui.maps, maps, shape, (v) => ramp(MAGMA, v / max));
}

// ---- results ----

function setupBars(): void {
  for (let d = 0; d < 10; d++) {
    const li = document.createElement("li");
    li.className = "bar";
    li.dataset.digit = String(d);
    li.innerHTML = `<span class="bar-label">${d}</span>` +
      `<span class="bar-track" aria-hidden="true"><span class="bar-fill"></span></span>` +
      `<span class="bar-value">0%</span>`;
    ui.bars.append(li);
  }
}

function show(p: Prediction | null, input: Float32Array | null): void {
  drawDigit(ui.input28, input);
  if (state.classifier) drawMaps(state.classifier, p);
  const items = ui.bars.querySelectorAll<HTMLLIElement>("li");
  items.forEach((li, d) => {
    const v = p?.probabilities[d] ?? 0;
    li.dataset.p = String(v);
    li.classList.toggle("top", p !== null && d === p.digit);
    li.querySelector<HTMLElement>(".bar-fill")!.style.width = `${(100 * v).toFixed(2)}%`;
    li.querySelector(".bar-value")!.textContent = `${(100 * v).toFixed(1)}%`;
    li.setAttribute("aria-label", `${d}: ${(100 * v).toFixed(1)} percent`);
  });
  if (p === null) {
    ui.prediction.textContent = "–";
    ui.confidence.textContent = "Draw or pick a digit to start.";
    ui.latency.textContent = "–";
    delete ui.prediction.dataset.backend;
    return;
  }
  ui.prediction.textContent = String(p.digit);
  const pct = (100 * p.probabilities[p.digit]).toFixed(1);
  const src = state.source;
  ui.confidence.textContent = typeof src === "object" && src !== null
    ? `${pct}% sure · the true label is ${src.label}`
    : `${pct}% sure`;
  ui.latency.textContent = `${p.ms.toFixed(1)} ms`;
  ui.latency.dataset.ms = String(p.ms);
  ui.prediction.dataset.backend = p.backend;
  ui.prediction.dataset.count = String(++state.shown);
  if (state.shown === 1) performance.mark("convgrad:first-prediction");
}

async function predictNow(): Promise<void> {
  const input = currentInput(), c = state.classifier;
  if (c === undefined) return;
  show(input === null ? null : await c.predict(input), input);
}

// ---- backends and models ----

function showBackend(): void {
  const name = tf.getBackend();
  ui.activeBackend.textContent = BACKEND_NAMES[name] ?? name;
  ui.activeBackend.dataset.name = name;
  ui.backend.value = name;
}

/** Switches TF.js to `name` (throws if it does not come up) and compiles the model there. */
async function activate(name: BackendName): Promise<void> {
  // The wasm binaries sit beside app.js, whatever URL the page itself has.
  const opts = name === "wasm" && tf.findBackend("wasm") === null ? { wasmPaths: HERE.href } : {};
  await setBackend(name, opts);
  if (name === "webgl" && tf.env().getNumber("WEBGL_VERSION") < 2) {
    throw new Error("convgrad's WebGL kernels need WebGL 2; this browser offers only WebGL 1");
  }
  // The first run on a backend compiles shaders / allocates: keep it out of the shown latency.
  await state.classifier?.predict(new Float32Array(IMAGE_SIZE * IMAGE_SIZE));
  showBackend();
}

/** Starts on WebGL, or says why not and falls back to WebAssembly, then JavaScript. */
async function startBackend(): Promise<void> {
  try {
    await activate("webgl");
    return;
  } catch (e) {
    const option = ui.backend.querySelector<HTMLOptionElement>('option[value="webgl"]')!;
    option.disabled = true;
    option.textContent = "WebGL (unavailable here)";
    const msg = (e as Error).message;
    const why = msg.includes("did not become active")
      ? "this browser offers no WebGL"
      : msg.includes("WebGL 2")
      ? "this browser offers only WebGL 1, and convgrad's WebGL kernels need WebGL 2"
      : `it failed: ${msg}`;
    ui.notice.hidden = false;
    ui.notice.textContent =
      `The GPU backend is unavailable: ${why}. Running on WebAssembly instead.`;
  }
  try {
    await activate("wasm");
  } catch (e) {
    ui.backend.querySelector<HTMLOptionElement>('option[value="wasm"]')!.disabled = true;
    ui.notice.textContent += ` WebAssembly failed too (${(e as Error).message}); using JavaScript.`;
    await activate("cpu");
  }
}

async function useModel(id: string): Promise<void> {
  const entry = state.models.find((m) => m.id === id);
  if (entry === undefined) throw new RangeError(`demo: no model '${id}' in models.json`);
  let c = state.loaded.get(id);
  if (c === undefined) {
    c = await Classifier.load(new URL(`model/${entry.path}`, HERE).href);
    state.loaded.set(id, c);
  }
  state.classifier = c;
  await c.predict(new Float32Array(IMAGE_SIZE * IMAGE_SIZE)); // warm-up, as in activate()
  drawFilters(c);
  drawMaps(c, null);
  ui.model.value = id;
  ui.modelInfo.innerHTML = "";
  ui.modelInfo.append(
    `${entry.description}. ${(100 * entry.testAccuracy).toFixed(2)}% on the 10,000 MNIST test ` +
      "digits. Trained with ",
    Object.assign(document.createElement("code"), { textContent: entry.command }),
    ".",
  );
}

async function fetchJson<T>(path: string): Promise<T> {
  const url = new URL(path, HERE);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`demo: cannot load ${url}: HTTP ${res.status}`);
  return await res.json() as T;
}

function setupSamples(file: SampleFile): void {
  for (const s of file.samples) {
    const bytes = Uint8Array.from(atob(s.pixels), (ch) => ch.charCodeAt(0));
    const pixels = Float32Array.from(bytes, (b) => b / 255);
    const li = document.createElement("li"), button = document.createElement("button");
    button.type = "button";
    button.className = "sample";
    button.dataset.label = String(s.label);
    button.setAttribute("aria-pressed", "false");
    button.setAttribute("aria-label", `Test image ${s.index}, a ${s.label}`);
    const thumb = document.createElement("canvas");
    drawDigit(thumb, pixels);
    button.append(
      thumb,
      Object.assign(document.createElement("span"), { textContent: `#${s.index}` }),
    );
    button.addEventListener("click", () =>
      serial(async () => {
        clearPad();
        ui.padHint.hidden = true;
        button.setAttribute("aria-pressed", "true");
        state.source = { pixels, label: s.label };
        // Show the exact 28x28 pixels, blown up, on the pad.
        const tmp = document.createElement("canvas");
        drawDigit(tmp, pixels, true);
        pad.imageSmoothingEnabled = false;
        pad.drawImage(tmp, 0, 0, PAD_UNITS, PAD_UNITS);
        await predictNow();
      }));
    li.append(button);
    ui.samples.append(li);
  }
}

async function start(): Promise<void> {
  setupPad();
  setupBars();
  show(null, null);
  const [models, samples] = await Promise.all([
    fetchJson<ModelEntry[]>("model/models.json"),
    fetchJson<SampleFile>("model/samples.json"),
  ]);
  state.models = models;
  for (const m of models) ui.model.append(new Option(m.name, m.id));
  setupSamples(samples);
  ui.status.textContent = "Starting the GPU backend…";
  await startBackend();
  ui.status.textContent = "Loading the model…";
  await useModel(models[0].id);
  ui.backend.addEventListener("change", () =>
    serial(async () => {
      const name = ui.backend.value as BackendName, previous = tf.getBackend() as BackendName;
      ui.status.textContent = `Switching to ${BACKEND_NAMES[name]}…`;
      try {
        await activate(name);
      } catch (e) {
        // Say so and go back to the backend that worked.
        ui.notice.hidden = false;
        ui.notice.textContent = `${BACKEND_NAMES[name]} did not start (${(e as Error).message}).`;
        await activate(previous);
      }
      ui.status.textContent = `Ready · ${BACKEND_NAMES[tf.getBackend()]}`;
      await predictNow();
    }));
  ui.model.addEventListener("change", () =>
    serial(async () => {
      await useModel(ui.model.value);
      await predictNow();
    }));
  ui.status.textContent = `Ready · ${BACKEND_NAMES[tf.getBackend()]}`;
  performance.mark("convgrad:ready");
  document.body.dataset.ready = "true";
}

serial(start);
