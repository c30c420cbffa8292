/**
 * A model module for worker tests (train(ctx) form; tests allow this folder in HPO_MODEL_DIRS).
 * `ctx.params.behaviour`: "train" (default: `ctx.epochs` steps of `epochMs` each), "throw"
 * (throws), "exit" (kills the training thread), "block" (fold 0 busy-loops `blockMs` on the CPU
 * before one step), "hang" (fold 0 never returns nor yields: a busy loop forever), "leak" (each
 * fold leaves one tensor undisposed), "abort" (the thread's runtime dies as a wasm module does
 * after `Aborted()`: this trial and every later one in the same thread throw the wasm
 * RuntimeError, until the worker replaces the thread). Fold f reports val_accuracy
 * 0.5 + step/1000 + f/100 at each step, and `thread_trials`: the trials this module instance ran
 * (1 in a fresh thread); it returns 0.8 + f/100.
 */
import type { ModuleTrainContext } from "@hpo/trainer";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The error a dead wasm module throws (WebAssembly is a Node global; the compiler's lib has no DOM types). */
const WasmRuntimeError = (globalThis as unknown as { WebAssembly: { RuntimeError: ErrorConstructor } }).WebAssembly
  .RuntimeError;
/** Set by an "abort" trial: this thread's "runtime" is dead from then on (a fresh thread imports the module afresh). */
let dead = false;
/** Trials run by this module instance, i.e. in this thread. */
let trials = 0;

export async function train(ctx: ModuleTrainContext): Promise<Record<string, number>> {
  const behaviour = ctx.params.behaviour ?? "train";
  if (ctx.fold === 0) trials++;
  if (behaviour === "abort") dead = true;
  if (dead) throw new WasmRuntimeError("Aborted(). Build with -sASSERTIONS for more info.");
  if (behaviour === "throw") throw new Error("stub trainer exploded");
  if (behaviour === "exit") process.exit(3);
  if (behaviour === "hang" && ctx.fold === 0) for (;;) {}
  if (behaviour === "leak") ctx.tf.zeros([2, 2]);
  if (behaviour === "block" && ctx.fold === 0) {
    const until = Date.now() + Number(ctx.params.blockMs ?? 2000);
    while (Date.now() < until) {
      // CPU-bound on purpose: the parent's event loop must stay free
    }
  }
  const steps = behaviour === "block" ? 1 : ctx.epochs;
  for (let step = 1; step <= steps; step++) {
    await sleep(Number(ctx.params.epochMs ?? 5));
    if (await ctx.report(step, { val_accuracy: 0.5 + step / 1000 + ctx.fold / 100, thread_trials: trials })) break;
  }
  return { val_accuracy: 0.8 + ctx.fold / 100 };
}
