/**
 * A page module for the examples and tests of this package: it exposes `add` and `webgl2`
 * (whether WebGL 2 is there), nothing of TF.js.
 *
 * @module
 */
import { expose } from "./expose.ts";

expose({
  add: ({ a, b }: { a: number; b: number }) => a + b,
  webgl2: () => document.createElement("canvas").getContext("webgl2") !== null,
});
