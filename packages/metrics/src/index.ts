export type { Registry } from "prom-client";
export { EPOCH_BUCKETS, FAST_BUCKETS, LONG_DURATION_BUCKETS } from "./buckets.ts";
export {
  type CoordinatorMetrics,
  type CoordinatorMetricsOptions,
  createCoordinatorMetrics,
} from "./coordinator-metrics.ts";
export {
  FAMILIES,
  METRIC_FAMILIES,
  type MetricFamily,
  type MetricRole,
  type MetricType,
} from "./families.ts";
export { type FileSdTarget, writeFileSdTarget } from "./file-sd.ts";
export {
  createHttpMetricsMiddleware,
  type Middleware,
  type RouteRequest,
  type StatusResponse,
  UNMATCHED_ROUTE,
} from "./http-metrics.ts";
export { createMetricsHandler } from "./metrics-handler.ts";
export { type MetricsServer, startMetricsServer } from "./metrics-server.ts";
export { createOutcomeMetrics, type OutcomeMetrics } from "./outcome-metrics.ts";
export { JOB_STATES, type JobCountsSource, type JobState, registerQueueMetrics } from "./queue-metrics.ts";
export { type Pingable, type RedisLatencyOptions, registerRedisLatency } from "./redis-latency.ts";
export { createMetricsRegistry, type MetricsRegistryOptions } from "./registry.ts";
export {
  advertisedHost,
  serveWorkerMetrics,
  type WorkerEndpoint,
  type WorkerEndpointOptions,
} from "./worker-endpoint.ts";
export {
  createWorkerMetrics,
  type OutcomeLike,
  type WorkerMetrics,
  type WorkerMetricsOptions,
  type WorkerSnapshot,
} from "./worker-metrics.ts";
export { type HashClient, startWorkerStatus, type WorkerStatus, type WorkerStatusOptions } from "./worker-status.ts";
