/**
 * The matrix-product kernel on TF.js's `cpu` and `webgl` backends: their own `BatchMatMul`, whose
 * products (and transposes) are fine there; on 2-D operands it returns the 2-D product.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { input, registerKernelOnce } from "../register.ts";
import { MAT_MUL } from "./kernel_names.ts";

for (const backendName of ["cpu", "webgl"]) {
  registerKernelOnce({
    kernelName: MAT_MUL,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const k = tf.getKernel("BatchMatMul", backendName);
      if (k === undefined) throw new Error(`convgrad: ${backendName} has no 'BatchMatMul' kernel`);
      return k.kernelFunc({
        inputs: { a: input(inputs, "a"), b: input(inputs, "b") },
        backend,
        attrs: attrs!,
      }) as tf.TensorInfo; // [M,N]
    },
  });
}
