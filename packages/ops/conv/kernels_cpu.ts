/**
 * The conv kernels on TF.js's `cpu` backend: the loop nests of `loops.ts` on the backend's
 * float32 arrays.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { input, registerKernelOnce } from "../register.ts";
import { fullAttrs, geometry } from "./geometry.ts";
import { FILT, FILT_BACKPROP_FILTER, FILT_BACKPROP_INPUT, FULL, VALID } from "./kernel_names.ts";
import { backpropFilter, backpropInput, correlate } from "./loops.ts";
import type { ConvAttrs } from "./options.ts";

interface CpuBackend {
  data: { get(dataId: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: "float32", values: Float32Array): tf.TensorInfo;
}

const values = (b: CpuBackend, t: tf.TensorInfo) => b.data.get(t.dataId).values;

function forward(flip: boolean, attrsOf: (k: tf.TensorInfo, a: ConvAttrs) => ConvAttrs) {
  return ({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]) => {
    const b = backend as unknown as CpuBackend;
    const x = input(inputs, "x"), k = input(inputs, "k");
    const g = geometry(x.shape, k.shape, attrsOf(k, attrs as unknown as ConvAttrs));
    const y = correlate(values(b, x), values(b, k), g, flip);
    return b.makeTensorInfo([g.N, g.F, g.Ho, g.Wo], "float32", y);
  };
}

registerKernelOnce({
  kernelName: FILT,
  backendName: "cpu",
  kernelFunc: forward(false, (_k, a) => a),
});
registerKernelOnce({
  kernelName: VALID,
  backendName: "cpu",
  kernelFunc: forward(true, (_k, a) => a),
});
registerKernelOnce({
  kernelName: FULL,
  backendName: "cpu",
  kernelFunc: forward(true, (k) => fullAttrs(k.shape)),
});

registerKernelOnce({
  kernelName: FILT_BACKPROP_INPUT,
  backendName: "cpu",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = backend as unknown as CpuBackend;
    const dy = input(inputs, "dy"), k = input(inputs, "k");
    const a = attrs as unknown as ConvAttrs & { inputShape: number[] };
    const g = geometry(a.inputShape, k.shape, a);
    return b.makeTensorInfo(a.inputShape, "float32", backpropInput(values(b, dy), values(b, k), g));
  },
});

registerKernelOnce({
  kernelName: FILT_BACKPROP_FILTER,
  backendName: "cpu",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = backend as unknown as CpuBackend;
    const x = input(inputs, "x"), dy = input(inputs, "dy");
    const a = attrs as unknown as ConvAttrs & { kernelShape: number[] };
    const g = geometry(x.shape, a.kernelShape, a);
    return b.makeTensorInfo(
      a.kernelShape,
      "float32",
      backpropFilter(values(b, x), values(b, dy), g),
    );
  },
});
