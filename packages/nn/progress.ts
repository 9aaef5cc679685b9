/** Options of {@linkcode ProgressBar}. */
export interface ProgressOptions {
  /** Where to write; default standard error. */
  write?: (s: string) => void;
  /** Redraw in place (a terminal) or print a line every 10% (a log file, CI). Default: isatty. */
  interactive?: boolean;
  width?: number;
}

/**
 * A one-line progress bar for long loops: count, free-form fields (loss, images/s) and ETA.
 *
 * @example
 * ```ts
 * import { ProgressBar } from "@convgrad/nn";
 * const bar = new ProgressBar("epoch 1/5", 550);
 * for (let i = 1; i <= 550; i++) bar.update(i, { loss: "0.123" });
 * bar.done();
 * ```
 */
export class ProgressBar {
  private readonly start = performance.now();
  private readonly write: (s: string) => void;
  private readonly interactive: boolean;
  private readonly width: number;
  private lastDecile = -1;
  private line = "";

  constructor(readonly label: string, readonly total: number, opts: ProgressOptions = {}) {
    if (!Number.isInteger(total) || total < 1) {
      throw new RangeError(`ProgressBar: total must be a positive integer, got ${total}`);
    }
    const enc = new TextEncoder();
    this.write = opts.write ?? ((s) => Deno.stderr.writeSync(enc.encode(s)));
    this.interactive = opts.interactive ?? Deno.stderr.isTerminal();
    this.width = opts.width ?? 24;
  }

  /** Reports `done` of `total` items finished. */
  update(done: number, fields: Record<string, string> = {}): void {
    const frac = Math.min(1, done / this.total);
    const elapsed = (performance.now() - this.start) / 1000;
    const eta = done > 0 ? elapsed * (this.total - done) / done : NaN;
    const filled = Math.round(frac * this.width);
    const extra = Object.entries(fields).map(([k, v]) => `${k} ${v}`).join("  ");
    this.line = `${this.label} [${"#".repeat(filled)}${".".repeat(this.width - filled)}] ` +
      `${done}/${this.total}  ${extra}  ETA ${Number.isFinite(eta) ? eta.toFixed(0) : "?"}s`;
    if (this.interactive) this.write(`\r${this.line}\x1b[K`);
    else {
      const decile = Math.floor(frac * 10);
      if (decile > this.lastDecile) {
        this.lastDecile = decile;
        this.write(this.line + "\n");
      }
    }
  }

  /** Ends the bar's line. */
  done(): void {
    if (this.interactive) this.write("\n");
    else if (this.lastDecile < 10 && this.line) this.write(this.line + "\n");
  }
}
