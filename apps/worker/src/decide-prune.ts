import { createPruner, type EpochReport, othersInGroup, type Pruner, type SweepSpec, type TrialJob } from "@hpo/core";
import type { StepReport, Store } from "@hpo/store";

/**
 * Decides after each epoch whether a trial stops early (the seam between workers and pruners).
 * Resolves true to prune. Called in the worker's main thread after the epoch was handed to the
 * store (same connection, so the curve entry lands first). `run` is the worker's run token (as
 * given to markRunning): a stale run's report is not recorded.
 * `active` (optional) resolves false when the sweep has no pruner: the worker then batches its
 * epoch writes instead of writing each one before the decision (absent = assume active).
 */
export type DecidePrune = ((job: TrialJob, report: EpochReport, run?: string) => Promise<boolean>) & {
  readonly active?: (job: TrialJob) => Promise<boolean>;
};

/** Builds the pruner of a sweep from its spec (`early_terminate`). */
export type PrunerFactory = (spec: SweepSpec) => Pruner;

/** The sweep's own pruner: median, ASHA, Hyperband or none, from `early_terminate`. */
export const defaultPrunerFactory: PrunerFactory = (spec) => createPruner(spec.early_terminate);

const better = (a: number, b: number, goal: "maximize" | "minimize") => (goal === "maximize" ? a > b : a < b);

/**
 * The DecidePrune of a worker: one pruner per sweep (spec read once from the store). Each report
 * goes through `store.reportStep`, which records this trial's K-fold mean at the epoch and returns
 * every trial's value there in one atomic Redis call; the pruner then compares the trial with the
 * others of its group (Hyperband bracket, a pure function of the trial id). Pruners are pure, so
 * the decision depends only on the rung as Redis serialised it, whichever worker asks.
 */
export function createDecidePrune(store: Store, factory: PrunerFactory = defaultPrunerFactory): DecidePrune {
  const pruners = new Map<string, Promise<Pruner | undefined>>();
  const prunerOf = (sweepId: string) => {
    let p = pruners.get(sweepId);
    if (!p) {
      if (pruners.size > 100) pruners.clear();
      p = store.getSweep(sweepId).then(
        (s) => (s ? factory(s.spec) : undefined),
        (err) => {
          pruners.delete(sweepId); // a Redis hiccup must not disable pruning for good
          throw err;
        },
      );
      pruners.set(sweepId, p);
    }
    return p;
  };
  const decide = async (job: TrialJob, report: EpochReport, run?: string) => {
    const pruner = await prunerOf(job.sweepId).catch(() => undefined); // retried at the next epoch
    if (!pruner || pruner.name === "none") return false;
    const goal = job.metric.goal;
    // a NaN/Inf mean is the trainer's to classify (diverged), not a pruning decision
    if (!Number.isFinite(report.value)) return false;
    const median = pruner.name === "median";
    let step: StepReport;
    try {
      step = await store.reportStep(job.sweepId, job.trialId, report.epoch, report.value, {
        ...(run && { run }),
        history: median,
      });
    } catch {
      return false; // Redis unreachable for a moment: train on rather than fail the trial
    }
    if (!step.recorded) return false; // not our run any more: the store ignores us anyway
    let best = report.value;
    for (const v of step.history) if (Number.isFinite(v) && better(v, best, goal)) best = v;
    return pruner.shouldPrune({
      trialId: job.trialId,
      step: report.epoch,
      value: report.value,
      goal,
      others: othersInGroup(pruner, job.trialId, step.values),
      best,
      finishedTrials: step.finished,
    });
  };
  const active = async (job: TrialJob) => {
    const pruner = await prunerOf(job.sweepId).catch(() => null); // unknown yet: write every epoch
    return pruner === null || (pruner !== undefined && pruner.name !== "none");
  };
  return Object.assign(decide, { active });
}
