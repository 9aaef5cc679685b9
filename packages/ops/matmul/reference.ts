/**
 * The float64 oracle of the matrix product and its gradient.
 *
 * @module
 */

/** A row-major float64 matrix. */
export interface Matrix64 {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** `m` or its transpose, as a new row-major matrix. */
function op(m: Matrix64, transposed: boolean): Matrix64 {
  if (!transposed) return m;
  const data = new Float64Array(m.data.length);
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) data[j * m.rows + i] = m.data[i * m.cols + j];
  }
  return { data, rows: m.cols, cols: m.rows };
}

/**
 * `op(a)·op(b)` in float64 by the definition `c[i,j] = Σ_k op(a)[i,k]·op(b)[k,j]`.
 *
 * @example
 * ```ts
 * import { matMulRef } from "@convgrad/ops/matmul-reference";
 * const m = (data: number[], rows: number, cols: number) => ({ data: Float64Array.from(data), rows, cols });
 * matMulRef(m([1, 2, 3, 4], 2, 2), m([5, 6, 7, 8], 2, 2)).data; // [19, 22, 43, 50]
 * ```
 */
export function matMulRef(
  a: Matrix64,
  b: Matrix64,
  transposeA = false,
  transposeB = false,
): Matrix64 {
  const A = op(a, transposeA), B = op(b, transposeB);
  if (A.cols !== B.rows) {
    throw new RangeError(`matMulRef: inner sizes differ, ${A.cols} against ${B.rows}`);
  }
  const c = new Float64Array(A.rows * B.cols);
  for (let i = 0; i < A.rows; i++) {
    for (let j = 0; j < B.cols; j++) {
      let s = 0;
      for (let k = 0; k < A.cols; k++) s += A.data[i * A.cols + k] * B.data[k * B.cols + j];
      c[i * B.cols + j] = s;
    }
  }
  return { data: c, rows: A.rows, cols: B.cols };
}

/**
 * The gradient of `sum(dc ⊙ (op(a)·op(b)))` with respect to `a` and `b`, from the definition:
 * `∂/∂op(a)[i,k] = Σ_j dc[i,j]·op(b)[k,j]`, `∂/∂op(b)[k,j] = Σ_i op(a)[i,k]·dc[i,j]`, transposed
 * back to the operand's own layout.
 *
 * @example
 * ```ts
 * import { matMulGradRef } from "@convgrad/ops/matmul-reference";
 * const m = (data: number[], rows: number, cols: number) => ({ data: Float64Array.from(data), rows, cols });
 * matMulGradRef(m([1, 2], 1, 2), m([3, 4], 2, 1), m([1], 1, 1)).da.data; // [3, 4]
 * ```
 */
export function matMulGradRef(
  a: Matrix64,
  b: Matrix64,
  dc: Matrix64,
  transposeA = false,
  transposeB = false,
): { da: Matrix64; db: Matrix64 } {
  const A = op(a, transposeA), B = op(b, transposeB);
  const dOpA = new Float64Array(A.rows * A.cols), dOpB = new Float64Array(B.rows * B.cols);
  for (let i = 0; i < A.rows; i++) {
    for (let j = 0; j < B.cols; j++) {
      const g = dc.data[i * B.cols + j];
      for (let k = 0; k < A.cols; k++) {
        dOpA[i * A.cols + k] += g * B.data[k * B.cols + j];
        dOpB[k * B.cols + j] += A.data[i * A.cols + k] * g;
      }
    }
  }
  return {
    da: op({ data: dOpA, rows: A.rows, cols: A.cols }, transposeA),
    db: op({ data: dOpB, rows: B.rows, cols: B.cols }, transposeB),
  };
}
