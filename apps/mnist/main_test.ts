/**
 * End to end: `deno task mnist` on a slice of MNIST, killed mid-epoch and resumed from its
 * checkpoint; the outputs the issue lists must exist and make sense.
 */
import { assert, assertEquals } from "@convgrad/base/testing";

const main = new URL("./main.ts", import.meta.url).pathname;

function start(out: string, extra: string[] = []): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main, "--epochs", "2", "--train-limit", "3000", "--out", out, ...extra],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Reads `stream` until `pattern` appears; returns everything read. */
async function waitFor(stream: ReadableStream<Uint8Array>, pattern: RegExp): Promise<string> {
  const reader = stream.getReader(), dec = new TextDecoder();
  let text = "";
  while (!pattern.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before ${pattern}:\n${text}`);
    text += dec.decode(value);
  }
  reader.releaseLock();
  return text;
}

Deno.test({
  name: "mnist: a run killed mid-epoch resumes from its last checkpoint and finishes",
  sanitizeResources: false,
  fn: async () => {
    const out = await Deno.makeTempDir({ prefix: "convgrad-mnist-" });
    const first = start(out);
    // Epoch 1 done (checkpointed), epoch 2 under way: kill it there.
    const log1 = await waitFor(first.stderr, /epoch 2\/2 \[#*\.+\] \d+\/30/);
    first.kill("SIGKILL");
    await first.status;
    await first.stdout.cancel();
    assert(/epoch 1: train loss/.test(log1), log1);
    const state = JSON.parse(await Deno.readTextFile(`${out}/checkpoint/current/state.json`));
    assertEquals(state.epoch, 1);

    const second = start(out, ["--resume"]);
    const [status, log2] = await Promise.all([
      second.status,
      new Response(second.stderr).text(),
      second.stdout.cancel(),
    ]);
    assert(status.success, log2);
    assert(/resuming after epoch 1/.test(log2), log2);
    assert(!/epoch 1\/2/.test(log2), "the resumed run trained epoch 1 again");
    const metrics = JSON.parse(await Deno.readTextFile(`${out}/metrics.json`));
    assertEquals(metrics.resumedFromEpoch, 1);
    assertEquals(metrics.validationAccuracy.length, 2);
    assertEquals(metrics.backend, "wasm");
    // 3000 images, 2 epochs: far from converged, but far better than chance.
    assert(metrics.testAccuracy > 0.8, `test accuracy ${metrics.testAccuracy}`);
    for (const f of ["cnn.png", "cnn.svg", "model/model.json", "model/weights.bin"]) {
      assert((await Deno.stat(`${out}/${f}`)).size > 0, `${f} missing`);
    }
    const png = await Deno.readFile(`${out}/cnn.png`);
    assertEquals(Array.from(png.slice(1, 4)), [80, 78, 71]); // "PNG"
    await Deno.remove(out, { recursive: true });
  },
});

Deno.test("mnist: bad flags get a clear error", async () => {
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main, "--backend", "gpu"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(!run.success);
  assert(new TextDecoder().decode(run.stderr).includes("--backend must be wasm or cpu, got gpu"));
});

Deno.test("mnist: an unwritable --out fails at once, before any training", async () => {
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main, "--out", "/proc/convgrad-x", "--epochs", "1"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(run.stderr);
  assert(!run.success);
  assert(err.includes("--out: cannot write to /proc/convgrad-x"), err);
  assert(!err.includes("epoch 1/1"), `it trained first:\n${err}`);
});
