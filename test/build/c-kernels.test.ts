/**
 * packages/trainer/kernels/hpo-kernels.wasm is committed beside its C sources: this checks that it
 * is what those sources build to today (so a .c change without a rebuild, or a hand-edited binary,
 * fails here), and that it keeps the shape the loader relies on (no data section; the shadow stack
 * exported; memory imported).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { buildKernels, KERNELS_WASM, wasmSectionIds } from "../../packages/trainer/tools/build-kernels.ts";
import { describeNeeding } from "../helpers/needs.ts";

function clangMissing(): string | undefined {
  try {
    execFileSync("clang-16", ["--version"], { stdio: "ignore" });
    execFileSync("/usr/bin/wasm-ld-16", ["--version"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "clang-16 or /usr/bin/wasm-ld-16 not found (apt-get install -y clang-16 lld-16)";
  }
}

const dir = mkdtempSync(join(tmpdir(), "hpo-kernels-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeNeeding("clang-16 and lld-16", clangMissing())("the committed C kernels module", () => {
  it("is what kernels/*.c build to", () => {
    const built = buildKernels(join(dir, "hpo-kernels.wasm"));
    const committed = new Uint8Array(readFileSync(KERNELS_WASM));
    expect(built.length).toBe(committed.length);
    expect(Buffer.compare(Buffer.from(built), Buffer.from(committed))).toBe(0);
  });
});

it("imports its memory, exports its stack pointer and has no data section", () => {
  const bytes = new Uint8Array(readFileSync(KERNELS_WASM));
  expect(wasmSectionIds(bytes)).not.toContain(11);
  const module = new WebAssembly.Module(bytes);
  expect(WebAssembly.Module.imports(module)).toEqual([{ module: "env", name: "memory", kind: "memory" }]);
  expect(WebAssembly.Module.exports(module)).toContainEqual({ name: "__stack_pointer", kind: "global" });
});
