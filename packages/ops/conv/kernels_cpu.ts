/**
 * The conv kernels on TF.js's `cpu` backend: the loop nests of `loops.ts` on the backend's
 * float32 arrays.
 *
 * @module
 */
import { type CpuBackend, cpuFloats } from "../backend_types.ts";
import { geometry } from "./geometry.ts";
import { backpropFilter, backpropInput, correlate } from "./loops.ts";
import { registerConvKernels } from "./register_kernels.ts";

registerConvKernels<CpuBackend>("cpu", {
  backend: (b) => b as unknown as CpuBackend,
  correlate: (b, x, k, a, flip) => {
    const g = geometry(x.shape, k.shape, a);
    const y = correlate(cpuFloats(b, x), cpuFloats(b, k), g, flip);
    return b.makeTensorInfo([g.N, g.F, g.Ho, g.Wo], "float32", y);
  },
  backpropInput: (b, dy, k, a, inputShape) => {
    const g = geometry(inputShape, k.shape, a);
    return b.makeTensorInfo(
      inputShape,
      "float32",
      backpropInput(cpuFloats(b, dy), cpuFloats(b, k), g),
    );
  },
  backpropFilter: (b, x, dy, a, kernelShape) => {
    const g = geometry(x.shape, kernelShape, a);
    const dk = backpropFilter(cpuFloats(b, x), cpuFloats(b, dy), g);
    return b.makeTensorInfo(kernelShape, "float32", dk);
  },
});
