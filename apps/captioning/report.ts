/**
 * The captioning app's pictures: learning curves, and validation images with their generated
 * and true captions (Vega image and text marks, rendered to PNG by `@convgrad/plot`).
 *
 * @module
 */
import { encodePng, renderVega, savePlot } from "@convgrad/plot";

/** One epoch's validation figures, as the curves need them. */
export interface EpochPoint {
  epoch: number;
  valLoss: number;
  valExactMatch: number;
  valBleu4: number;
}

/**
 * Writes `path.png` and `path.svg`: the training loss per step with the validation loss per
 * epoch, and validation exact match and BLEU-4 per epoch.
 *
 * @example
 * ```ts
 * import { curvesPlot } from "./report.ts";
 * await curvesPlot("/tmp/curves", [{ epoch: 0, loss: 9 }, { epoch: 0.5, loss: 5 }], [
 *   { epoch: 1, valLoss: 4, valExactMatch: 0.2, valBleu4: 0.5 },
 * ], "LSTM captioner");
 * ```
 */
export async function curvesPlot(
  path: string,
  trace: { epoch: number; loss: number }[],
  history: EpochPoint[],
  title: string,
): Promise<void> {
  const losses = [
    ...trace.map((t) => ({ epoch: t.epoch, loss: t.loss, set: "train (per step)" })),
    ...history.map((h) => ({ epoch: h.epoch, loss: h.valLoss, set: "validation" })),
  ];
  const scores = history.flatMap((h) => [
    { epoch: h.epoch, value: h.valExactMatch, metric: "exact match" },
    { epoch: h.epoch, value: h.valBleu4, metric: "BLEU-4" },
  ]);
  await savePlot(path, {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: { text: title, anchor: "middle", offset: 12 },
    resolve: { scale: { color: "independent" } },
    hconcat: [
      {
        title: "loss per caption",
        width: 320,
        height: 220,
        data: { values: losses },
        mark: { type: "line", point: false },
        encoding: {
          x: { field: "epoch", type: "quantitative", title: "epoch" },
          y: { field: "loss", type: "quantitative", scale: { type: "log" }, title: "loss" },
          color: { field: "set", type: "nominal", title: null },
        },
      },
      {
        title: "validation",
        width: 320,
        height: 220,
        data: { values: scores },
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "epoch", type: "quantitative", title: "epoch", axis: { tickMinStep: 1 } },
          y: { field: "value", type: "quantitative", scale: { domain: [0, 1] }, title: null },
          color: { field: "metric", type: "nominal", title: null },
        },
      },
    ],
  });
}

/** One grid cell: a grey image in [0, 1] and its captions (words joined by spaces). */
export interface CaptionedSample {
  image: ArrayLike<number>;
  generated: string;
  truth: string[];
}

/** `text` broken into lines of at most `width` characters at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const w of text.split(" ")) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + w.length <= width) lines[last] += " " + w;
    else lines.push(w);
  }
  return lines;
}

function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/**
 * Writes a PNG grid of `samples` (square images of side `size`, ink dark on white), each with
 * its generated caption (green when it equals a true one, red otherwise) and the true caption.
 *
 * @example
 * ```ts
 * import { captionGrid } from "./report.ts";
 * await captionGrid("/tmp/samples.png", [
 *   { image: new Float32Array(64 * 64), generated: "a large two", truth: ["a large two"] },
 * ], 64);
 * ```
 */
export async function captionGrid(
  path: string,
  samples: CaptionedSample[],
  size: number,
  cols = 4,
): Promise<void> {
  if (samples.length === 0) throw new RangeError("captionGrid: no samples");
  const px = 2 * size, cellW = 260, cellH = px + 70;
  const values = await Promise.all(samples.map(async (s, i) => {
    if (s.image.length !== size * size) {
      throw new RangeError(
        `captionGrid: samples[${i}].image has ${s.image.length} values, expected ${size * size}`,
      );
    }
    const grey = new Uint8Array(size * size);
    for (let j = 0; j < grey.length; j++) {
      grey[j] = 255 - Math.round(255 * Math.min(1, Math.max(0, s.image[j])));
    }
    const ok = s.truth.includes(s.generated);
    return {
      url: `data:image/png;base64,${base64(await encodePng(grey, size, size))}`,
      x: (i % cols) * cellW,
      y: Math.floor(i / cols) * cellH,
      generated: wrap(`gen: ${s.generated}`, 40),
      truth: wrap(`true: ${s.truth[0]}`, 40),
      color: ok ? "#1a7f37" : "#cf222e",
    };
  }));
  const rows = Math.ceil(samples.length / cols);
  const text = (field: string, dy: number, color: Record<string, unknown>) => ({
    type: "text",
    from: { data: "samples" },
    encode: {
      enter: {
        text: { field },
        x: { signal: `datum.x + ${cellW / 2}` },
        y: { signal: `datum.y + ${px + dy}` },
        align: { value: "center" },
        baseline: { value: "top" },
        fontSize: { value: 10 },
        lineHeight: { value: 12 },
        fill: color,
      },
    },
  });
  const { png } = await renderVega({
    $schema: "https://vega.github.io/schema/vega/v5.json",
    width: cols * cellW,
    height: rows * cellH,
    padding: 8,
    data: [{ name: "samples", values }],
    marks: [
      {
        type: "image",
        from: { data: "samples" },
        encode: {
          enter: {
            url: { field: "url" },
            x: { signal: `datum.x + ${(cellW - px) / 2}` },
            y: { field: "y" },
            width: { value: px },
            height: { value: px },
            aspect: { value: false },
            smooth: { value: false },
          },
        },
      },
      text("generated", 6, { field: "color" }),
      text("truth", 34, { value: "#333333" }),
    ],
  }, { scale: 1.5 });
  await Deno.writeFile(path, png);
}
