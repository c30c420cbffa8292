import { FINAL_TRIAL_STATES } from "@hpo/core";
import { describe, expect, it } from "vitest";
import { createMetricsRegistry } from "./registry.ts";
import { sampleValue } from "./testing/exposition.ts";
import { createWorkerMetrics } from "./worker-metrics.ts";

function setup() {
  const registry = createMetricsRegistry({ role: "worker", process: "w1", defaultMetrics: false });
  return { registry, metrics: createWorkerMetrics(registry, { concurrency: 2 }) };
}

describe("createWorkerMetrics", () => {
  it("exports every final state at 0 before anything happens, with role and process labels", async () => {
    const { registry } = setup();
    const text = await registry.metrics();
    for (const state of FINAL_TRIAL_STATES) {
      expect(text).toContain(`hpo_trials_finished_total{state="${state}",role="worker",process="w1"} 0`);
      expect(text).toContain(`hpo_folds_finished_total{state="${state}",role="worker",process="w1"} 0`);
    }
    expect(text).toContain('hpo_worker_slots{role="worker",process="w1"} 2');
    expect(text).toContain('hpo_worker_busy{role="worker",process="w1"} 0');
  });

  it("tracks busy trials; the done callback is idempotent", async () => {
    const { registry, metrics } = setup();
    const a = metrics.trialStarted();
    const b = metrics.trialStarted();
    expect(await registry.getSingleMetricAsString("hpo_worker_busy")).toContain("} 2");
    a();
    a();
    expect(await registry.getSingleMetricAsString("hpo_worker_busy")).toContain("} 1");
    b();
    expect(await registry.getSingleMetricAsString("hpo_worker_busy")).toContain("} 0");
  });

  it("records a trial outcome and each fold with the trial's state", async () => {
    const { registry, metrics } = setup();
    metrics.trialOutcome(
      { state: "pruned", folds: [{ durationMs: 1500 }, { durationMs: 2500 }, { durationMs: 500 }] },
      4.2,
    );
    const text = await registry.metrics();
    expect(text).toContain('hpo_trials_finished_total{state="pruned",role="worker",process="w1"} 1');
    expect(text).toContain('hpo_folds_finished_total{state="pruned",role="worker",process="w1"} 3');
    expect(sampleValue(text, "hpo_trial_duration_seconds_sum", { state: "pruned" })).toBe(4.2);
    expect(sampleValue(text, "hpo_fold_duration_seconds_sum", { state: "pruned" })).toBe(4.5);
    expect(sampleValue(text, "hpo_fold_duration_seconds_bucket", { state: "pruned", le: "1" })).toBe(1);
    expect(sampleValue(text, "hpo_fold_duration_seconds_bucket", { state: "pruned", le: "2.5" })).toBe(3);
    expect(text).toContain('hpo_trials_finished_total{state="completed",role="worker",process="w1"} 0');
  });

  it("counts epochs and samples and observes epoch durations", async () => {
    const { registry, metrics } = setup();
    metrics.epochFinished(0.2, 400);
    metrics.epochFinished(0.3, 400);
    metrics.epochFinished(Number.NaN);
    const text = await registry.metrics();
    expect(text).toContain('hpo_training_samples_total{role="worker",process="w1"} 800');
    expect(text).toContain('hpo_training_epochs_total{role="worker",process="w1"} 3');
    expect(sampleValue(text, "hpo_epoch_duration_seconds_count")).toBe(2);
    expect(sampleValue(text, "hpo_epoch_duration_seconds_sum")).toBe(0.5);
  });

  it("keeps a single backend info series and the latest tensor count", async () => {
    const { registry, metrics } = setup();
    metrics.tfjs("cpu", 10);
    metrics.tfjs("wasm", 42);
    metrics.tfjs("wasm");
    const info = await registry.getSingleMetricAsString("hpo_tfjs_backend_info");
    expect(info).toContain('hpo_tfjs_backend_info{backend="wasm",role="worker",process="w1"} 1');
    expect(info).not.toContain('backend="cpu"');
    expect(await registry.getSingleMetricAsString("hpo_tfjs_tensors")).toContain("} 42");
  });

  it("counts retries and stalls", async () => {
    const { registry, metrics } = setup();
    metrics.jobRetried();
    metrics.jobStalled();
    metrics.jobStalled();
    expect(await registry.getSingleMetricAsString("hpo_job_retries_total")).toContain("} 1");
    expect(await registry.getSingleMetricAsString("hpo_jobs_stalled_total")).toContain("} 2");
  });
});
