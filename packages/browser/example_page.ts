/**
 * A page module for the examples and tests of this package: it exposes `add` and `webgl2`
 * (whether WebGL 2 is there), nothing of TF.js.
 *
 * @module
 */
import { expose } from "./expose.ts";

/** The page's `document`, typed here because this package is checked without the DOM library. */
const page = globalThis as unknown as {
  document: { createElement(tag: "canvas"): { getContext(kind: "webgl2"): unknown } };
};

expose({
  add: ({ a, b }: { a: number; b: number }) => a + b,
  webgl2: () => page.document.createElement("canvas").getContext("webgl2") !== null,
});
