/**
 * The matrix product `op(A)·op(B)` of two 2-D float32 tensors as a kernel of its own with its
 * gradient, for dense layers.
 *
 * Why not stock `tf.matMul`: its gradient multiplies transposed operands, which stock wasm does
 * 10-20x slower than plain ones (dW of the MNIST CNN's first dense layer, `Xᵀ·dZ`: 24 ms against
 * 1.4 ms here), and its plain products reach 17-22 GMAC/s at that layer's shapes against 26-30
 * for ours (medians of 21 interleaved calls). On wasm the kernel is our GEMM (`gemm.wat`), which
 * reads a transposed A through strides at no cost; the cpu and webgl kernels are stock
 * `BatchMatMul`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { MAT_MUL } from "./kernel_names.ts";

/** Options of {@linkcode matMul}. */
export interface MatMulOptions {
  /** Multiply by `aᵀ` instead of `a`. Default false. */
  transposeA?: boolean;
  /** Multiply by `bᵀ` instead of `b`. Default false. */
  transposeB?: boolean;
}

function matrix(name: string, t: unknown): tf.Tensor2D {
  if (!(t instanceof tf.Tensor)) {
    throw new TypeError(`matMul: ${name} must be a tf.Tensor [rows, cols], got ${typeof t}`);
  }
  if (t.rank !== 2) {
    throw new RangeError(`matMul: ${name} must have rank 2, got shape [${t.shape.join(",")}]`);
  }
  if (t.dtype !== "float32") {
    throw new TypeError(`matMul: ${name} must have dtype float32, got ${t.dtype}`);
  }
  return t as tf.Tensor2D;
}

/**
 * `op(a)·op(b)`, `[M,K]·[K,N]` → `[M,N]`, where op transposes its operand when
 * `transposeA`/`transposeB` is set; differentiable in both operands.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { matMul, setBackend } from "@convgrad/ops";
 * await setBackend("wasm");
 * const a = tf.tensor2d([[1, 2], [3, 4]]), b = tf.tensor2d([[5, 6], [7, 8]]);
 * matMul(a, b).print(); // [[19, 22], [43, 50]]
 * matMul(a, b, { transposeA: true }).print(); // [[26, 30], [38, 44]]
 * ```
 */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D, opts: MatMulOptions = {}): tf.Tensor2D {
  const at = matrix("a", a), bt = matrix("b", b);
  const transposeA = opts.transposeA ?? false, transposeB = opts.transposeB ?? false;
  const inner = (t: tf.Tensor2D, transposed: boolean, first: boolean) =>
    t.shape[transposed === first ? 0 : 1];
  const ka = inner(at, transposeA, true), kb = inner(bt, transposeB, false);
  if (ka !== kb) {
    throw new RangeError(
      `matMul: inner sizes differ: a [${at.shape}]${transposeA ? "ᵀ" : ""} has ${ka} columns, ` +
        `b [${bt.shape}]${transposeB ? "ᵀ" : ""} has ${kb} rows`,
    );
  }
  return tf.engine().runKernel(MAT_MUL, { a, b }, { transposeA, transposeB }) as tf.Tensor2D;
}
