/**
 * Kernels with scikit-learn's conventions, and the kernel table every solver and every model
 * evaluates them through.
 *
 * @module
 */
import { WASM_BASE64 } from "./kernel_wasm.ts";
import { fromBase64 } from "@convgrad/base";

/** A kernel on two points. */
export type KernelFn = (a: ArrayLike<number>, b: ArrayLike<number>) => number;

/** A kernel by name with its parameters (scikit-learn's), or a function. */
export interface KernelSpec {
  /** linear `x·z`, rbf `exp(−γ‖x − z‖²)`, poly `(γ x·z + coef0)^degree`, or a function. */
  kernel: "linear" | "rbf" | "poly" | KernelFn;
  /** rbf and poly: default `1 / (d · var(X))` (scikit-learn's `"scale"`). */
  gamma?: number;
  /** poly: default 3. */
  degree?: number;
  /** poly: default 0. */
  coef0?: number;
}

/** A kernel with every parameter fixed and checked (see {@linkcode resolveKernel}). */
export interface Kernel {
  /** As in {@linkcode KernelSpec}. */
  kernel: "linear" | "rbf" | "poly" | KernelFn;
  /** rbf and poly; NaN for the others. */
  gamma: number;
  /** poly; NaN for the others. */
  degree: number;
  /** poly; NaN for the others. */
  coef0: number;
}

/**
 * Checks a kernel spec and fixes its defaults; `gamma` defaults to scikit-learn's `"scale"`,
 * `1 / (d · var(X))` over all entries of X, computed here so that a model carries the number.
 *
 * @example
 * ```ts
 * import { resolveKernel } from "@convgrad/svm";
 * resolveKernel("fit", { kernel: "poly" }, [[0, 0], [2, 2]]);
 * // { kernel: "poly", gamma: 0.5, degree: 3, coef0: 0 }
 * ```
 */
export function resolveKernel(op: string, spec: KernelSpec, X: ArrayLike<number>[]): Kernel {
  if (spec === null || typeof spec !== "object") {
    throw new TypeError(`${op}: options must be an object {kernel, ...}, got ${spec}`);
  }
  const { kernel } = spec;
  if (typeof kernel === "function" || kernel === "linear") {
    return { kernel, gamma: NaN, degree: NaN, coef0: NaN };
  }
  if (kernel !== "rbf" && kernel !== "poly") {
    throw new RangeError(
      `${op}: kernel must be 'linear', 'rbf', 'poly' or a function, got ${String(kernel)}`,
    );
  }
  const gamma = spec.gamma ?? scaleGamma(X);
  if (typeof gamma !== "number" || !(gamma > 0) || !Number.isFinite(gamma)) {
    throw new RangeError(`${op}: gamma must be a finite number > 0, got ${spec.gamma}`);
  }
  if (kernel === "rbf") return { kernel, gamma, degree: NaN, coef0: NaN };
  const degree = spec.degree ?? 3, coef0 = spec.coef0 ?? 0;
  if (!Number.isInteger(degree) || degree < 1) {
    throw new RangeError(`${op}: degree must be an integer >= 1, got ${spec.degree}`);
  }
  if (typeof coef0 !== "number" || !Number.isFinite(coef0)) {
    throw new RangeError(`${op}: coef0 must be a finite number, got ${spec.coef0}`);
  }
  return { kernel, gamma, degree, coef0 };
}

/** scikit-learn's `gamma="scale"`: 1 / (features · variance of all entries of X). */
function scaleGamma(X: ArrayLike<number>[]): number {
  let s = 0, s2 = 0, count = 0;
  for (const x of X) {
    for (let j = 0; j < x.length; j++) (s += x[j]), (s2 += x[j] * x[j]), count++;
  }
  const m = s / count, v = s2 / count - m * m;
  return 1 / (X[0].length * (v > 0 ? v : 1));
}

/** The exports of `kernel.wat`: kernel columns, and SMO's loops (see there). */
export interface KernelWasm {
  memory: WebAssembly.Memory;
  up: WebAssembly.Global;
  low: WebAssembly.Global;
  maxUp(active: number, m: number, flags: number, y: number, G: number): number;
  partner(
    active: number,
    m: number,
    flags: number,
    y: number,
    G: number,
    QD: number,
    Ki: number,
    Kii: number,
    tau: number,
  ): number;
  axpy(
    active: number,
    from: number,
    to: number,
    G: number,
    y: number,
    col: number,
    s: number,
  ): void;
  dot(active: number, from: number, to: number, u: number, v: number): number;
  update2(
    active: number,
    m: number,
    flags: number,
    y: number,
    G: number,
    Ki: number,
    Kj: number,
    di: number,
    dj: number,
  ): number;
  colGet(cache: number, i: number, active: number, m: number, full: number): number;
  setFlags(solver: number, t: number): void;
  start(solver: number): void;
  cut(cache: number, i: number, j: number): void;
  unshrink(solver: number): number;
  kkt(solver: number): number;
  moveGbar(solver: number, k: number, before: number): void;
  smo(solver: number, limit: number): number;
  prepare(pts: number, sq: number, ident: number, n: number, d: number, dp: number): void;
  diag(
    pts: number,
    sq: number,
    dp: number,
    ident: number,
    n: number,
    out: number,
    kind: number,
    gamma: number,
    coef0: number,
    degree: number,
  ): void;
  violations(solver: number): void;
  shrink(solver: number, up: number, low: number): number;
  rows(
    z: number,
    zz: number,
    pts: number,
    sq: number,
    dp: number,
    idx: number,
    m: number,
    out: number,
    kind: number,
    gamma: number,
    coef0: number,
    degree: number,
  ): void;
}

/**
 * `kernel.wat`, compiled when the package loads (about 0.5 ms in a fresh process), as a native
 * library is loaded with its package: a user's first fit then does not wait for it.
 */
const KERNEL_MODULE = new WebAssembly.Module(fromBase64(WASM_BASE64));

/**
 * The memory of the table released last, for the next table made (see
 * {@linkcode KernelTable.release}). Weakly held: the garbage collector may take it back when no
 * table follows soon.
 */
let spare: WeakRef<WebAssembly.Memory> | undefined;

/**
 * A fresh instance of `kernel.wat` (one per table: each table owns its memory while it lives) on
 * `memory`, `columnFn` the column of a JS kernel function (its arguments as the module's import
 * of that name).
 */
function instantiate(
  memory: WebAssembly.Memory,
  columnFn: (i: number, out: number, idx: number, m: number) => void,
): KernelWasm {
  return new WebAssembly.Instance(KERNEL_MODULE, { env: { memory, columnFn } })
    .exports as unknown as KernelWasm;
}

/** The kernels' codes in `kernel.wat`; 3 is a JS function. */
const KIND = { linear: 0, rbf: 1, poly: 2 } as const;
const FUNCTION_KIND = 3;
/** Query points per {@linkcode KernelTable.block} call. */
const BLOCK = 16;
/** The table's points per pass of block(): a chunk that a core's L2 cache holds. */
const CHUNK_BYTES = 256 * 1024;
const PAGE = 65536;

/**
 * Points stored flat in the memory of our wasm kernel module (`kernel.wat`: dot products four
 * points at a time in f64x2 SIMD, rbf's exp vectorised too), so that a whole column
 * `k(z, x_t)` is one call: the SMO solver's kernel cache fills its columns here, the dense QP
 * builds its matrix here, and a model's decision function evaluates its support vectors here
 * ({@linkcode KernelTable.block}), so all see the same kernel values to the last bit. rbf uses
 * `‖z − x‖² = ‖z‖² + ‖x‖² − 2 z·x` with the squared norms computed once.
 *
 * A solver may place its own arrays in the table's memory ({@linkcode KernelTable.alloc}); a
 * column whose output (and index list) lies there is computed in place, without copies.
 *
 * @example
 * ```ts
 * import { KernelTable, resolveKernel } from "@convgrad/svm";
 * const X = [[0, 0], [1, 0]];
 * const table = new KernelTable(X, resolveKernel("demo", { kernel: "rbf", gamma: 1 }, X));
 * const out = new Float64Array(2);
 * table.column(table.point(0), out); // [1, exp(-1)]
 * ```
 */
export class KernelTable {
  /** Query points per {@linkcode KernelTable.block} call. */
  static readonly BLOCK = BLOCK;
  /** Number of points. */
  readonly n: number;
  /** Features per point. */
  readonly d: number;
  /** `k(x_i, x_i)` for every point. */
  readonly diag: Float64Array; // [n]
  /** The kernel, resolved. */
  readonly kernel: Kernel;
  /** The table's instance of `kernel.wat`, for solvers that run their loops there too. */
  readonly wasm: KernelWasm;
  readonly #dp: number; // d rounded up to even: a row is whole f64x2 lanes
  readonly #pts: number; // byte offsets in the wasm memory: [n,dp] points
  readonly #sq: number; // [n] ‖x_i‖²
  readonly #z: number; // [dp] the query point of column()
  readonly #idx: number; // [n] int32 scratch index list
  readonly #ident: number; // [n] int32 0..n−1
  readonly #out: number; // [n] scratch output
  readonly #qz: number; // [BLOCK,dp] query points of block()
  readonly #qout: number; // [BLOCK,n] block()'s output
  #top: number; // first free byte
  readonly #reused: boolean; // the memory was a released table's: not zeroed
  #released = false;
  #ready = false; // the views below exist
  #view!: {
    sq: Float64Array;
    z: Float64Array;
    idx: Int32Array;
    ident: Int32Array;
    out: Float64Array;
    qz: Float64Array;
    qout: Float64Array;
  };

  /**
   * `X`: n points of d features, already checked; `kernel`: from {@linkcode resolveKernel};
   * `reuse`: take over the memory of the table released last, if the garbage collector has not
   * taken it (for a table that serves one solve and is released after it: a long-lived one would
   * keep that memory, however large, as long as it lives).
   */
  constructor(X: ArrayLike<number>[], kernel: Kernel, { reuse = false } = {}) {
    this.n = X.length;
    this.d = X[0].length;
    this.kernel = kernel;
    const reused = reuse ? spare?.deref() : undefined;
    if (reuse) spare = undefined;
    this.#reused = reused !== undefined;
    this.wasm = instantiate(reused ?? new WebAssembly.Memory({ initial: 1 }), (i, out, idx, m) => {
      const buf = this.wasm.memory.buffer;
      this.#columnFn(
        this.kernel.kernel as KernelFn,
        i,
        new Float64Array(buf, out, this.n),
        new Int32Array(buf, idx, m),
        m,
      );
    });
    const n = this.n, dp = this.#dp = this.d + (this.d & 1);
    this.#top = 0;
    this.#pts = this.alloc(8 * n * dp);
    this.#sq = this.alloc(8 * n);
    this.#z = this.alloc(8 * dp);
    this.#idx = this.alloc(4 * n);
    this.#ident = this.alloc(4 * n);
    this.#out = this.alloc(8 * n);
    this.#qz = this.alloc(8 * BLOCK * dp);
    this.#qout = this.alloc(8 * BLOCK * n);
    this.#renew();
    this.#ready = true;
    const pts = this.f64(this.#pts, n * dp);
    for (let i = 0; i < n; i++) pts.set(X[i], i * dp);
    // ‖x_i‖², the identity list and k(x_i, x_i) in the kernel module: point by point in JS they
    // took a third of a table's set-up in a fresh process.
    const w = this.wasm, { kernel: k, gamma, degree, coef0 } = kernel;
    w.prepare(this.#pts, this.#sq, this.#ident, n, this.d, dp);
    this.diag = new Float64Array(n);
    if (typeof k === "function") {
      const { ident } = this.#view;
      for (let i = 0; i < n; i++) this.#columnFn(k, i, this.diag, ident.subarray(i, i + 1), 1);
    } else {
      w.diag(this.#pts, this.#sq, dp, this.#ident, n, this.#out, KIND[k], gamma, coef0, degree);
      this.diag.set(this.#view.out);
    }
  }

  /**
   * Reserves `bytes` (16-aligned) in the table's memory and returns their byte offset: zeroed,
   * unless `zeroed` is false (for a region whose every entry is written before it is read).
   * Growing the memory detaches every view taken before: allocate first, then take views.
   */
  alloc(bytes: number, zeroed = true): number {
    this.#live();
    const at = this.#top, mem = this.wasm.memory;
    this.#top = at + Math.ceil(bytes / 16) * 16;
    const need = Math.ceil(this.#top / PAGE) - mem.buffer.byteLength / PAGE;
    if (need > 0) {
      mem.grow(need);
      if (this.#ready) this.#renew(); // growth detached them
    }
    if (this.#reused && zeroed) new Uint8Array(mem.buffer, at, this.#top - at).fill(0);
    return at;
  }

  /**
   * Hands the table's memory to the next table made with `reuse` in this process, whose set-up
   * and kernel cache then write to pages already mapped: a fresh page costs the first write about
   * 1.4 µs here, a fifth of an n = 500 SMO fit. Nothing may use the table, its views or its
   * `wasm` after this.
   *
   * @example
   * ```ts
   * import { KernelTable, resolveKernel } from "@convgrad/svm";
   * const X = [[0, 0], [1, 0]], kernel = resolveKernel("demo", { kernel: "linear" }, X);
   * new KernelTable(X, kernel, { reuse: true }).release();
   * new KernelTable(X, kernel, { reuse: true }).diag; // [0, 1], in the first table's memory
   * ```
   */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    spare = new WeakRef(this.wasm.memory);
  }

  #live(): void {
    if (this.#released) throw new Error("KernelTable: used after release()");
  }

  /** {@linkcode KernelTable.release}, for `using table = new KernelTable(…)`. */
  [Symbol.dispose](): void {
    this.release();
  }

  /**
   * Writes the kernel's part of a column cache's description at byte `at` of the table's
   * memory (its words 44–79, see `kernel.wat`), so that the module computes its columns.
   */
  describeKernel(at: number): void {
    const buf = this.wasm.memory.buffer, i32 = new Int32Array(buf, at, 16);
    const f64 = new Float64Array(buf, at + 64, 2), { kernel, gamma, coef0, degree } = this.kernel;
    i32.set([typeof kernel === "function" ? FUNCTION_KIND : KIND[kernel], this.#pts, this.#sq], 11);
    i32.set([this.#dp, typeof kernel === "function" ? 0 : degree | 0], 14);
    f64.set([gamma, coef0]);
  }

  /** The table's own views of its scratch regions. */
  #renew(): void {
    const n = this.n, buf = this.wasm.memory.buffer;
    this.#view = {
      sq: new Float64Array(buf, this.#sq, n),
      z: new Float64Array(buf, this.#z, this.#dp),
      idx: new Int32Array(buf, this.#idx, n),
      ident: new Int32Array(buf, this.#ident, n),
      out: new Float64Array(buf, this.#out, n),
      qz: new Float64Array(buf, this.#qz, BLOCK * this.#dp),
      qout: new Float64Array(buf, this.#qout, BLOCK * n),
    };
  }

  /** A float64 view of `length` entries at byte `offset` of the table's memory. */
  f64(offset: number, length: number): Float64Array {
    return new Float64Array(this.wasm.memory.buffer, offset, length);
  }

  /** An int32 view of `length` entries at byte `offset` of the table's memory. */
  i32(offset: number, length: number): Int32Array {
    return new Int32Array(this.wasm.memory.buffer, offset, length);
  }

  /** Point `i`'s features (a copy). */
  point(i: number): Float64Array {
    return this.f64(this.#pts + 8 * i * this.#dp, this.d).slice();
  }

  /**
   * `out[t] = k(z, x_t)` for `t = idx[0], …, idx[m − 1]`, or for every point when `idx` is
   * omitted; the other entries of `out` are left as they are. `z` is a point, or the index of
   * one of the table's. When `out` (and `idx`) lie in the table's memory, the wasm module writes
   * them in place; else through scratch space and a copy.
   */
  column(z: number | ArrayLike<number>, out: Float64Array, idx?: Int32Array, m = this.n): void {
    this.#live();
    const { kernel, gamma, degree, coef0 } = this.kernel;
    const v = this.#view;
    if (typeof kernel === "function") return this.#columnFn(kernel, z, out, idx ?? v.ident, m);
    const w = this.wasm, buf = w.memory.buffer, dp = this.#dp;
    let zAt: number, zz: number;
    if (typeof z === "number") {
      zAt = this.#pts + 8 * z * dp;
      zz = v.sq[z];
    } else {
      v.z.set(z);
      zz = 0;
      for (let k = 0; k < this.d; k++) zz += v.z[k] * v.z[k];
      zAt = this.#z;
    }
    const inPlace = out.buffer === buf;
    let idxAt = this.#ident;
    if (idx && idx.buffer === buf) idxAt = idx.byteOffset;
    else if (idx) (idxAt = this.#idx), v.idx.set(idx.subarray(0, m));
    const outAt = inPlace ? out.byteOffset : this.#out;
    w.rows(zAt, zz, this.#pts, this.#sq, dp, idxAt, m, outAt, KIND[kernel], gamma, coef0, degree);
    if (inPlace) return;
    if (!idx) out.set(v.out.subarray(0, m));
    else for (let a = 0; a < m; a++) out[idx[a]] = v.out[idx[a]];
  }

  /**
   * `k(Z[q], x_t)` for up to {@linkcode KernelTable.BLOCK} points `Z[from..from + count)` and every
   * point t of the table, as a view `[count, n]` (valid until the next call). The table's points
   * are taken in chunks that stay in cache while every query of the block meets them: the points
   * then cross the memory bus once per block rather than once per query.
   */
  block(Z: ArrayLike<number>[], from: number, count: number): Float64Array {
    this.#live();
    const v = this.#view, n = this.n, dp = this.#dp, { kernel, gamma, degree, coef0 } = this.kernel;
    if (!(count >= 1 && count <= BLOCK)) {
      throw new RangeError(`block: count must be in [1, ${BLOCK}], got ${count}`);
    }
    if (typeof kernel === "function") {
      for (let q = 0; q < count; q++) {
        this.#columnFn(kernel, Z[from + q], v.qout.subarray(q * n, (q + 1) * n), v.ident, n);
      }
      return v.qout.subarray(0, count * n);
    }
    const zz = new Float64Array(count);
    for (let q = 0; q < count; q++) {
      const z = Z[from + q];
      v.qz.set(z, q * dp);
      for (let k = 0; k < this.d; k++) zz[q] += z[k] * z[k];
    }
    const chunk = Math.max(4, Math.floor(CHUNK_BYTES / (8 * dp)) & ~3), w = this.wasm;
    for (let t0 = 0; t0 < n; t0 += chunk) {
      const len = Math.min(chunk, n - t0);
      for (let q = 0; q < count; q++) {
        w.rows(
          this.#qz + 8 * q * dp,
          zz[q],
          this.#pts,
          this.#sq,
          dp,
          this.#ident + 4 * t0,
          len,
          this.#qout + 8 * q * n,
          KIND[kernel],
          gamma,
          coef0,
          degree,
        );
      }
    }
    return v.qout.subarray(0, count * n);
  }

  #columnFn(
    kernel: KernelFn,
    z: number | ArrayLike<number>,
    out: Float64Array,
    idx: Int32Array,
    m: number,
  ): void {
    const zp = typeof z === "number" ? this.point(z) : z;
    const pts = this.f64(this.#pts, this.n * this.#dp);
    for (let a = 0; a < m; a++) {
      const t = idx[a], v = kernel(zp, pts.subarray(t * this.#dp, t * this.#dp + this.d));
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new RangeError(`kernel function returned ${v} (expected a finite number)`);
      }
      out[t] = v;
    }
  }
}

/**
 * The dense kernel matrix `K[i·n + j] = k(x_i, x_j)`, exactly symmetric.
 *
 * @example
 * ```ts
 * import { KernelTable, kernelMatrix, resolveKernel } from "@convgrad/svm";
 * const X = [[1, 0], [0, 1]];
 * kernelMatrix(new KernelTable(X, resolveKernel("demo", { kernel: "linear" }, X))); // [1, 0, 0, 1]
 * ```
 */
export function kernelMatrix(table: KernelTable): Float64Array {
  const n = table.n, K = new Float64Array(n * n), idx = new Int32Array(n).map((_, i) => i);
  for (let i = 0; i < n; i++) {
    // Row i's first i + 1 entries from the kernel, the rest mirrored from the rows above.
    table.column(i, K.subarray(i * n, (i + 1) * n), idx, i + 1);
    for (let j = 0; j < i; j++) K[j * n + i] = K[i * n + j];
  }
  return K;
}
