import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { createCoordinatorMetrics } from "./coordinator-metrics.ts";
import { createMetricsRegistry } from "./registry.ts";
import { sampleValue } from "./testing/exposition.ts";

function setup(options: Parameters<typeof createCoordinatorMetrics>[1] = {}) {
  const registry = createMetricsRegistry({ role: "coordinator", process: "coordinator", defaultMetrics: false });
  return { registry, metrics: createCoordinatorMetrics(registry, options) };
}

class FakeResponse extends EventEmitter {
  statusCode = 200;
}

describe("createCoordinatorMetrics", () => {
  it("labels HTTP durations with the route pattern, not the URL", async () => {
    const { registry, metrics } = setup();
    const req = {
      method: "GET",
      baseUrl: "/api/sweeps",
      route: undefined as { path: string } | undefined,
      url: "/api/sweeps/abc123",
    };
    const res = new FakeResponse();
    let nextCalled = false;
    metrics.http(req, res, () => {
      nextCalled = true;
    });
    expect(nextCalled).toBe(true);
    req.route = { path: "/:id" };
    // An error handler of the app answers: express restored the parent router's baseUrl by then.
    req.baseUrl = "";
    res.statusCode = 404;
    res.emit("finish");
    const unmatched = new FakeResponse();
    metrics.http({ method: "GET" }, unmatched, () => {});
    unmatched.emit("finish");
    const text = await registry.getSingleMetricAsString("hpo_http_request_duration_seconds");
    expect(
      sampleValue(text, "hpo_http_request_duration_seconds_count", {
        route: "/api/sweeps/:id",
        method: "GET",
        status: "404",
      }),
    ).toBe(1);
    expect(sampleValue(text, "hpo_http_request_duration_seconds_count", { route: "unmatched", status: "200" })).toBe(1);
    expect(text).not.toContain("abc123");
  });

  it("sets the best score of a live sweep and removes it when the sweep ends", async () => {
    const { registry, metrics } = setup();
    metrics.sweepBest("s1", "val_accuracy", 0.9);
    metrics.sweepBest("s2", "val_loss", 0.3);
    metrics.sweepBest("s1", "val_accuracy", 0.95);
    metrics.sweepsRunning(2);
    let text = await registry.metrics();
    expect(text).toContain(
      'hpo_sweep_best_score{sweep="s1",metric="val_accuracy",role="coordinator",process="coordinator"} 0.95',
    );
    expect(text).toContain('hpo_sweep_best_score{sweep="s2",metric="val_loss"');
    expect(text).toContain('hpo_sweeps_running{role="coordinator",process="coordinator"} 2');
    metrics.sweepEnded("s1");
    metrics.sweepEnded("unknown");
    text = await registry.metrics();
    expect(text).not.toContain('sweep="s1"');
    expect(text).toContain('sweep="s2"');
  });

  it("reads queue job counts at scrape time, mapping BullMQ's wait to waiting", async () => {
    let counts: Record<string, number> = { wait: 3, active: 1, failed: 0 };
    const { registry } = setup({ queues: [{ name: "trials", getJobCounts: async () => counts }] });
    let text = await registry.getSingleMetricAsString("hpo_queue_jobs");
    expect(text).toContain('hpo_queue_jobs{queue="trials",state="waiting",role="coordinator",process="coordinator"} 3');
    expect(text).toContain('hpo_queue_jobs{queue="trials",state="active",role="coordinator",process="coordinator"} 1');
    counts = { wait: 0, active: 2 };
    text = await registry.getSingleMetricAsString("hpo_queue_jobs");
    expect(text).toContain('state="waiting",role="coordinator",process="coordinator"} 0');
    expect(text).not.toContain('state="failed"');
  });

  it("still answers the scrape when the queue cannot be read", async () => {
    const { registry } = setup({
      queues: [{ name: "trials", getJobCounts: () => Promise.reject(new Error("Connection is closed.")) }],
    });
    const text = await registry.metrics();
    expect(text).toContain("# TYPE hpo_queue_jobs gauge");
    expect(text).not.toContain("hpo_queue_jobs{");
    expect(text).toContain("hpo_trials_finished_total");
  });

  it("counts trials the coordinator finalises itself", async () => {
    const { registry, metrics } = setup();
    metrics.trialFinished("cancelled");
    const text = await registry.getSingleMetricAsString("hpo_trials_finished_total");
    expect(text).toContain('state="cancelled",role="coordinator",process="coordinator"} 1');
  });
});
