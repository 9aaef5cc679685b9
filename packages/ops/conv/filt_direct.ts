/**
 * The forward correlation on the `wasm` backend for few input channels, from X into Y as they are
 * (NCHW): `filt_direct.wat`.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { WasmBackend } from "../backend_types.ts";
import { heapModule, heapOffset, simdBuild } from "../wasm_heap.ts";
import { padInput } from "./dk_direct.ts";
import * as FILT_DIRECT from "./filt_direct_wasm.ts";
import { geometry } from "./geometry.ts";
import type { Temp } from "./heap_tensors.ts";
import type { ConvAttrs } from "./options.ts";

/** The export of filt_direct.wat (see there): pointers are byte offsets into the backend's heap. */
interface FiltDirect {
  correlate(xp: number, k: number, y: number, ...sizes: number[]): void;
}

/**
 * Whether {@linkcode correlateDirect} takes this convolution: column stride 1, at least 8 output
 * columns and 4 filters (its tile, see `filt_direct.wat`).
 */
export function directFits(
  xShape: readonly number[],
  kShape: readonly number[],
  a: ConvAttrs,
): boolean {
  const g = geometry(xShape, kShape, a);
  return g.sw === 1 && g.Wo >= 8 && g.F >= 4;
}

/**
 * How many filters `filt_direct.wat` takes six at a time: the most that leaves a multiple of 4
 * for its four-filter tile, else the most that leaves at least 4 (the last tile then overlaps).
 */
function filtersBySix(F: number): number {
  for (let six = Math.floor(F / 6) * 6; six >= 0; six -= 6) if ((F - six) % 4 === 0) return six;
  for (let six = Math.floor(F / 6) * 6; six >= 0; six -= 6) if (F - six >= 4) return six;
  return 0;
}

/**
 * y [N,F,Ho,Wo] = filt(x, k) with `filter` the kernel as [kh,kw,C,F], computed as
 * `filt_direct.wat` does: 6 (or 4) filters x 8 output columns in registers, no patches and no
 * relayout.
 * On the MNIST layer (C = 1, 7x7, 32 filters, batch 100) 3.4–3.8 ms against 5.6–5.8 ms for what it
 * replaced (im2row patches, 1.5 ms of it, times the kernel through XNNPACK's GEMM, then the
 * relayout of its NHWC product), in `bench:mnist --profile`.
 *
 * `base64` picks the module's build (tests run both); by default the one this runtime supports.
 */
export function correlateDirect(
  b: WasmBackend,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  a: ConvAttrs,
  kShape: readonly number[],
  temp: Temp,
  base64: string = simdBuild(FILT_DIRECT),
): tf.TensorInfo {
  const g = geometry(x.shape, kShape, a), { N, C, F, Ho, Wo } = g;
  const xp = g.ph === 0 && g.pw === 0 ? x : temp(padInput(b, x, a.pad, 0));
  const y = b.makeOutput([N, F, Ho, Wo], "float32");
  heapModule<FiltDirect>(b, base64).correlate(
    heapOffset(b, xp),
    heapOffset(b, filter),
    heapOffset(b, y),
    N,
    C,
    g.H + 2 * g.ph,
    g.W + 2 * g.pw,
    F,
    g.kh,
    g.kw,
    Ho,
    Wo,
    g.sh,
    filtersBySix(F),
  );
  return y;
}
