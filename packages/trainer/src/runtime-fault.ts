/**
 * Runtime faults: failures of the machinery a trial runs on (the tfjs wasm module, the JS heap,
 * the training thread), as opposed to failures of the trial itself (a NaN loss, a bad parameter,
 * a malformed CSV). After a runtime fault the tfjs backend of the thread cannot be trusted: the
 * wasm module is dead after `Aborted()`, and after a failed allocation (`malloc` answers 0 once the
 * 4 GB wasm32 heap is full) tfjs has already written over the bottom of the heap. The worker
 * therefore replaces the thread and retries the trial once (docs/trainer.md, "Runtime faults").
 *
 * This file imports nothing (the worker's thread uses it without loading tfjs).
 */

/**
 * - `wasm-abort`: the wasm module called abort() (`Aborted()`), typically an allocation it could
 *   not satisfy; the module is dead for good.
 * - `wasm-trap`: a WebAssembly.RuntimeError (`memory access out of bounds`, `unreachable`, …);
 *   out of bounds is what a failed wasm allocation turns into.
 * - `allocation`: the JS engine could not allocate (`Array buffer allocation failed`, a typed
 *   array or wasm memory too large).
 * - `thread-exit`: the training thread died (exit, uncaught error, JS heap exhausted).
 */
export type RuntimeFaultKind = "wasm-abort" | "wasm-trap" | "allocation" | "thread-exit";

/** Largest wasm32 heap (what the tfjs wasm backend can ever hold), in bytes: 65,535 pages of 64 KiB. */
export const WASM_HEAP_MAX_BYTES = 4_294_901_760;

/** A runtime fault with a message that says what happened, e.g. `out of memory: …`. */
export class RuntimeFault extends Error {
  override readonly name = "RuntimeFault";
  constructor(
    readonly kind: RuntimeFaultKind,
    message: string,
  ) {
    super(message);
  }
}

const ALLOCATION =
  /allocation failed|invalid typed array length|invalid array buffer length|array buffer allocation|out of memory|maximum memory size exceeded|could not allocate memory|WebAssembly\.Memory/i;

/**
 * The runtime fault `e` is, or undefined when `e` is an ordinary error (the trial's own).
 * Recognised: a RuntimeFault (returned as is; one from another copy of this module by its name
 * and kind); a WebAssembly.RuntimeError (by name, so errors
 * from another realm count) — `Aborted(…)` gives `wasm-abort`, anything else `wasm-trap`; a
 * RangeError or Error whose message says an allocation failed gives `allocation`; Node's
 * `ERR_WORKER_OUT_OF_MEMORY` gives `thread-exit`. Messages start with "out of memory:" when the
 * fault is one (aborts, out-of-bounds accesses, failed allocations), else "runtime fault:".
 */
export function runtimeFaultOf(e: unknown): RuntimeFault | undefined {
  if (e instanceof RuntimeFault) return e;
  if (typeof e === "string") return /^Aborted\(/.test(e) ? abort(e) : undefined;
  if (!(e instanceof Error)) return undefined;
  const message = e.message;
  // a RuntimeFault of another copy of this module (a bundle, a test double's import) is one too
  const kind: unknown = (e as Error & { kind?: unknown }).kind;
  if (e.name === "RuntimeFault" && isKind(kind)) return new RuntimeFault(kind, message);
  if ((e as { code?: unknown }).code === "ERR_WORKER_OUT_OF_MEMORY") {
    return new RuntimeFault("thread-exit", `out of memory: the training thread ran out of JS heap (${message})`);
  }
  if (/^Aborted\(/.test(message)) return abort(message);
  if (e.name === "RuntimeError") {
    if (/out of bounds/i.test(message)) {
      return new RuntimeFault(
        "wasm-trap",
        `out of memory: wasm ${message} (an allocation past the wasm heap's ${gb(WASM_HEAP_MAX_BYTES)} failed)`,
      );
    }
    return new RuntimeFault("wasm-trap", `runtime fault: wasm ${message}`);
  }
  if ((e instanceof RangeError || e.name === "RangeError" || /allocation/i.test(message)) && ALLOCATION.test(message)) {
    return new RuntimeFault("allocation", `out of memory: ${message}`);
  }
  return undefined;
}

const KINDS: readonly string[] = ["wasm-abort", "wasm-trap", "allocation", "thread-exit"];
const isKind = (k: unknown): k is RuntimeFaultKind => typeof k === "string" && KINDS.includes(k);

function abort(message: string): RuntimeFault {
  return new RuntimeFault(
    "wasm-abort",
    `out of memory: the tfjs wasm runtime aborted ("${message}"), most likely on an allocation past its ${gb(WASM_HEAP_MAX_BYTES)} heap`,
  );
}

function gb(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(0)} GB`;
}
