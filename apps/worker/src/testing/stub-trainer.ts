/**
 * A trainer stand-in for worker tests, loaded in the training thread instead of @hpo/trainer.
 * `job.params.behaviour`: "train" (default: `maxEpochs` epochs of `epochMs` each), "throw" (throws),
 * "exit" (kills the thread), "block" (one epoch that busy-loops `blockMs` on the CPU), "abort" (the
 * thread's runtime dies as a wasm module does after `Aborted()`: this trial and every later one
 * in the same thread throw the wasm RuntimeError).
 */
import type { Reporter, TrialJob, TrialOutcome } from "@hpo/core";

export async function selectBackend(preference = "auto", log: (line: string) => void = () => {}) {
  log(`backend: using stub (asked for ${preference})`);
  return { name: "stub", reason: "test stub" };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The error a dead wasm module throws (WebAssembly is a Node global; the compiler's lib has no DOM types). */
const WasmRuntimeError = (globalThis as unknown as { WebAssembly: { RuntimeError: ErrorConstructor } }).WebAssembly
  .RuntimeError;
/** Set by an "abort" trial: this thread's "runtime" is dead from then on. */
let dead = false;

export async function trainTrial(job: TrialJob, reporter: Reporter, signal: AbortSignal): Promise<TrialOutcome> {
  const behaviour = job.params.behaviour ?? "train";
  if (behaviour === "abort") dead = true;
  if (dead) throw new WasmRuntimeError("Aborted(). Build with -sASSERTIONS for more info.");
  if (behaviour === "throw") throw new Error("stub trainer exploded");
  if (behaviour === "exit") process.exit(3);
  if (behaviour === "block") {
    const until = Date.now() + Number(job.params.blockMs ?? 2000);
    while (Date.now() < until) {
      // CPU-bound on purpose: the parent's event loop must stay free
    }
  }
  const epochs = behaviour === "block" ? 1 : job.maxEpochs;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    if (signal.aborted) return { state: "cancelled", folds: [], flags: [], error: "cancelled" };
    await sleep(Number(job.params.epochMs ?? 5));
    const folds = Array.from({ length: job.cv.folds }, () => ({ val_accuracy: 0.5 + epoch / 1000 }));
    if (await reporter.report({ epoch, folds, value: 0.5 + epoch / 1000 })) {
      return { state: "pruned", prunedAt: epoch, folds: [], flags: [] };
    }
    if (signal.aborted) return { state: "cancelled", folds: [], flags: [], error: "cancelled" };
  }
  return {
    state: "completed",
    folds: Array.from({ length: job.cv.folds }, (_, fold) => ({
      fold,
      score: 0.8 + fold / 100,
      metrics: { val_accuracy: 0.8 + fold / 100 },
      epochs,
      durationMs: 1,
    })),
    flags: [],
  };
}
