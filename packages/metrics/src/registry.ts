import { collectDefaultMetrics, Registry } from "prom-client";

export interface MetricsRegistryOptions {
  /** `role` label on every series: "coordinator" or "worker". */
  readonly role: "coordinator" | "worker";
  /** `process` label on every series, e.g. the worker name (hostname-pid). Bounded: one per process. */
  readonly process: string;
  /** Register prom-client's default process and Node.js metrics (cpu, memory, event loop, gc). Default true. */
  readonly defaultMetrics?: boolean;
}

/**
 * A fresh prom-client registry (never the global one, so that tests and several apps in one
 * process do not collide) with default labels `role` and `process` on every series.
 */
export function createMetricsRegistry(options: MetricsRegistryOptions): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ role: options.role, process: options.process });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}
