/**
 * Assembling hand-written WebAssembly text into the bytes a package ships, with the npm `wabt`
 * package (pinned), so that every committed binary can be rebuilt byte for byte. A package lists
 * its modules and calls {@linkcode buildWasm} from its own build script; its test asserts that
 * {@linkcode wasmBuildProblems} finds none. Build time only: nothing at run time imports this.
 *
 * @module
 */
// deno-lint-ignore no-import-prefix -- a build-time tool only; keeps it out of the runtime imports
import wabtInit from "npm:wabt@1.0.39";

/** One module: its `.wat` source and the `.ts` file that ships its bytes as base64. */
export interface WasmModuleSpec {
  /** The source, relative to the package directory. */
  wat: string;
  /** The generated module (exports `WASM_BASE64`), relative to the package directory. */
  out: string;
}

/** The relaxed-SIMD instructions our modules use: `(f32x4.relaxed_madd a b c)` = a·b + c. */
const RELAXED_MADD = "(f32x4.relaxed_madd";
/** ... and `i8x16.relaxed_swizzle`, with indices below 16 or from 128 up (which give 0). */
const RELAXED_SWIZZLE = "i8x16.relaxed_swizzle";

/**
 * The wasm bytes of the `.wat` file at `url` (SIMD, relaxed SIMD and bulk memory on, no debug
 * names); with `plain`, without relaxed SIMD (see {@linkcode withoutRelaxedSimd}).
 *
 * @example
 * ```ts ignore
 * import { assemble } from "@convgrad/base/wasm-build";
 * const bytes = await assemble(new URL("./kernel.wat", import.meta.url));
 * ```
 */
export async function assemble(url: URL, plain = false): Promise<Uint8Array> {
  const wabt = await wabtInit();
  // Bytes, not a string: wabt reads a string's low bytes only, which garbles non-ASCII comments.
  let source = await Deno.readFile(url);
  if (plain) {
    source = new TextEncoder().encode(withoutRelaxedSimd(new TextDecoder().decode(source)));
  }
  const mod = wabt.parseWat(url.pathname.split("/").pop()!, source, {
    simd: true,
    relaxed_simd: !plain, // so a plain build with a relaxed instruction left fails here
    bulk_memory: true,
  });
  try {
    mod.resolveNames();
    mod.validate();
    return mod.toBinary({ log: false, write_debug_names: false }).buffer;
  } finally {
    mod.destroy();
  }
}

/** The end of the parenthesized expression that opens at `text[start]`. */
function closing(text: string, start: number): number {
  let depth = 0, i = start;
  do {
    if (text[i] === "(") depth++;
    else if (text[i] === ")") depth--;
    else if (text[i] === undefined) throw new SyntaxError(`unbalanced "(" at offset ${start}`);
    i++;
  } while (depth > 0);
  return i;
}

/**
 * WebAssembly text without relaxed SIMD, for runtimes that lack it: every folded
 * `(f32x4.relaxed_madd a b c)` written as `(f32x4.add (f32x4.mul a b) c)` (the same sums, each
 * product rounded before it is added), and `i8x16.relaxed_swizzle` as `i8x16.swizzle` (the same
 * lanes for indices below 16 or from 128 up, the only ones our modules use). The operands of a
 * multiply-add must be folded expressions themselves.
 *
 * @example
 * ```ts
 * import { withoutRelaxedSimd } from "@convgrad/base/wasm-build";
 * withoutRelaxedSimd("(f32x4.relaxed_madd (local.get $a) (local.get $b) (local.get $c))");
 * // "(f32x4.add (f32x4.mul (local.get $a) (local.get $b)) (local.get $c))"
 * ```
 */
export function withoutRelaxedSimd(text: string): string {
  return withoutRelaxedMadd(text).replaceAll(RELAXED_SWIZZLE, "i8x16.swizzle");
}

/** {@linkcode withoutRelaxedSimd}'s rewrite of the multiply-adds. */
function withoutRelaxedMadd(text: string): string {
  let out = "", from = 0;
  for (let at = text.indexOf(RELAXED_MADD); at >= 0; at = text.indexOf(RELAXED_MADD, from)) {
    const args: string[] = [];
    let i = at + RELAXED_MADD.length;
    while (args.length < 3) {
      while (/\s/.test(text[i] ?? "")) i++;
      if (text[i] !== "(") {
        throw new SyntaxError(`relaxed_madd at offset ${at}: expected 3 folded operands`);
      }
      const end = closing(text, i);
      args.push(withoutRelaxedMadd(text.slice(i, end)));
      i = end;
    }
    while (/\s/.test(text[i] ?? "")) i++;
    if (text[i] !== ")") throw new SyntaxError(`relaxed_madd at offset ${at}: expected ")"`);
    out += `${text.slice(from, at)}(f32x4.add (f32x4.mul ${args[0]} ${args[1]}) ${args[2]})`;
    from = i + 1;
  }
  return out + text.slice(from);
}

/**
 * The text of a TypeScript module exporting `bytes` as the base64 string `WASM_BASE64`, and when
 * given, `plain` (the build without relaxed SIMD) as `WASM_BASE64_PLAIN`.
 *
 * @example
 * ```ts
 * import { wasmModuleText } from "@convgrad/base/wasm-build";
 * wasmModuleText("x.wat", "build.ts", new Uint8Array([0, 97, 115, 109])).includes('"AGFzbQ=="'); // true
 * ```
 */
export function wasmModuleText(
  wat: string,
  builder: string,
  bytes: Uint8Array,
  plain?: Uint8Array,
): string {
  const b64 = (b: Uint8Array) => {
    let bin = "";
    for (const x of b) bin += String.fromCharCode(x);
    return btoa(bin).replace(/.{1,96}/g, (l) => `  "${l}" +\n`).replace(/ \+\n$/, ";\n");
  };
  const text = `// Generated by ${builder} from ${wat}; do not edit.\n` +
    `/** The assembled bytes of \`${wat}\`, base64. */\nexport const WASM_BASE64 =\n${b64(bytes)}`;
  return plain === undefined ? text : text +
    `/** \`${wat}\` for runtimes without relaxed SIMD (a multiply, then an add), base64. */\n` +
    `export const WASM_BASE64_PLAIN =\n${b64(plain)}`;
}

/** The `.ts` text of one module: with a plain build too when its source uses relaxed SIMD. */
async function moduleText(dir: URL, builder: string, m: WasmModuleSpec): Promise<string> {
  const url = new URL(m.wat, dir);
  const text = await Deno.readTextFile(url);
  const relaxed = text.includes(RELAXED_MADD) || text.includes(RELAXED_SWIZZLE);
  return wasmModuleText(
    m.wat,
    builder,
    await assemble(url),
    relaxed ? await assemble(url, true) : undefined,
  );
}

/**
 * Writes each module's `.ts` file under `dir`, or with `check` only compares them with the
 * committed files and returns false when one is stale.
 *
 * @example
 * ```ts ignore
 * import { buildWasm } from "@convgrad/base/wasm-build";
 * const ok = await buildWasm(new URL("./", import.meta.url), "packages/x/build_wasm.ts",
 *   [{ wat: "k.wat", out: "k_wasm.ts" }], Deno.args.includes("--check"));
 * ```
 */
export async function buildWasm(
  dir: URL,
  builder: string,
  modules: WasmModuleSpec[],
  check: boolean,
): Promise<boolean> {
  let fresh = true;
  for (const m of modules) {
    const text = await moduleText(dir, builder, m), target = new URL(m.out, dir);
    if (check) {
      const committed = await Deno.readTextFile(target).catch(() => "");
      console.log(`${m.out}: ${committed === text ? "up to date" : "stale, rebuild it"}`);
      fresh &&= committed === text;
    } else {
      await Deno.writeTextFile(target, text);
      console.log(`wrote ${m.out}`);
    }
  }
  return fresh;
}

/**
 * What is wrong with a package's committed wasm: each module whose `.ts` differs from what
 * {@linkcode buildWasm} would write, and each `.wat` file under `dir` that `modules` does not list
 * (it would never be built or checked). Empty when all is current; the packages' tests assert that.
 *
 * @example
 * ```ts ignore
 * import { wasmBuildProblems } from "@convgrad/base/wasm-build";
 * const problems = await wasmBuildProblems(new URL("./", import.meta.url), "packages/x/build_wasm.ts",
 *   [{ wat: "k.wat", out: "k_wasm.ts" }]); // [] when current
 * ```
 */
export async function wasmBuildProblems(
  dir: URL,
  builder: string,
  modules: readonly WasmModuleSpec[],
): Promise<string[]> {
  const problems: string[] = [];
  const listed = new Set(modules.map((m) => m.wat));
  for (const wat of watFiles(dir)) {
    if (!listed.has(wat)) problems.push(`${wat} is not listed in ${builder}`);
  }
  for (const m of modules) {
    const text = await moduleText(dir, builder, m);
    const committed = await Deno.readTextFile(new URL(m.out, dir)).catch(() => "");
    if (committed !== text) problems.push(`${m.out} is stale: rebuild with deno task build:wasm`);
  }
  return problems;
}

/** The `.wat` files below `dir`, as paths relative to it. */
function watFiles(dir: URL, prefix = ""): string[] {
  const found: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (e.isDirectory) found.push(...watFiles(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`));
    else if (e.name.endsWith(".wat")) found.push(`${prefix}${e.name}`);
  }
  return found;
}
