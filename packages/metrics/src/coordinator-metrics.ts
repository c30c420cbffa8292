import type { Registry } from "prom-client";
import { FAMILIES } from "./families.ts";
import { createHttpMetricsMiddleware, type Middleware } from "./http-metrics.ts";
import { gaugeOf } from "./metric-of.ts";
import { createOutcomeMetrics, type OutcomeMetrics } from "./outcome-metrics.ts";
import { type JobCountsSource, registerQueueMetrics } from "./queue-metrics.ts";
import { type Pingable, registerRedisLatency } from "./redis-latency.ts";

export interface CoordinatorMetricsOptions {
  /** BullMQ queues whose job counts are read at every scrape (hpo_queue_jobs). */
  readonly queues?: readonly JobCountsSource[];
  /** When given, every scrape measures the Redis round trip with a PING on this client. */
  readonly redis?: Pingable;
}

/**
 * The metrics the coordinator records. Trials and folds are counted by the workers that train
 * them; the coordinator calls `trialFinished("cancelled")` only for trials it finalises itself
 * (cancelled or failed before any worker took them), and `jobStalled` from the scheduler's watch
 * of the queue's event stream (queue-watch.ts; one per fleet, so each event is counted once).
 * `jobRetried` is counted by the worker whose attempt failed.
 */
export interface CoordinatorMetrics extends OutcomeMetrics {
  /** Express middleware for hpo_http_request_duration_seconds; mount before the routes. */
  readonly http: Middleware;
  /** Sets hpo_sweep_best_score for a running sweep (call when its best trial changes). */
  sweepBest(sweepId: string, metric: string, score: number): void;
  /** Removes the sweep's best-score series (call when the sweep completes, fails or is cancelled). */
  sweepEnded(sweepId: string): void;
  /** Sets hpo_sweeps_running. */
  sweepsRunning(count: number): void;
}

/** Registers the coordinator families (and the shared outcome families) in `registry`. */
export function createCoordinatorMetrics(
  registry: Registry,
  options: CoordinatorMetricsOptions = {},
): CoordinatorMetrics {
  const outcome = createOutcomeMetrics(registry);
  if (options.queues) registerQueueMetrics(registry, options.queues);
  if (options.redis) registerRedisLatency(registry, options.redis);
  const best = gaugeOf(registry, FAMILIES.sweepBestScore);
  const running = gaugeOf(registry, FAMILIES.sweepsRunning);
  running.set(0);
  const metricOf = new Map<string, string>();
  return {
    ...outcome,
    http: createHttpMetricsMiddleware(registry),
    sweepBest(sweepId, metric, score) {
      if (!Number.isFinite(score)) return;
      const previous = metricOf.get(sweepId);
      if (previous !== undefined && previous !== metric) best.remove({ sweep: sweepId, metric: previous });
      metricOf.set(sweepId, metric);
      best.set({ sweep: sweepId, metric }, score);
    },
    sweepEnded(sweepId) {
      const metric = metricOf.get(sweepId);
      if (metric === undefined) return;
      best.remove({ sweep: sweepId, metric });
      metricOf.delete(sweepId);
    },
    sweepsRunning: (count) => running.set(count),
  };
}
