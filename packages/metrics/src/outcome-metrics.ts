import { FINAL_TRIAL_STATES, type FinalTrialState } from "@hpo/core";
import type { Registry } from "prom-client";
import { LONG_DURATION_BUCKETS } from "./buckets.ts";
import { FAMILIES } from "./families.ts";
import { counterOf, histogramOf } from "./metric-of.ts";

/**
 * Final states of trials and folds, plus retries and stalls. Registered by both the coordinator
 * and the workers: each trial is counted once, by the process that decides its final state
 * (the worker that trained it, or the coordinator for a trial cancelled before it started).
 * PromQL sums over processes.
 */
export interface OutcomeMetrics {
  /** Count a trial in its final state; `seconds` (if known) goes to hpo_trial_duration_seconds. */
  trialFinished(state: FinalTrialState, seconds?: number): void;
  /** Count a fold in its final state; `seconds` (if known) goes to hpo_fold_duration_seconds. */
  foldFinished(state: FinalTrialState, seconds?: number): void;
  /** A job attempt failed and BullMQ will retry it. */
  jobRetried(): void;
  /** A job was found stalled (its worker lost the lock) and moved back to wait. */
  jobStalled(): void;
}

/** Registers the outcome families in `registry`; the counters of every state start at 0 (histograms appear with their first observation, so processes that never time trials export no empty buckets). */
export function createOutcomeMetrics(registry: Registry): OutcomeMetrics {
  const trials = counterOf(registry, FAMILIES.trialsFinished);
  const folds = counterOf(registry, FAMILIES.foldsFinished);
  const trialDuration = histogramOf(registry, FAMILIES.trialDuration, LONG_DURATION_BUCKETS);
  const foldDuration = histogramOf(registry, FAMILIES.foldDuration, LONG_DURATION_BUCKETS);
  const retries = counterOf(registry, FAMILIES.jobRetries);
  const stalled = counterOf(registry, FAMILIES.jobsStalled);
  for (const state of FINAL_TRIAL_STATES) {
    trials.inc({ state }, 0);
    folds.inc({ state }, 0);
  }
  return {
    trialFinished(state, seconds) {
      trials.inc({ state });
      if (seconds !== undefined && Number.isFinite(seconds)) trialDuration.observe({ state }, seconds);
    },
    foldFinished(state, seconds) {
      folds.inc({ state });
      if (seconds !== undefined && Number.isFinite(seconds)) foldDuration.observe({ state }, seconds);
    },
    jobRetried: () => retries.inc(),
    jobStalled: () => stalled.inc(),
  };
}
