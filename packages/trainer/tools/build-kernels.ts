/**
 * Builds hpo's C kernels for the wasm backend (packages/trainer/kernels/*.c) into one module,
 * kernels/hpo-kernels.wasm, which is committed: workers load it as it is and need no compiler.
 * Run after changing a .c or .h file, and commit both:
 *
 *   pnpm --filter @hpo/trainer build:kernels        (needs: apt-get install -y clang-16 lld-16)
 *
 * The module is built for wasm32 with SIMD128, no libc and no static data, and imports its memory:
 * the loader (src/c-kernels.ts) gives it the wasm backend's own, so kernels work on tensors where
 * they lie. Its shadow stack is exported and pointed by the loader at memory it allocates through
 * tfjs; this script refuses a module with a data section (it would be written over tfjs's heap at
 * instantiation). `c-kernels-build.test.ts` checks the committed file is what the sources build to.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const KERNELS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "kernels");
export const KERNELS_WASM = join(KERNELS_DIR, "hpo-kernels.wasm");
const CLANG = "clang-16";
const WASM_LD = "/usr/bin/wasm-ld-16";

/** The section ids of a wasm binary, in order (https://webassembly.github.io/spec/core/binary/modules.html). */
export function wasmSectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let at = 8; // magic and version
  while (at < bytes.length) {
    const id = bytes[at++] as number;
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[at++] as number;
      size |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    ids.push(id);
    at += size;
  }
  return ids;
}

/** Compiles and links every kernels/*.c into `out` (bytes returned); throws naming what failed. */
export function buildKernels(out: string): Uint8Array {
  const sources = readdirSync(KERNELS_DIR)
    .filter((f) => f.endsWith(".c"))
    .sort()
    .map((f) => join(KERNELS_DIR, f));
  const args = [
    "--target=wasm32",
    "-msimd128",
    "-O3",
    "-nostdlib",
    "-ffreestanding",
    "-Wall",
    "-Werror",
    `-fuse-ld=${WASM_LD}`,
    "-Wl,--no-entry",
    "-Wl,--import-memory",
    "-Wl,--export=__stack_pointer",
    "-Wl,--strip-all",
    "-o",
    out,
    ...sources,
  ];
  try {
    execFileSync(CLANG, args, { cwd: KERNELS_DIR, stdio: ["ignore", "inherit", "inherit"] });
  } catch (e) {
    const why =
      (e as NodeJS.ErrnoException).code === "ENOENT"
        ? `${CLANG} is not installed (apt-get install -y clang-16 lld-16)`
        : String(e);
    throw new Error(`build-kernels: ${why}`);
  }
  const bytes = new Uint8Array(readFileSync(out));
  if (wasmSectionIds(bytes).includes(11))
    throw new Error(`build-kernels: ${out} has a data section (static data in a kernel); kernels must not have any`);
  return bytes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bytes = buildKernels(KERNELS_WASM);
  console.log(`${KERNELS_WASM}: ${bytes.length} bytes`);
}
