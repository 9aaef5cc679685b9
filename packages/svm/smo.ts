/**
 * Sequential minimal optimisation for the SVM dual, in LIBSVM's form (Fan, Chen and Lin, JMLR
 * 2005; Chang and Lin, "LIBSVM", 2011):
 *
 *   min_α ½ αᵀQα − eᵀα   s.t.  0 ≤ α ≤ C,  yᵀα = 0,   Q_ij = y_i y_j K_ij.
 *
 * Each step moves two multipliers along the equality constraint: `i` the most violating index
 * going up, `j` the partner with the best second-order decrease (WSS 3). The kernel matrix is
 * never formed: its columns are computed on demand and kept in an LRU cache. Bounded multipliers
 * that the gradient keeps pinned are shrunk away from the loops, and the gradient of the
 * shrunk ones is rebuilt (from `Ḡ`, the gradient's part due to multipliers at C) before the
 * solver may stop.
 *
 * @module
 */
import { type KernelSpec, KernelTable, resolveKernel } from "./kernels.ts";
import { checkC, checkX, checkY } from "./validate.ts";

/** What {@linkcode smo} returns. */
export interface SMOResult {
  /** The multipliers. */
  alpha: Float64Array;
  /** `Qα − e`, the gradient of the minimised objective at `alpha`. */
  grad: Float64Array;
  /** The maximal violating pair's gap at the end (below `tol`). */
  gap: number;
  /** Pairs updated. */
  iterations: number;
  /** Kernel values computed (a column fill counts its length). */
  kernelEvaluations: number;
}

/** Options of {@linkcode smo}. */
export interface SMOOptions {
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
const TAU = 1e-12;
/** Flags of a point: in I_up, in I_low; both when its multiplier is free (0 < α < C). */
const UP = 1, LOW = 2, FREE = UP | LOW;

/**
 * An LRU cache of kernel columns `K[:, i]`, indexed by point. A column computed while some
 * points were shrunk holds only the then active entries; it stays valid until the active set
 * grows again (a new `epoch`), since until then the active set only shrinks.
 *
 * @example
 * ```ts
 * import { ColumnCache } from "./smo.ts";
 * import { KernelTable, resolveKernel } from "./kernels.ts";
 * const X = [[0], [1], [2]];
 * const cache = new ColumnCache(new KernelTable(X, resolveKernel("demo", { kernel: "linear" }, X)), 1024);
 * cache.get(2, Int32Array.of(0, 1, 2), 3); // [0, 2, 4]
 * ```
 */
export class ColumnCache {
  epoch = 0;
  evaluations = 0;
  readonly #table: KernelTable;
  readonly #n: number;
  readonly #capacity: number;
  readonly #slotOf: Int32Array; // point → slot, −1 when not cached
  readonly #owner: Int32Array; // slot → point
  readonly #full: Uint8Array; // slot holds every entry
  readonly #epochOf: Int32Array;
  readonly #prev: Int32Array; // the LRU list: head most recent, tail least
  readonly #next: Int32Array;
  readonly #columns: Float64Array[] = [];
  #head = -1;
  #tail = -1;

  constructor(table: KernelTable, bytes: number) {
    this.#table = table;
    this.#n = table.n;
    this.#capacity = Math.max(2, Math.min(table.n, Math.floor(bytes / (8 * table.n))));
    this.#slotOf = new Int32Array(table.n).fill(-1);
    const c = this.#capacity;
    this.#owner = new Int32Array(c);
    this.#full = new Uint8Array(c);
    this.#epochOf = new Int32Array(c);
    this.#prev = new Int32Array(c);
    this.#next = new Int32Array(c);
  }

  /** Column i, valid on `active[0..m)`, or on every point when `full`. */
  get(i: number, active: Int32Array, m: number, full = false): Float64Array {
    let s = this.#slotOf[i];
    if (s >= 0) {
      this.#unlink(s);
      if (!this.#full[s]) {
        if (this.#epochOf[s] !== this.epoch) this.#fill(s, active, 0, full ? this.#n : m);
        else if (full) this.#fill(s, active, m, this.#n); // the shrunk entries are missing
      }
    } else {
      if (this.#columns.length < this.#capacity) {
        s = this.#columns.length;
        this.#columns.push(new Float64Array(this.#n));
      } else {
        s = this.#tail;
        this.#unlink(s);
        this.#slotOf[this.#owner[s]] = -1;
      }
      this.#owner[s] = i;
      this.#slotOf[i] = s;
      this.#full[s] = 0;
      this.#fill(s, active, 0, full ? this.#n : m);
    }
    this.#prev[s] = -1;
    this.#next[s] = this.#head;
    if (this.#head >= 0) this.#prev[this.#head] = s;
    this.#head = s;
    if (this.#tail < 0) this.#tail = s;
    return this.#columns[s];
  }

  /** Computes the entries `active[from..to)` of slot s's column. */
  #fill(s: number, active: Int32Array, from: number, to: number): void {
    const t = this.#table;
    t.column(t.point(this.#owner[s]), this.#columns[s], active.subarray(from, to), to - from);
    this.evaluations += to - from;
    if (to === this.#n) this.#full[s] = 1;
    this.#epochOf[s] = this.epoch;
  }

  #unlink(s: number): void {
    const p = this.#prev[s], q = this.#next[s];
    if (p >= 0) this.#next[p] = q;
    else if (this.#head === s) this.#head = q;
    if (q >= 0) this.#prev[q] = p;
    else if (this.#tail === s) this.#tail = p;
  }
}

/**
 * Solves the SVM dual by SMO.
 *
 * @param X n points (rows of d features)
 * @param y labels, +1 or −1
 * @param kernel the kernel (see `fitSVM` for the conventions)
 * @param C the box bound, > 0
 *
 * @example
 * ```ts
 * import { smo } from "@convgrad/svm";
 * const { alpha } = smo([[0, 0], [2, 2]], [-1, 1], { kernel: "linear" }, 10); // [0.25, 0.25]
 * ```
 */
export function smo(
  X: ArrayLike<number>[],
  y: ArrayLike<number>,
  kernel: KernelSpec,
  C: number,
  opts: SMOOptions = {},
): SMOResult {
  checkX("smo", X);
  const labels = checkY("smo", y, X.length);
  checkC("smo", C);
  return solveSMO(new KernelTable(X, resolveKernel("smo", kernel, X)), labels, C, opts);
}

/** {@linkcode smo} on checked input. */
export function solveSMO(
  table: KernelTable,
  y: Float64Array,
  C: number,
  opts: SMOOptions = {},
): SMOResult {
  const n = table.n, tol = opts.tol ?? 1e-5, shrinking = opts.shrinking ?? true;
  const maxIterations = opts.maxIterations ?? Math.max(1e7, 100 * n);
  for (const [name, v, lo] of [["tol", tol, 0], ["maxIterations", maxIterations, 1]] as const) {
    if (!(v > lo) || !Number.isFinite(v)) {
      throw new RangeError(`smo: ${name} must be a finite number > ${lo}, got ${v}`);
    }
  }
  const cache = new ColumnCache(table, opts.cacheBytes ?? 200 * 2 ** 20);
  const QD = table.diag;
  const alpha = new Float64Array(n);
  const G = new Float64Array(n).fill(-1); // ∇ = Qα − e
  const Gbar = new Float64Array(n); // C Σ_{α_k = C} Q_:k
  // active[0..m) are the points the loops visit; the rest are shrunk (bounded, pinned).
  const active = new Int32Array(n).map((_, i) => i), spare = new Int32Array(n);
  let m = n;
  // Per point: UP when in I_up (α may grow along y: y = +1, α < C or y = −1, α > 0), LOW when
  // in I_low; a byte, so that the selection loops read one array instead of y and α.
  const flags = new Uint8Array(n);
  const setFlags = (t: number) => {
    const a = alpha[t], pos = y[t] > 0;
    flags[t] = ((pos ? a < C : a > 0) ? UP : 0) | ((pos ? a > 0 : a < C) ? LOW : 0);
  };
  for (let t = 0; t < n; t++) setFlags(t);
  const pick = new Int32Array(2);
  let gap = Infinity;

  /** WSS 3 over the active set into `pick`; false when the gap is below tol. */
  const select = (): boolean => {
    const size = m; // a local: the loops below then keep it in a register
    let Gmax = -Infinity, i = -1;
    for (let a = 0; a < size; a++) {
      const t = active[a];
      if (flags[t] & UP) {
        const v = -y[t] * G[t];
        if (v >= Gmax) (Gmax = v), (i = t);
      }
    }
    if (i < 0) return false; // no index can go up: only when shrinking has emptied I_up
    let Gmax2 = -Infinity, j = -1, best = Infinity;
    const Ki = cache.get(i, active, size);
    for (let a = 0; a < size; a++) {
      const t = active[a];
      if (flags[t] & LOW) {
        const v = y[t] * G[t];
        if (v >= Gmax2) Gmax2 = v;
        const b = Gmax + v;
        if (b > 0) {
          const quad = QD[i] + QD[t] - 2 * Ki[t];
          const gain = -(b * b) / (quad > 0 ? quad : TAU);
          if (gain <= best) (best = gain), (j = t);
        }
      }
    }
    gap = Gmax + Gmax2;
    pick[0] = i;
    pick[1] = j;
    return gap >= tol && j >= 0;
  };

  /** The gradient of the shrunk points, from Ḡ and the free multipliers. */
  const reconstruct = () => {
    if (m === n) return;
    for (let a = m; a < n; a++) G[active[a]] = Gbar[active[a]] - 1;
    let free = 0;
    for (let a = 0; a < m; a++) if (flags[active[a]] === FREE) free++;
    if (free * n > 2 * m * (n - m)) {
      // Many free multipliers: one partial column per shrunk point, uncached.
      const col = new Float64Array(n);
      for (let a = m; a < n; a++) {
        const t = active[a];
        table.column(table.point(t), col, active, m);
        cache.evaluations += m;
        let s = 0;
        for (let b = 0; b < m; b++) {
          const u = active[b];
          if (flags[u] === FREE) s += alpha[u] * y[u] * col[u];
        }
        G[t] += y[t] * s;
      }
    } else {
      for (let b = 0; b < m; b++) {
        const u = active[b];
        if (flags[u] !== FREE) continue;
        const col = cache.get(u, active, m, true), s = alpha[u] * y[u];
        for (let a = m; a < n; a++) G[active[a]] += y[active[a]] * s * col[active[a]];
      }
    }
    m = n;
    active.sort(); // back to memory order: the column loops then walk the points forward
    cache.epoch++;
  };

  let unshrunk = false;
  /** Moves the bounded multipliers that the gradient pins to their bound out of the active set. */
  const shrink = () => {
    let Gmax1 = -Infinity, Gmax2 = -Infinity; // max over I_up of −y∇, over I_low of y∇
    for (let a = 0; a < m; a++) {
      const t = active[a];
      if (flags[t] & UP) Gmax1 = Math.max(Gmax1, -y[t] * G[t]);
      if (flags[t] & LOW) Gmax2 = Math.max(Gmax2, y[t] * G[t]);
    }
    if (!unshrunk && Gmax1 + Gmax2 <= 10 * tol) {
      // Close to the end: rebuild the whole gradient once, so that points shrunk too early
      // come back while there is still work to do.
      unshrunk = true;
      reconstruct();
    }
    let kept = 0, out = 0;
    for (let a = 0; a < m; a++) {
      const t = active[a], g = G[t];
      const pinned = alpha[t] >= C
        ? (y[t] > 0 ? -g > Gmax1 : -g > Gmax2)
        : alpha[t] <= 0
        ? (y[t] > 0 ? g > Gmax2 : g > Gmax1)
        : false;
      if (pinned) spare[out++] = t;
      else active[kept++] = t;
    }
    active.set(spare.subarray(0, out), kept);
    m = kept;
  };

  let iterations = 0, counter = Math.min(n, 1000) + 1;
  for (;; iterations++) {
    if (iterations >= maxIterations) {
      throw new Error(
        `smo: no convergence in ${maxIterations} iterations (gap ${gap}, tol ${tol}); ` +
          "raise maxIterations or tol, or check the kernel",
      );
    }
    if (shrinking && --counter === 0) {
      counter = Math.min(n, 1000);
      shrink();
    }
    if (!select()) {
      if (m === n) break;
      reconstruct();
      counter = 1;
      if (!select()) break;
    }
    const i = pick[0], j = pick[1];
    const Ki = cache.get(i, active, m), Kj = cache.get(j, active, m);
    const yi = y[i], yj = y[j], ai = alpha[i], aj = alpha[j];
    const quad = Math.max(QD[i] + QD[j] - 2 * Ki[j], TAU);
    // The unconstrained step along y_i α_i + y_j α_j = const, clipped to the box.
    if (yi !== yj) {
      const delta = (-G[i] - G[j]) / quad, diff = ai - aj;
      alpha[i] += delta;
      alpha[j] += delta;
      if (diff > 0 ? alpha[j] < 0 : alpha[i] < 0) {
        if (diff > 0) (alpha[j] = 0), (alpha[i] = diff);
        else (alpha[i] = 0), (alpha[j] = -diff);
      }
      if (diff > 0 ? alpha[i] > C : alpha[j] > C) {
        if (diff > 0) (alpha[i] = C), (alpha[j] = C - diff);
        else (alpha[j] = C), (alpha[i] = C + diff);
      }
    } else {
      const delta = (G[i] - G[j]) / quad, sum = ai + aj;
      alpha[i] -= delta;
      alpha[j] += delta;
      if (sum > C ? alpha[i] > C : alpha[j] < 0) {
        if (sum > C) (alpha[i] = C), (alpha[j] = sum - C);
        else (alpha[j] = 0), (alpha[i] = sum);
      }
      if (sum > C ? alpha[j] > C : alpha[i] < 0) {
        if (sum > C) (alpha[j] = C), (alpha[i] = sum - C);
        else (alpha[i] = 0), (alpha[j] = sum);
      }
    }
    setFlags(i);
    setFlags(j);
    // ∇_t += Q_ti Δα_i + Q_tj Δα_j, with Q_ti = y_t y_i K_ti.
    const di = (alpha[i] - ai) * yi, dj = (alpha[j] - aj) * yj, size = m;
    for (let a = 0; a < size; a++) {
      const t = active[a];
      G[t] += y[t] * (Ki[t] * di + Kj[t] * dj);
    }
    // Ḡ follows the multipliers that reach or leave C, over every point.
    for (const [k, before] of [[i, ai], [j, aj]]) {
      const was = before >= C, is = alpha[k] >= C;
      if (was === is) continue;
      const col = cache.get(k, active, m, true), s = (is ? C : -C) * y[k];
      for (let t = 0; t < n; t++) Gbar[t] += y[t] * s * col[t];
    }
  }
  return { alpha, grad: G, gap, iterations, kernelEvaluations: cache.evaluations };
}
