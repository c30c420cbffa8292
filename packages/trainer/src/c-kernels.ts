import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { WasmBackend } from "./wasm-heap.ts";

/**
 * hpo's C kernels for the wasm backend (packages/trainer/kernels/*.c, built into
 * kernels/hpo-kernels.wasm by tools/build-kernels.ts). The module shares the wasm backend's memory:
 * every pointer argument is a byte offset into tfjs's heap (`heapOffset`), every size a count of
 * elements. A kernel reads its inputs and writes its outputs and scratch there, nothing else.
 */
export interface CKernels {
  /** db [k, f] = Σ over r of dy [k, r, f], in float64, rounded once (kernels/bias-grad.c). */
  bias_grad(dy: number, db: number, k: number, rows: number, f: number): void;
  /**
   * dw [kh, kw, c, co] of the stride-1 convolution of x [n, h, w, c] giving dy [n, oh, ow, co] with
   * `top` / `left` padding (any; oh = h + top + bottom − kh + 1, likewise ow); xp is scratch of
   * h · (ow + kw − 1) · c floats (kernels/conv-filter-grad.c).
   */
  conv_filter_grad(
    x: number,
    dy: number,
    dw: number,
    xp: number,
    n: number,
    h: number,
    w: number,
    c: number,
    oh: number,
    ow: number,
    kh: number,
    kw: number,
    co: number,
    top: number,
    left: number,
  ): void;
  /**
   * `conv_filter_grad` for 5 × 5 filters with 4 | c and 4 | co, by Winograd's F(5 × 5, 2 × 2):
   * mats is G [6, 2], Aᵀ [5, 6] (`winogradTransforms(5, 2, …)`), scratch
   * 36 · t · (c + co) + 36 · c · co + 72 · c + 16 · co floats with t = ⌈oh / 2⌉ · ⌈ow / 2⌉.
   */
  conv_filter_grad_f5x5(
    x: number,
    dy: number,
    dw: number,
    scratch: number,
    mats: number,
    n: number,
    h: number,
    w: number,
    c: number,
    oh: number,
    ow: number,
    co: number,
    top: number,
    left: number,
  ): void;
  /**
   * y [n, oh, ow, co] = the stride-1 convolution of single-channel x [n, h, w, 1] with
   * f [kh, kw, 1, co], plus bias [co], `top` / `left` padding (oh = h + top + bottom − kh + 1,
   * likewise ow); xp is scratch of (oh + kh − 1) · (ow + kw − 1) floats
   * (kernels/conv-single-channel.c).
   */
  conv_single_channel(
    x: number,
    f: number,
    bias: number,
    y: number,
    xp: number,
    n: number,
    h: number,
    w: number,
    oh: number,
    ow: number,
    kh: number,
    kw: number,
    co: number,
    top: number,
    left: number,
  ): void;
  /**
   * One Adam step of n parameters: m2 = m·β1 + g·(1−β1), v2 = v·β2 + g²·(1−β2),
   * x2 = x − (m2/c1·lr)/(√(v2/c2) + ε), each operation rounded to float32 as tfjs's kernels round
   * it (`oneB1`, `oneB2` = 1 − β1, 1 − β2; c1, c2 the bias corrections) (kernels/adam.c).
   */
  adam(
    x: number,
    g: number,
    m: number,
    v: number,
    x2: number,
    m2: number,
    v2: number,
    n: number,
    b1: number,
    oneB1: number,
    b2: number,
    oneB2: number,
    c1: number,
    c2: number,
    lr: number,
    eps: number,
  ): void;
  /**
   * c [m, n] = Σ over k < s of a(i, k) · b [k, n] with a(i, k) at a + 4·(i·ars + k·aks) (a [m, s]:
   * ars = s, aks = 1; aᵀ of a [s, m]: ars = 1, aks = m), summed over k in order (kernels/matmul.c).
   */
  matmul(a: number, ars: number, aks: number, b: number, c: number, m: number, s: number, n: number): void;
  /**
   * y [n, ⌊h/2⌋, ⌊w/2⌋, c] = max of each 2×2 window of x [n, h, w, c] at stride 2 (then max(·, 0)
   * when `relu` is 1) (kernels/max-pool.c).
   */
  max_pool_2x2(x: number, y: number, n: number, h: number, w: number, c: number, relu: number): void;
  /**
   * dx [n, h, w, c]: dy scattered onto each 2×2 window's first maximum of x (zero elsewhere); with
   * `relu` 1 only where that maximum is > 0 (kernels/max-pool.c).
   */
  max_pool_2x2_grad(x: number, dy: number, dx: number, n: number, h: number, w: number, c: number, relu: number): void;
  /**
   * u [α²][c₄][co₄] = G g Gᵀ for each channel pair of an r×r filter g whose element (tap row i,
   * column j, input channel, output channel) is at g + 4·(i·si + j·sj + ci·sc + co·so); gm is G
   * (α×r); c₄, co₄ are c, co rounded up to multiples of 4 (kernels/winograd-conv.c).
   */
  winograd_filter(
    g: number,
    r: number,
    si: number,
    sj: number,
    sc: number,
    so: number,
    c: number,
    co: number,
    gm: number,
    alpha: number,
    u: number,
  ): void;
  /**
   * out [n, oh, ow, co] (+ bias [co] unless 0) = stride-1 correlation of x [n, h, w, c] with the
   * filter transformed into u, its top-left tap over input (oy − pt, ox − pl), by Winograd
   * F(m×m, r×r) with transforms bt (α×α) and at (m×α), α even; scratch of `winograd_scratch`
   * floats (kernels/winograd-conv.c).
   */
  winograd_conv(
    x: number,
    n: number,
    h: number,
    w: number,
    c: number,
    oh: number,
    ow: number,
    pt: number,
    pl: number,
    u: number,
    co: number,
    bias: number,
    out: number,
    bt: number,
    at: number,
    alpha: number,
    m: number,
    block: number,
    scratch: number,
  ): void;
  /** Floats of scratch `winograd_conv` needs for these arguments. */
  winograd_scratch(
    n: number,
    c: number,
    co: number,
    oh: number,
    ow: number,
    alpha: number,
    m: number,
    block: number,
  ): number;
}

/** Bytes of shadow stack the loader gives the module (C locals that do not fit in registers). */
const STACK_BYTES = 1 << 16;

/** kernels/hpo-kernels.wasm of the @hpo/trainer package (found the same way from a bundle). */
const wasmFile = () =>
  join(dirname(dirname(createRequire(import.meta.url).resolve("@hpo/trainer"))), "kernels", "hpo-kernels.wasm");

/** The WebAssembly API this needs (the project's TypeScript libs do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const { Module, Instance } = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface EmscriptenModule {
  asm: { memory: object };
  _malloc(bytes: number): number;
}

const loaded = new WeakMap<WasmBackend, CKernels>();

/**
 * The C kernels on `backend`'s memory, instantiated on first use (synchronously: the module is a
 * few kilobytes) with a shadow stack malloc'd from tfjs's heap, kept for the backend's lifetime.
 */
export function cKernels(backend: WasmBackend): CKernels {
  const known = loaded.get(backend);
  if (known) return known;
  const wasm = backend.wasm as unknown as EmscriptenModule;
  const instance = new Instance(new Module(readFileSync(wasmFile())), {
    env: { memory: wasm.asm.memory },
  });
  const exports = instance.exports as unknown as CKernels & { __stack_pointer: { value: number } };
  // the stack grows down from the end of its block; 16-byte aligned as clang expects
  exports.__stack_pointer.value = (wasm._malloc(STACK_BYTES + 16) + STACK_BYTES) & ~15;
  loaded.set(backend, exports);
  return exports;
}
