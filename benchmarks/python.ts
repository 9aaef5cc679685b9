/**
 * Finding a Python for the benchmarks' side-by-side runs of other libraries.
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
