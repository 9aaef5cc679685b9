/**
 * What the SVM dual's iterative solvers share, in LIBSVM's form (Fan, Chen and Lin, JMLR 2005;
 * Chang and Lin, "LIBSVM", 2011):
 *
 *   min_α ½ αᵀQα − eᵀα   s.t.  0 ≤ α ≤ C,  yᵀα = 0,   Q_ij = y_i y_j K_ij.
 *
 * {@linkcode DualSolver} holds the state (α, the gradient ∇ = Qα − e, Ḡ, the active set, the
 * kernel column cache) and runs the loop: shrink now and then, pick a working set, step on it,
 * update the gradient, until the maximal violating pair's gap is below `tol`, then check the
 * KKT conditions on every point. Subclasses choose the working set and solve the step: SMO
 * (two variables, analytically) and the quadprog decomposition (q variables).
 *
 * Shrinking: bounded multipliers that the gradient keeps pinned leave the loops; the gradient of
 * those shrunk is rebuilt (from `Ḡ`, the gradient's part due to multipliers at C) before the
 * solver may stop.
 *
 * @module
 */
import type { KernelTable } from "./kernels.ts";

/** What the dual solvers return. */
export interface DualResult {
  /** The multipliers. */
  alpha: Float64Array;
  /** `Qα − e`, the gradient of the minimised objective at `alpha`. */
  grad: Float64Array;
  /** The maximal violating pair's gap at the end (below `tol`). */
  gap: number;
  /** Working sets solved. */
  iterations: number;
  /** Kernel values computed (a column fill counts its length). */
  kernelEvaluations: number;
}

/** The options the dual solvers share. */
export interface DualOptions {
  /** Stop when the maximal violating pair's gap `max_{I_up} −y∇ − min_{I_low} −y∇` is below this. Default 1e-5. */
  tol?: number;
  /** Kernel cache size in bytes (float64 columns). Default 200 MiB, LIBSVM's default in scikit-learn. */
  cacheBytes?: number;
  /** LIBSVM's shrinking heuristic. Default true. */
  shrinking?: boolean;
  /** Default max(10⁷, 100 n), as LIBSVM. */
  maxIterations?: number;
}

/** LIBSVM's stand-in for a non-positive curvature `K_ii + K_jj − 2K_ij`. */
export const TAU = 1e-12;
/** Flags of a point: in I_up, in I_low; both when its multiplier is free (0 < α < C). */
export const UP = 1, LOW = 2, FREE = UP | LOW;

/**
 * An LRU cache of kernel columns `K[:, i]`, indexed by point, kept in the kernel table's wasm
 * memory and run by the kernel module (`colGet` in `kernel.wat`, which the SMO loop there calls
 * too), so that columns are written in place. A column holds the entries of the points
 * `active[0..len)` at the time it was filled; it stays valid as long as no point moves from a
 * position at or past `len` to one before it. The solver keeps to that: shrinking only swaps
 * within `active[0..m)` and reports the swaps that cross ({@linkcode ColumnCache.swapped}),
 * growing the active set moves nobody. A request for more entries computes only the missing
 * ones (LIBSVM's cache does the same). Its memory is sized by n: at most n columns of n.
 *
 * @example
 * ```ts
 * import { ColumnCache } from "./dual.ts";
 * import { KernelTable, resolveKernel } from "./kernels.ts";
 * const X = [[0], [1], [2]];
 * const cache = new ColumnCache(new KernelTable(X, resolveKernel("demo", { kernel: "linear" }, X)), 1024);
 * cache.get(2, Int32Array.of(0, 1, 2), 3); // [0, 2, 4]
 * ```
 */
export class ColumnCache {
  readonly #table: KernelTable;
  /** Columns it holds at most. */
  readonly capacity: number;
  readonly #n: number;
  /** Byte offset of its description in the table's memory (see `kernel.wat`). */
  readonly at: number;
  readonly #len: number; // byte offset of [capacity] leading active positions filled
  readonly #scratch: number; // [n] a copy of an active list that lies outside the memory

  /** Reserves its slots in `table`'s memory: take views of that memory only after this. */
  constructor(table: KernelTable, bytes: number) {
    this.#table = table;
    const n = this.#n = table.n;
    const c = this.capacity = Math.max(2, Math.min(n, Math.floor(bytes / (8 * n))));
    const at = this.at = table.alloc(88);
    const slotOf = table.alloc(4 * n), owner = table.alloc(4 * c);
    this.#len = table.alloc(4 * c);
    const prev = table.alloc(4 * c), next = table.alloc(4 * c);
    this.#scratch = table.alloc(4 * n);
    const arena = table.alloc(8 * n * c, false); // entries are computed before they are read
    table.i32(slotOf, n).fill(-1);
    // slotOf, owner, len, prev, next, arena, cap, n, head, tail, used; then the kernel's words.
    table.i32(at, 11).set([slotOf, owner, this.#len, prev, next, arena, c, n, -1, -1, 0]);
    table.describeKernel(at);
    table.f64(at + 80, 1)[0] = 0;
  }

  /** Kernel values computed (a column fill counts its length). */
  get evaluations(): number {
    return this.#table.f64(this.at + 80, 1)[0];
  }

  set evaluations(v: number) {
    this.#table.f64(this.at + 80, 1)[0] = v;
  }

  /** Column i, valid on `active[0..m)`, or on every point when `full`. */
  get(i: number, active: Int32Array, m: number, full = false): Float64Array {
    const t = this.#table, buf = t.wasm.memory.buffer;
    let act = active.byteOffset;
    if (active.buffer !== buf) t.i32(act = this.#scratch, this.#n).set(active.subarray(0, this.#n));
    return t.f64(t.wasm.colGet(this.at, i, act, m, full ? 1 : 0), this.#n);
  }

  /** After positions i < j of the active list swapped: columns holding i but not j are cut to i. */
  swapped(i: number, j: number): void {
    this.#table.wasm.cut(this.at, i, j);
  }
}

/**
 * The state of an iterative dual solver and its main loop; a subclass makes the steps
 * ({@linkcode DualSolver.advance}: pick a working set, move its multipliers, update ∇ and Ḡ).
 * The state lies in the kernel table's memory, described for the kernel module at
 * {@linkcode DualSolver.at}`.solver` (see `kernel.wat`).
 */
export abstract class DualSolver {
  readonly name: string;
  readonly n: number;
  readonly table: KernelTable;
  readonly y: Float64Array;
  readonly C: number;
  readonly tol: number;
  readonly shrinking: boolean;
  readonly maxIterations: number;
  readonly cache: ColumnCache;
  /** `K_ii`. */
  readonly QD: Float64Array;
  readonly alpha: Float64Array;
  /** ∇ = Qα − e. */
  readonly G: Float64Array;
  /** UP | LOW per point (see {@linkcode DualSolver.setFlags}). */
  readonly flags: Uint8Array;
  /** `active[0..m)` are the points the loops visit; the rest are shrunk. */
  readonly active: Int32Array;
  /** Byte offsets in the table's memory of the arrays kept there (for its wasm loops). */
  readonly at: {
    active: number;
    y: number;
    G: number;
    Gbar: number;
    flags: number;
    QD: number;
    coef: number;
    alpha: number;
    solver: number;
  };
  /** The maximal violating pair's gap at the last selection. */
  gap = Infinity;
  iterations = 0;
  #unshrunk = false;
  #m: number;
  readonly #desc: Int32Array; // the solver's description (see kernel.wat)
  readonly #col: Float64Array; // scratch column for reconstruct(), in the table's memory
  readonly #coef: Float64Array; // α·y of the free multipliers for reconstruct(), idem

  constructor(name: string, table: KernelTable, y: Float64Array, C: number, opts: DualOptions) {
    const n = table.n;
    this.name = name;
    this.n = n;
    this.table = table;
    this.C = C;
    this.tol = opts.tol ?? 1e-5;
    this.shrinking = opts.shrinking ?? true;
    this.maxIterations = opts.maxIterations ?? Math.max(1e7, 100 * n);
    const bad = !(this.tol > 0) || !Number.isFinite(this.tol)
      ? ["tol", this.tol, "> 0"] as const
      : !(this.maxIterations >= 1) || !Number.isFinite(this.maxIterations)
      ? ["maxIterations", this.maxIterations, ">= 1"] as const
      : null;
    if (bad) {
      throw new RangeError(`${name}: ${bad[0]} must be a finite number ${bad[2]}, got ${bad[1]}`);
    }
    // Every allocation in the table's memory first, then the views (growth detaches them).
    const at = {
      active: table.alloc(4 * n),
      y: table.alloc(8 * n),
      G: table.alloc(8 * n),
      Gbar: table.alloc(8 * n),
      flags: table.alloc(n),
      QD: table.alloc(8 * n),
      coef: table.alloc(8 * n),
      alpha: table.alloc(8 * n),
      solver: table.alloc(96),
    };
    const colAt = table.alloc(8 * n);
    this.cache = new ColumnCache(table, opts.cacheBytes ?? 200 * 2 ** 20);
    this.at = at;
    this.active = table.i32(at.active, n);
    this.#col = table.f64(colAt, n);
    this.y = table.f64(at.y, n);
    this.y.set(y);
    this.QD = table.f64(at.QD, n);
    this.QD.set(table.diag);
    this.G = table.f64(at.G, n).fill(-1);
    this.flags = new Uint8Array(table.wasm.memory.buffer, at.flags, n);
    this.#coef = table.f64(at.coef, n);
    this.alpha = table.f64(at.alpha, n);
    this.#desc = table.i32(at.solver, 10);
    this.#desc.set([at.active, at.y, at.G, at.Gbar, at.flags, at.QD, at.alpha, this.cache.at, n]);
    table.f64(at.solver + 40, 4).set([C, this.tol, TAU, Infinity]); // C, tol, τ, gap
    this.#m = this.m = n;
    table.wasm.start(at.solver); // every point active, its flags set
  }

  /** Points active: `active[0..m)`. */
  get m(): number {
    return this.#m;
  }

  set m(v: number) {
    this.#m = this.#desc[9] = v;
  }

  /**
   * Makes up to `limit` (≥ 1) steps, each picking a working set and moving its multipliers;
   * returns how many: fewer when a selection found the gap (left in `gap`) below `tol` on the
   * active set, or no working set.
   */
  abstract advance(limit: number): number;

  /** Runs to convergence and checks the KKT conditions on every point. */
  solve(): DualResult {
    // LIBSVM's loop: every iteration counts down to the next shrink, selects and steps; here
    // the steps up to the next shrink (or the cap) are one call to advance().
    let counter = Math.min(this.n, 1000) + 1;
    for (;;) {
      if (this.iterations >= this.maxIterations) {
        throw new Error(
          `${this.name}: no convergence in ${this.maxIterations} iterations (gap ${this.gap}, ` +
            `tol ${this.tol}); raise maxIterations or tol, or check the kernel`,
        );
      }
      if (this.shrinking && --counter === 0) {
        counter = Math.min(this.n, 1000);
        this.shrink();
      }
      // This iteration and the next counter − 1 pass no shrink.
      const limit = Math.min(
        this.shrinking ? counter : Infinity,
        this.maxIterations - this.iterations,
      );
      const steps = this.advance(limit);
      this.iterations += steps;
      if (this.shrinking) counter -= steps - 1;
      if (steps === limit) continue;
      // A selection stopped on the active set (its iteration counted down above).
      if (this.shrinking) counter--;
      if (this.m === this.n) break;
      this.reconstruct();
      counter = 1;
      if (this.advance(1) === 0) break;
      this.iterations++;
    }
    this.checkKKT();
    return {
      alpha: this.alpha.slice(),
      grad: this.G.slice(),
      gap: this.gap,
      iterations: this.iterations,
      kernelEvaluations: this.cache.evaluations,
    };
  }

  /** UP when point t is in I_up (α may grow along y: y = +1, α < C or y = −1, α > 0), LOW when in I_low. */
  setFlags(t: number): void {
    this.table.wasm.setFlags(this.at.solver, t);
  }

  /** After α_k moved from `before`: Ḡ follows the multipliers that reach or leave C, over every point. */
  moveGbar(k: number, before: number): void {
    this.table.wasm.moveGbar(this.at.solver, k, before);
  }

  /** The largest of −y∇ over I_up and of y∇ over I_low, on the active set. */
  violations(): [number, number] {
    const w = this.table.wasm;
    w.violations(this.at.solver);
    return [w.up.value, w.low.value];
  }

  /** Moves the bounded multipliers that the gradient pins to their bound out of the active set. */
  shrink(): void {
    const [up, low] = this.violations();
    if (!this.#unshrunk && up + low <= 10 * this.tol) {
      // Close to the end: rebuild the whole gradient once, so that points shrunk too early
      // come back while there is still work to do.
      this.#unshrunk = true;
      this.reconstruct();
    }
    // LIBSVM's order: each pinned point swaps with the last unpinned one (in the kernel
    // module). Positions before m stay before m, so a cached column loses validity only where
    // the first swap crosses its length (later swaps have larger i and smaller j): it is cut
    // back to that i.
    this.m = this.table.wasm.shrink(this.at.solver, up, low);
    const [firstI, firstJ] = this.table.i32(this.at.solver + 72, 2);
    if (firstI >= 0) this.cache.swapped(firstI, firstJ);
  }

  /** The gradient of the shrunk points, from Ḡ and the free multipliers; every point active again. */
  reconstruct(): void {
    const { active, alpha, y, G, flags, n, table, cache, at } = this, m = this.m;
    if (m === n) return;
    const w = table.wasm;
    const free = w.unshrink(at.solver); // ∇ = Ḡ − 1 on the shrunk points; free ones counted
    if (free * n > 2 * m * (n - m)) {
      // Many free multipliers: one partial column per shrunk point, uncached.
      const col = this.#col, coef = this.#coef;
      for (let a = 0; a < m; a++) {
        const u = active[a];
        coef[u] = flags[u] === FREE ? alpha[u] * y[u] : 0;
      }
      for (let a = m; a < n; a++) {
        const t = active[a];
        table.column(t, col, active, m);
        cache.evaluations += m;
        G[t] += y[t] * w.dot(at.active, 0, m, at.coef, col.byteOffset);
      }
    } else {
      for (let b = 0; b < m; b++) {
        const u = active[b];
        if (flags[u] !== FREE) continue;
        const col = cache.get(u, active, m, true);
        w.axpy(at.active, m, n, at.G, at.y, col.byteOffset, alpha[u] * y[u]);
      }
    }
    // Nobody moves: the cached columns stay valid on their positions, and grow on request.
    this.m = n;
  }

  /**
   * The KKT conditions of the dual on every point (after the loop, every point active): α in
   * [0, C], yᵀα = 0 to rounding, and the maximal violating pair's gap at most `tol`. A failure
   * is a solver defect, reported rather than returned.
   */
  checkKKT(): void {
    const { alpha, C } = this, bad = this.table.wasm.kkt(this.at.solver);
    if (bad >= 0) throw new Error(`${this.name}: α[${bad}] = ${alpha[bad]} left the box [0, ${C}]`);
    const [sum, scale] = this.table.f64(this.at.solver + 80, 2);
    if (Math.abs(sum) > 1e-9 * Math.max(C, scale)) {
      throw new Error(`${this.name}: yᵀα = ${sum}, not 0: the equality constraint drifted`);
    }
    const [up, low] = this.violations();
    // The loop stopped on this gap or on an empty side; a gap above tol means a wrong stop.
    if (up + low > this.tol * (1 + 1e-9)) {
      throw new Error(`${this.name}: stopped with a KKT gap ${up + low} above tol ${this.tol}`);
    }
  }
}
