/**
 * The benchmarks' child processes: finding a Python for the side-by-side runs of other libraries,
 * and running a program that reports its result as a JSON line.
 *
 * @module
 */

/**
 * The first Python that imports `module`: Debian's (/usr/bin/python3, where `apt-get install
 * python3-torch python3-sklearn` puts them), else the PATH's `python3`; null when neither does.
 *
 * @example
 * ```ts
 * import { findPython } from "./python.ts";
 * console.log(await findPython("sklearn")); // "/usr/bin/python3" or null
 * ```
 */
export async function findPython(module: string): Promise<string | null> {
  for (const py of ["/usr/bin/python3", "python3"]) {
    const probe = await new Deno.Command(py, { args: ["-c", `import ${module}`], stderr: "null" })
      .output().catch(() => null);
    if (probe?.success) return py;
  }
  return null;
}

/**
 * Runs `cmd args` to the end and parses the last line it printed as JSON: how every side-by-side
 * run (PyTorch, scikit-learn, a fresh Deno process) reports. Throws with its standard error when it
 * fails.
 *
 * @example
 * ```ts
 * import { runJson } from "./python.ts";
 * const v = await runJson<number[]>("python3", ["-c", "print('[1, 2]')"]); // [1, 2]
 * ```
 */
export async function runJson<T>(cmd: string, args: string[]): Promise<T> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${cmd} ${args[0]} failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!) as T;
}
