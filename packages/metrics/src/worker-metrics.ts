import type { FinalTrialState } from "@hpo/core";
import type { Registry } from "prom-client";
import { EPOCH_BUCKETS } from "./buckets.ts";
import { FAMILIES } from "./families.ts";
import { counterOf, gaugeOf, histogramOf } from "./metric-of.ts";
import { createOutcomeMetrics, type OutcomeMetrics } from "./outcome-metrics.ts";
import { type Pingable, registerRedisLatency } from "./redis-latency.ts";

/** The part of a trainer outcome the worker metrics read (a `TrialOutcome` from @hpo/core fits). */
export interface OutcomeLike {
  readonly state: FinalTrialState;
  readonly folds: readonly { readonly durationMs: number }[];
}

export interface WorkerMetricsOptions {
  /** Trials this process runs at once (HPO_WORKER_CONCURRENCY); exported as hpo_worker_slots. Default 1. */
  readonly concurrency?: number;
  /** When given, every scrape measures the Redis round trip with a PING on this client. */
  readonly redis?: Pingable;
}

/**
 * The metrics a worker process records. Training threads do not touch prom-client: they post
 * their epoch reports (and backend / tensor count) to the parent, which calls these methods.
 *
 * Typical use for one job:
 * ```ts
 * const done = metrics.trialStarted();          // hpo_worker_busy + 1
 * // per epoch report from the training thread:
 * metrics.epochFinished(seconds, samples);       // epoch histogram, samples and epochs counters
 * metrics.tfjs(backend, numTensors);             // info gauge and live tensors
 * // when the trainer returns:
 * metrics.trialOutcome(outcome, seconds);        // trial + every fold, by final state
 * done();                                        // hpo_worker_busy - 1 (call in finally)
 * ```
 */
/** What a worker process's metrics say right now (for the dashboard's fleet view). */
export interface WorkerSnapshot {
  /** TensorFlow.js backend in use, once reported. */
  readonly backend?: string;
  /** Trials running now. */
  readonly busy: number;
  readonly slots: number;
  /** hpo_training_samples_total. */
  readonly samplesTotal: number;
}

export interface WorkerMetrics extends OutcomeMetrics {
  /** Marks one more trial running; returns the idempotent function that marks it done. */
  trialStarted(): () => void;
  /** One epoch of a trial took `seconds` and processed `samples` training rows (all folds). */
  epochFinished(seconds: number, samples?: number): void;
  /** Records a finished trial and each of its folds with the trial's final state. */
  trialOutcome(outcome: OutcomeLike, seconds: number): void;
  /** The TensorFlow.js backend in use and the live tensor count of the training thread. */
  tfjs(backend: string, numTensors?: number): void;
  /** The current values, without going through the registry. */
  snapshot(): WorkerSnapshot;
}

/** Registers the worker families (and the shared outcome families) in `registry`. */
export function createWorkerMetrics(registry: Registry, options: WorkerMetricsOptions = {}): WorkerMetrics {
  const outcome = createOutcomeMetrics(registry);
  if (options.redis) registerRedisLatency(registry, options.redis);
  const busy = gaugeOf(registry, FAMILIES.workerBusy);
  const slots = gaugeOf(registry, FAMILIES.workerSlots);
  slots.set(options.concurrency ?? 1);
  busy.set(0);
  const epochDuration = histogramOf(registry, FAMILIES.epochDuration, EPOCH_BUCKETS);
  const samples = counterOf(registry, FAMILIES.trainingSamples);
  const epochs = counterOf(registry, FAMILIES.trainingEpochs);
  const backendInfo = gaugeOf(registry, FAMILIES.tfjsBackend);
  const tensors = gaugeOf(registry, FAMILIES.tfjsTensors);
  tensors.set(0);
  let currentBackend: string | undefined;
  let running = 0;
  let samplesTotal = 0;
  const concurrency = options.concurrency ?? 1;

  return {
    ...outcome,
    trialStarted() {
      busy.set(++running);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        busy.set(--running);
      };
    },
    epochFinished(seconds, n = 0) {
      if (Number.isFinite(seconds) && seconds >= 0) epochDuration.observe(seconds);
      epochs.inc();
      if (Number.isFinite(n) && n > 0) {
        samples.inc(n);
        samplesTotal += n;
      }
    },
    trialOutcome(result, seconds) {
      outcome.trialFinished(result.state, seconds);
      for (const fold of result.folds) outcome.foldFinished(result.state, fold.durationMs / 1000);
    },
    tfjs(backend, numTensors) {
      if (backend !== currentBackend) {
        backendInfo.reset();
        backendInfo.set({ backend }, 1);
        currentBackend = backend;
      }
      if (numTensors !== undefined) tensors.set(numTensors);
    },
    snapshot: () => ({
      ...(currentBackend !== undefined && { backend: currentBackend }),
      busy: running,
      slots: concurrency,
      samplesTotal,
    }),
  };
}
