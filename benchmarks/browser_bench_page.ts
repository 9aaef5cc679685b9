/**
 * The Chromium side of `browser_bench.ts`: times ours and stock `tf.conv2d` on the same page.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type BackendName, filt, setBackend } from "@convgrad/ops";
import { expose } from "@convgrad/browser/expose";

type Shape4 = [number, number, number, number];

/** What the driver asks for. */
export interface BenchArgs {
  backends: BackendName[];
  shapes: [Shape4, Shape4][];
  reps: number;
}

/** Median milliseconds; `null` where the backend lacks a stock kernel. */
export interface BenchRow {
  backend: string;
  shape: string;
  oursFwd: number;
  stockFwd: number;
  oursFwdBwd: number;
  stockFwdBwd: number | null;
}

/**
 * Blocks until every tensor exists by reading back one element of each: the GPU runs programs in
 * order, so this waits for the whole result without timing its download.
 */
function settle(ts: tf.Tensor[]): void {
  for (const t of ts) {
    tf.tidy(() => {
      t.slice(t.shape.map(() => 0), t.shape.map(() => 1)).dataSync();
    });
  }
}

/** Median milliseconds of `f` (after one untimed run that compiles the shaders). */
function time(f: () => tf.Tensor[], reps: number): number {
  const once = () => {
    const ts = tf.tidy(f);
    settle(ts);
    tf.dispose(ts);
  };
  once();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    once();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[Math.floor(reps / 2)];
}

async function bench({ backends, shapes, reps }: BenchArgs): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const backend of backends) {
    await setBackend(backend);
    for (const [xs, ks] of shapes) {
      const x = tf.randomNormal(xs, 0, 1, "float32", 1) as tf.Tensor4D;
      const k = tf.randomNormal(ks, 0, 1, "float32", 2) as tf.Tensor4D;
      // Stock works on NHWC / HWCF copies of the same data.
      const xh = x.transpose([0, 2, 3, 1]) as tf.Tensor4D;
      const kh = k.transpose([2, 3, 1, 0]) as tf.Tensor4D;
      const ours = (a: tf.Tensor, b: tf.Tensor) => filt(a as tf.Tensor4D, b as tf.Tensor4D);
      const stock = (a: tf.Tensor, b: tf.Tensor) =>
        tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "valid");
      const dy = tf.randomNormal(ours(x, k).shape, 0, 1, "float32", 3);
      const dyh = dy.transpose([0, 2, 3, 1]);
      const shape = `[${xs}]*[${ks}]`;
      const row: BenchRow = {
        backend,
        shape,
        oursFwd: time(() => [ours(x, k)], reps),
        stockFwd: time(() => [stock(xh, kh)], reps),
        oursFwdBwd: time(() => [ours(x, k), ...tf.grads(ours)([x, k], dy)], reps),
        stockFwdBwd: tf.getKernel("Conv2DBackpropFilter", backend) === undefined
          ? null
          : time(() => [stock(xh, kh), ...tf.grads(stock)([xh, kh], dyh)], reps),
      };
      console.log(`browser bench: ${backend} ${shape} done`);
      rows.push(row);
      tf.dispose([x, k, xh, kh, dy, dyh]);
    }
  }
  return rows;
}

expose({ bench });
