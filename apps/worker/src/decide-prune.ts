import { type EpochReport, NopPruner, type Pruner, type SweepSpec, type TrialJob } from "@hpo/core";
import type { Store } from "@hpo/store";

/**
 * Decides after each epoch whether a trial stops early (the seam between workers and pruners).
 * Resolves true to prune. Called in the worker's main thread after the epoch was sent to the
 * store, so the store's per-epoch values (`stepValues`) already include this trial.
 * `active` (optional) resolves false when the sweep has no pruner: the worker then batches its
 * epoch writes instead of writing each one before the decision (absent = assume active).
 */
export type DecidePrune = ((job: TrialJob, report: EpochReport) => Promise<boolean>) & {
  readonly active?: (job: TrialJob) => Promise<boolean>;
};

/** Builds the pruner of a sweep from its spec (`early_terminate`). */
export type PrunerFactory = (spec: SweepSpec) => Pruner;

/** Until core's median/ASHA/Hyperband pruners land, every sweep gets the NopPruner. */
export const defaultPrunerFactory: PrunerFactory = () => new NopPruner();

/**
 * The DecidePrune of a worker: one pruner per sweep (spec read once from the store), fed with the
 * K-fold means of the other trials of the sweep at the same epoch.
 */
export function createDecidePrune(store: Store, factory: PrunerFactory = defaultPrunerFactory): DecidePrune {
  const pruners = new Map<string, Promise<Pruner | undefined>>();
  const prunerOf = (sweepId: string) => {
    let p = pruners.get(sweepId);
    if (!p) {
      if (pruners.size > 100) pruners.clear();
      p = store.getSweep(sweepId).then((s) => (s ? factory(s.spec) : undefined));
      pruners.set(sweepId, p);
    }
    return p;
  };
  const decide = async (job: TrialJob, report: EpochReport) => {
    const pruner = await prunerOf(job.sweepId);
    if (!pruner || pruner.name === "none" || !Number.isFinite(report.value)) return false;
    const values = await store.stepValues(job.sweepId, report.epoch);
    values.delete(job.trialId);
    return pruner.shouldPrune({
      trialId: job.trialId,
      step: report.epoch,
      value: report.value,
      goal: job.metric.goal,
      others: [...values.values()],
    });
  };
  const active = async (job: TrialJob) => {
    const pruner = await prunerOf(job.sweepId);
    return pruner !== undefined && pruner.name !== "none";
  };
  return Object.assign(decide, { active });
}
