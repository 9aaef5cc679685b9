/**
 * Minimum-norm least squares in float64 through a one-sided Jacobi SVD. ABC-Net's bases can
 * coincide (a small tensor, many bases), which makes `BᵀB` singular: the normal equations have no
 * unique solution there and are ill-conditioned near it, while the SVD gives the minimum-norm
 * solution `A⁺b` and treats exactly dependent columns as exact zeros.
 *
 * @module
 */

/** A factorised matrix `A` that solves `min ‖A x − b‖` for any right-hand side `b`. */
export interface MinNormSolver {
  /** Rows of `A`. */
  rows: number;
  /** Columns of `A`, the length of every solution. */
  cols: number;
  /** Numerical rank of `A`: singular values above `max(rows, cols) · ε · σ_max`. */
  rank: number;
  /** Singular values of `A`, in column order of the factorisation (not sorted). */
  singularValues: Float64Array;
  /** `A⁺ b`: the least-squares solution of smallest Euclidean norm; `b` has `rows` entries. */
  solve(b: ArrayLike<number>): Float64Array;
}

/** Rotations stop when every column pair's cosine is below this. */
const ORTHOGONAL = Number.EPSILON;
/** Jacobi converges quadratically; this cap is never met by the small systems used here. */
const MAX_SWEEPS = 64;

/**
 * Factorises `a` (row-major, `rows × cols`) as `A V = U Σ` by Hestenes' one-sided Jacobi method:
 * plane rotations applied to column pairs until all columns are mutually orthogonal. The rotated
 * columns are `σ_j u_j`, the accumulated rotations are `V`.
 *
 * @example
 * ```ts
 * import { minNormSolver } from "@convgrad/ops";
 * // Two identical columns: x1 + x2 = 2 has the minimum-norm solution (1, 1).
 * const s = minNormSolver(Float64Array.of(1, 1, 1, 1), 2, 2);
 * console.log(s.rank, s.solve([2, 2])); // 1 Float64Array [1, 1]
 * ```
 */
export function minNormSolver(a: ArrayLike<number>, rows: number, cols: number): MinNormSolver {
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(cols) || cols < 1) {
    throw new RangeError(
      `minNormSolver: rows and cols must be positive integers, got ${rows} x ${cols}`,
    );
  }
  if (a?.length !== rows * cols) {
    throw new RangeError(
      `minNormSolver: a must have rows·cols = ${rows * cols} entries, got ${a?.length}`,
    );
  }
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) {
      throw new RangeError(`minNormSolver: a[${i}] must be finite, got ${a[i]}`);
    }
  }
  const U = Array.from({ length: cols }, (_, j) => {
    const c = new Float64Array(rows);
    for (let i = 0; i < rows; i++) c[i] = a[i * cols + j];
    return c;
  });
  const V = Array.from({ length: cols }, (_, j) => {
    const c = new Float64Array(cols);
    c[j] = 1;
    return c;
  });
  const rotate = (x: Float64Array, y: Float64Array, c: number, s: number) => {
    for (let i = 0; i < x.length; i++) {
      const xi = x[i], yi = y[i];
      x[i] = c * xi - s * yi;
      y[i] = s * xi + c * yi;
    }
  };
  for (let sweep = 0, rotated = true; rotated && sweep < MAX_SWEEPS; sweep++) {
    rotated = false;
    for (let p = 0; p < cols - 1; p++) {
      for (let q = p + 1; q < cols; q++) {
        const up = U[p], uq = U[q];
        let alpha = 0, beta = 0, gamma = 0;
        for (let i = 0; i < rows; i++) {
          alpha += up[i] * up[i];
          beta += uq[i] * uq[i];
          gamma += up[i] * uq[i];
        }
        if (Math.abs(gamma) <= ORTHOGONAL * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        // The rotation angle that zeroes the pair's inner product: t = tan θ is the smaller root
        // of t² + 2ζt − 1 = 0, which keeps the rotation close to the identity.
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t), s = c * t;
        rotate(up, uq, c, s);
        rotate(V[p], V[q], c, s);
      }
    }
  }
  const singularValues = Float64Array.from(U, (u) => Math.sqrt(u.reduce((s, v) => s + v * v, 0)));
  const tol = Math.max(rows, cols) * Number.EPSILON * Math.max(...singularValues);
  const kept = [...singularValues.keys()].filter((j) => singularValues[j] > tol);
  return {
    rows,
    cols,
    rank: kept.length,
    singularValues,
    solve(b: ArrayLike<number>): Float64Array {
      if (b?.length !== rows) {
        throw new RangeError(`MinNormSolver.solve: b must have ${rows} entries, got ${b?.length}`);
      }
      // x = Σ_j v_j (u_jᵀ b) / σ_j, with U's columns holding σ_j u_j.
      const x = new Float64Array(cols);
      for (const j of kept) {
        let dot = 0;
        for (let i = 0; i < rows; i++) dot += U[j][i] * b[i];
        const f = dot / (singularValues[j] * singularValues[j]);
        for (let i = 0; i < cols; i++) x[i] += f * V[j][i];
      }
      return x;
    },
  };
}
