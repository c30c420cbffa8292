import { describe, expect, it } from "vitest";
import { FAMILIES } from "./families.ts";
import { counterOf, gaugeOf, histogramOf } from "./metric-of.ts";
import { createMetricsRegistry } from "./registry.ts";

describe("counterOf, gaugeOf, histogramOf", () => {
  it("take name, help and labels from the family table", async () => {
    const registry = createMetricsRegistry({ role: "worker", process: "w1", defaultMetrics: false });
    counterOf(registry, FAMILIES.trialsFinished).inc({ state: "pruned" });
    gaugeOf(registry, FAMILIES.tfjsBackend).set({ backend: "wasm" }, 1);
    histogramOf(registry, FAMILIES.epochDuration, [1, 2]).observe(1.5);
    const text = await registry.metrics();
    expect(text).toContain(`# HELP hpo_trials_finished_total ${FAMILIES.trialsFinished.help}`);
    expect(text).toContain('hpo_trials_finished_total{state="pruned",role="worker",process="w1"} 1');
    expect(text).toContain('hpo_tfjs_backend_info{backend="wasm",role="worker",process="w1"} 1');
    expect(text).toContain('hpo_epoch_duration_seconds_bucket{le="2",role="worker",process="w1"} 1');
  });

  it("refuse a family of another type", () => {
    const registry = createMetricsRegistry({ role: "worker", process: "w1", defaultMetrics: false });
    expect(() => counterOf(registry, FAMILIES.workerBusy)).toThrow(
      "metric family hpo_worker_busy is a gauge, not a counter",
    );
    expect(() => gaugeOf(registry, FAMILIES.epochDuration)).toThrow(/is a histogram, not a gauge/);
    expect(() => histogramOf(registry, FAMILIES.trialsFinished, [1])).toThrow(/is a counter, not a histogram/);
  });
});
