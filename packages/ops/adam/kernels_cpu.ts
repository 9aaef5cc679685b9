/**
 * The fused Adam kernel on TF.js's `cpu` backend: one JS loop, every operation rounded to
 * float32 as the stock kernels round it.
 *
 * @module
 */
import { type CpuBackend, cpuFloats } from "../backend_types.ts";
import { input, registerKernelOnce } from "../register.ts";
import { ADAM_UPDATE, type AdamAttrs } from "./kernel_names.ts";

const f = Math.fround;

registerKernelOnce({
  kernelName: ADAM_UPDATE,
  backendName: "cpu",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = backend as unknown as CpuBackend, a = attrs as unknown as AdamAttrs;
    const [x, m, v, g] = ["x", "m", "v", "g"].map((n) => cpuFloats(b, input(inputs, n)));
    const xo = new Float32Array(x.length), mo = new Float32Array(x.length);
    const vo = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const mi = f(f(m[i] * a.b1) + f(g[i] * a.c1));
      const vi = f(f(v[i] * a.b2) + f(f(g[i] * g[i]) * a.c2));
      const step = f(f(mi / a.d1) / f(f(Math.sqrt(f(vi / a.d2))) + a.eps));
      xo[i] = f(step * a.nlr) + x[i];
      mo[i] = mi;
      vo[i] = vi;
    }
    const shape = input(inputs, "x").shape;
    return [xo, mo, vo].map((values) => b.makeTensorInfo(shape, "float32", values));
  },
});
