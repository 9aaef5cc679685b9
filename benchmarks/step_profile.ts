/**
 * Where one training step's time goes, kernel by kernel: `bench:mnist --profile`. Steps are timed
 * whole (no profiling), then run under `tf.profile` in their two phases, loss + gradients and the
 * optimizer's update, which times every kernel by wall clock (the wasm backend's kernels are
 * synchronous). Kernels are grouped into the parts of a step (conv forward, dK, pool, dense
 * matmuls, ...); what the kernels do not account for is the engine's bookkeeping, tensor
 * allocation and disposal, and JS between kernels.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** One part of the step. */
export interface ProfilePart {
  part: string;
  /** Median milliseconds per step. */
  ms: number;
  /** Kernel calls per step. */
  calls: number;
  /** Multiply-adds per step, for the parts that are products (0 for the others). */
  macs: number;
}

/** The profile of a step: its parts, largest first, and totals. */
export interface StepProfile {
  parts: ProfilePart[];
  /** Median wall time of an unprofiled step. */
  stepMs: number;
  /** Tensors created per step. */
  tensors: number;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];

/** The id the next tensor gets: ids count every tensor ever created. */
function probeId(): number {
  const t = tf.scalar(0), id = t.id;
  t.dispose();
  return id;
}

/** Multiply-adds of one product kernel from its shapes; 0 for a kernel that is not one. */
function macsOf(name: string, inputs: number[][], outputs: number[][]): number {
  if (/^Convgrad(Filt|Valid|Full)$/.test(name)) {
    const [, C, kh, kw] = inputs[1];
    return size(outputs[0]) * C * kh * kw; // [N,F,Ho,Wo] outputs, C·kh·kw taps each
  }
  if (name === "ConvgradFiltBackpropFilter") return size(inputs[1]) * size(outputs[0].slice(1));
  if (name === "ConvgradFiltBackpropInput") return size(inputs[0]) * size(inputs[1].slice(1));
  if (name === "ConvgradMatMul") return size(inputs[0]) * size(outputs[0]) / outputs[0][0];
  if (name === "BatchMatMul" || name === "_FusedMatMul") {
    const [a, b] = inputs, shared = a.at(-1) === b.at(-2) ? a.at(-1)! : a.at(-2)!;
    return (size(a) * size(b)) / shared / (a.length > 2 ? size(a.slice(0, -2)) : 1);
  }
  return 0;
}

/** The part of the step a kernel belongs to, from its name and shapes. */
function partOf(name: string, inputs: number[][], classes: number): string {
  if (/^Convgrad(Filt|Valid|Full)$/.test(name)) return "conv forward";
  if (name === "ConvgradFiltBackpropFilter") return "conv dK";
  if (name === "ConvgradFiltBackpropInput") return "conv dX";
  if (name.startsWith("ConvgradMaxPool")) return "max-pool (forward, backward)";
  if (["ConvgradMatMul", "BatchMatMul", "_FusedMatMul"].includes(name)) return "dense matmuls";
  if (name.startsWith("Convgrad")) return name;
  if (name === "Transpose") return "relayouts (Transpose)";
  if (["Identity", "Reshape", "Cast"].includes(name)) return "copies (Identity, Reshape, Cast)";
  if (inputs.some((s) => s.length === 4)) return "conv maps: bias, ReLU and their gradients";
  if (inputs.every((s) => s.length <= 1 || s.at(-1) === classes)) return "softmax and loss";
  return "dense: bias, ReLU and their gradients";
}

/**
 * Profiles `repeats` training steps of `loss` over `vars` with `optimizer` (after one warm-up
 * step). `classes` tells the loss's `[B, classes]` tensors from the dense layers'.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { profileStep } from "./step_profile.ts";
 * const w = tf.variable(tf.ones([4, 2]));
 * const x = tf.ones([3, 4]);
 * const p = await profileStep(() => x.matMul(w).square().mean(), [w], tf.train.adam(0.1), 2, 2);
 * console.log(p.parts.map((r) => r.part));
 * ```
 */
export async function profileStep(
  loss: () => tf.Scalar,
  vars: tf.Variable[],
  optimizer: tf.Optimizer,
  repeats: number,
  classes: number,
): Promise<StepProfile> {
  if (!Number.isInteger(repeats) || repeats < 1) {
    throw new RangeError(`profileStep: repeats must be a positive integer, got ${repeats}`);
  }
  const step = () => tf.tidy(() => void optimizer.minimize(loss, false, vars));
  step();
  await tf.ready();
  const id0 = probeId(), steps: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    step();
    vars[0].dataSync(); // the step's last kernels have run
    steps.push(performance.now() - t0);
  }
  const tensors = (probeId() - id0 - 1) / repeats;

  const backend = tf.getBackend();
  // Per part, its milliseconds in each profiled step (medians below: other processes share the
  // cores, and a median shrugs off the steps they interrupted).
  const parts = new Map<string, { ms: number[]; calls: number; macs: number }>();
  const record = (info: Awaited<ReturnType<typeof tf.profile>>, i: number, phase?: string) => {
    for (const k of info.kernels) {
      // Scopes (custom gradients, `op` wrappers) also show up, around kernels already counted.
      if (tf.getKernel(k.name, backend) === undefined) continue;
      const part = phase ?? partOf(k.name, k.inputShapes, classes);
      const p = parts.get(part) ?? { ms: new Array(repeats).fill(0), calls: 0, macs: 0 };
      p.ms[i] += k.kernelTimeMs as number;
      p.calls += 1 / repeats;
      p.macs += macsOf(k.name, k.inputShapes, k.outputShapes) / repeats;
      parts.set(part, p);
    }
  };
  for (let i = 0; i < repeats; i++) {
    let grads: tf.NamedTensorMap = {};
    record(
      await tf.profile(() => {
        const r = tf.variableGrads(loss, vars);
        r.value.dispose();
        grads = r.grads;
      }),
      i,
    );
    record(await tf.profile(() => optimizer.applyGradients(grads)), i, "optimizer update (Adam)");
    tf.dispose(grads);
  }
  const stepMs = median(steps);
  const rows = [...parts].map(([part, p]) => ({
    part,
    ms: median(p.ms),
    calls: p.calls,
    macs: p.macs,
  }))
    .sort((a, b) => b.ms - a.ms);
  const kernelMs = rows.reduce((s, r) => s + r.ms, 0);
  rows.push({
    part: "engine, allocation/disposal, JS (step − kernels)",
    ms: Math.max(0, stepMs - kernelMs),
    calls: 0,
    macs: 0,
  });
  return { parts: rows, stepMs, tensors };
}

/**
 * The profile as a Markdown table: part, ms, share of the step, kernel calls, GMAC/s.
 *
 * @example
 * ```ts
 * import { formatProfile } from "./step_profile.ts";
 * console.log(formatProfile({
 *   parts: [{ part: "conv forward", ms: 10, calls: 1, macs: 7.7e7 }], stepMs: 20, tensors: 100,
 * }));
 * ```
 */
export function formatProfile(p: StepProfile): string {
  const lines = [
    "| part of the step | ms | share | calls | GMAC/s |",
    "| --- | ---: | ---: | ---: | ---: |",
  ];
  for (const r of p.parts) {
    const rate = r.macs > 0 ? (r.macs / r.ms / 1e6).toFixed(1) : "";
    lines.push(
      `| ${r.part} | ${r.ms.toFixed(2)} | ${(100 * r.ms / p.stepMs).toFixed(1)}% | ` +
        `${r.calls.toFixed(0)} | ${rate} |`,
    );
  }
  lines.push(
    `| **step** (unprofiled; ${p.tensors.toFixed(0)} tensors created) | ` +
      `${p.stepMs.toFixed(2)} | 100% | | |`,
  );
  return lines.join("\n");
}
