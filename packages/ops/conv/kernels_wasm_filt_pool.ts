/**
 * The fused conv → 2x2 max-pool kernels on TF.js's `wasm` backend. The convolution runs as
 * `filt`'s does and hands over NHWC, and `filt_pool.wat` pools straight from it, so the full
 * activation is never relayouted to NCHW, only the pooled quarter; the backward pass spreads dY
 * through the recorded argmax codes into NHWC, the layout both backprops read.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { WasmBackend } from "../backend_types.ts";
import { input, registerKernelOnce } from "../register.ts";
import { heapModule, heapOffset } from "../wasm_heap.ts";
import { geometry } from "./geometry.ts";
import { channelsFirst, channelsLast, withTemps } from "./heap_tensors.ts";
import {
  backpropFilter,
  backpropInputChannelsLast,
  correlateChannelsLast,
} from "./kernels_wasm.ts";
import { WASM_BASE64 } from "./filt_pool_wasm.ts";
import { FILT_POOL, FILT_POOL_BACKPROP_FILTER, FILT_POOL_BACKPROP_INPUT } from "./kernel_names.ts";
import type { ConvAttrs } from "./options.ts";

/** The exports of filt_pool.wat (see there): pointers are byte offsets into the backend's heap. */
interface FiltPoolWasm {
  pool(y: number, out: number, code: number, N: number, Ho: number, Wo: number, F: number): void;
  unpool(dp: number, code: number, dy: number, N: number, Ho: number, Wo: number, F: number): void;
}

type Attrs = ConvAttrs & Record<string, number[]>;

registerKernelOnce({
  kernelName: FILT_POOL,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = backend as unknown as WasmBackend, x = input(inputs, "x"), k = input(inputs, "k");
    const { N, F, Ho, Wo } = geometry(x.shape, k.shape, attrs as unknown as ConvAttrs);
    const Hp = Ho >> 1, Wp = Wo >> 1;
    const code = b.makeOutput([N, Hp, Wp, F / 4], "int32");
    const pooled = withTemps(b, (temp) => {
      const y = temp(correlateChannelsLast(b, x, k, attrs as unknown as ConvAttrs, false));
      const p = temp(b.makeOutput([N, Hp, Wp, F], "float32"));
      heapModule<FiltPoolWasm>(b, WASM_BASE64).pool(
        heapOffset(b, y),
        heapOffset(b, p),
        heapOffset(b, code),
        N,
        Ho,
        Wo,
        F,
      );
      return channelsFirst(b, p); // [N,F,Hp,Wp]
    });
    return [pooled, code];
  },
});

/** dY of the convolution, NHWC [N,Ho,Wo,F], from the pooled gradient dy [N,F,Ho/2,Wo/2]. */
function unpooled(
  b: WasmBackend,
  dy: tf.TensorInfo,
  code: tf.TensorInfo,
  Ho: number,
  Wo: number,
): tf.TensorInfo {
  const [N, F] = dy.shape;
  return withTemps(b, (temp) => {
    const dph = temp(channelsLast(b, dy)); // [N,Ho/2,Wo/2,F]
    const dyh = b.makeOutput([N, Ho, Wo, F], "float32");
    heapModule<FiltPoolWasm>(b, WASM_BASE64).unpool(
      heapOffset(b, dph),
      heapOffset(b, code),
      heapOffset(b, dyh),
      N,
      Ho,
      Wo,
      F,
    );
    return dyh;
  });
}

registerKernelOnce({
  kernelName: FILT_POOL_BACKPROP_INPUT,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = backend as unknown as WasmBackend, a = attrs as unknown as Attrs;
    const k = input(inputs, "k");
    const { Ho, Wo } = geometry(a.inputShape, k.shape, a);
    return withTemps(b, (temp) => {
      const dyh = temp(unpooled(b, input(inputs, "dy"), input(inputs, "code"), Ho, Wo));
      return backpropInputChannelsLast(b, dyh, k, a, a.inputShape);
    });
  },
});

registerKernelOnce({
  kernelName: FILT_POOL_BACKPROP_FILTER,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = backend as unknown as WasmBackend, a = attrs as unknown as Attrs;
    const x = input(inputs, "x");
    const { Ho, Wo } = geometry(x.shape, a.kernelShape, a);
    return withTemps(b, (temp) => {
      const dyh = temp(unpooled(b, input(inputs, "dy"), input(inputs, "code"), Ho, Wo));
      return backpropFilter(b, x, { dyh }, a, a.kernelShape);
    });
  },
});
