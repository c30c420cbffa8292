/**
 * A trainer stand-in for worker tests, loaded in the training thread instead of @hpo/trainer.
 * `job.params.behaviour`: "train" (default: `maxEpochs` epochs of `epochMs` each), "throw" (throws),
 * "exit" (kills the thread), "block" (one epoch that busy-loops `blockMs` on the CPU).
 */
import type { Reporter, TrialJob, TrialOutcome } from "@hpo/core";

export async function selectBackend(preference = "auto", log: (line: string) => void = () => {}) {
  log(`backend: using stub (asked for ${preference})`);
  return { name: "stub", reason: "test stub" };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function trainTrial(job: TrialJob, reporter: Reporter, signal: AbortSignal): Promise<TrialOutcome> {
  const behaviour = job.params.behaviour ?? "train";
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
