import { DEFAULT_PROGRAM_COMMAND, mixSeed, type SweepSpec, type TrialJob, type TrialRecord } from "@hpo/core";
import { jobIdOf } from "@hpo/store";
import type { JobsOptions } from "bullmq";

/** How training runs: "tfjs" trains for real, "noop" scores at once (orchestration tests, benchmarks). */
export type TrialMode = "tfjs" | "noop";

/**
 * BullMQ options of every trial job. Two attempts at least (a worker crash or stall gets one
 * retry) with exponential backoff; completed jobs are removed (the store holds the result);
 * failed ones are kept for a while so a restarted coordinator can still read why.
 */
export const TRIAL_JOB_OPTIONS: JobsOptions = {
  attempts: 2,
  backoff: { type: "exponential", delay: 1000 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
};

/** The job data of a trial: everything a worker needs, nothing it has to read back. */
export function trialJobOf(sweepId: string, spec: SweepSpec, trial: TrialRecord, mode: TrialMode): TrialJob {
  const grouped = Object.entries(spec.parameters).flatMap(([name, p]) => (p.path ? [[name, p.path] as const] : []));
  return {
    sweepId,
    trialId: trial.id,
    params: trial.params,
    ...(spec.dataset && { dataset: spec.dataset }),
    ...(spec.program !== undefined && {
      program: {
        path: spec.program,
        command: spec.command ?? DEFAULT_PROGRAM_COMMAND,
        ...(spec.report && { report: spec.report }),
        ...(grouped.length > 0 && { paths: Object.fromEntries(grouped) }),
      },
      ...(spec.budget.max_trial_seconds !== undefined && { maxTrialSeconds: spec.budget.max_trial_seconds }),
    }),
    model: spec.model,
    cv: spec.cv,
    metric: spec.metric,
    maxEpochs: spec.budget.max_epochs,
    seed: mixSeed(spec.seed, "trial", trial.index),
    mode,
    ...(spec.budget.max_trial_seconds !== undefined && { maxTrialSeconds: spec.budget.max_trial_seconds }),
  };
}

/** `queue.addBulk` entry of a trial, with its deterministic job id. */
export function bulkJobOf(job: TrialJob) {
  return { name: "trial", data: job, opts: { ...TRIAL_JOB_OPTIONS, jobId: jobIdOf(job.sweepId, job.trialId) } };
}

/** What the job id of a selection run appends to the trial id (`jobIdOf(sweep, trial + suffix)`). */
export const SELECT_JOB_SUFFIX = "-select";

/**
 * The job of the final selection phase for `trial` (spec.select): the same config and seed,
 * `select.repeats` repeats past `cv.repeats`, `phase: "select"`, and a job id of its own.
 */
export function selectionJobOf(sweepId: string, spec: SweepSpec, trial: TrialRecord, mode: TrialMode) {
  const job: TrialJob = {
    ...trialJobOf(sweepId, spec, trial, mode),
    phase: "select",
    repeatRange: { from: spec.cv.repeats ?? 1, count: spec.select?.repeats ?? 1 },
  };
  return {
    name: "select",
    data: job,
    opts: { ...TRIAL_JOB_OPTIONS, jobId: jobIdOf(sweepId, `${trial.id}${SELECT_JOB_SUFFIX}`) },
  };
}
