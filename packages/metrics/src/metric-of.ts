import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { MetricFamily, MetricType } from "./families.ts";

/** Called at every scrape before the metric is read (prom-client's `collect`), with the metric as `this`. */
type Collect<M> = (this: M) => void | Promise<void>;

/** The options prom-client takes for `family` in `registry`; throws if the family is not of `type`. */
function configOf<M>(registry: Registry, family: MetricFamily, type: MetricType, collect?: Collect<M>) {
  if (family.type !== type) throw new Error(`metric family ${family.name} is a ${family.type}, not a ${type}`);
  return {
    name: family.name,
    help: family.help,
    labelNames: family.labels,
    registers: [registry],
    ...(collect && { collect }),
  };
}

/**
 * Registers a counter of `family` in `registry`: name, help and label names come from the family
 * table (families.ts), so that they are written once. Throws if the family is not a counter, or
 * (prom-client) if the registry has the name already.
 */
export function counterOf(registry: Registry, family: MetricFamily, collect?: Collect<Counter>): Counter {
  return new Counter(configOf(registry, family, "counter", collect));
}

/** Registers a gauge of `family` in `registry`, as `counterOf` does a counter. */
export function gaugeOf(registry: Registry, family: MetricFamily, collect?: Collect<Gauge>): Gauge {
  return new Gauge(configOf(registry, family, "gauge", collect));
}

/** Registers a histogram of `family` with `buckets` (upper bounds, seconds) in `registry`, as `counterOf` does a counter. */
export function histogramOf(
  registry: Registry,
  family: MetricFamily,
  buckets: readonly number[],
  collect?: Collect<Histogram>,
): Histogram {
  return new Histogram({ ...configOf(registry, family, "histogram", collect), buckets: [...buckets] });
}
