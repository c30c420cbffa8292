import { sleep, waitFor } from "@hpo/core/testing";
import { uniquePrefix } from "@hpo/store/testing";
import { describe, expect, it } from "vitest";
import { apiClient } from "../helpers/api.ts";
import { e2eStackPerSuite } from "../helpers/stack.ts";

// Long trials (many epochs) so that cancel lands while both workers are training.
const LONG = `
name: iris-cancel
method: random
dataset: iris
parameters:
  learning_rate: { distribution: log_uniform_values, min: 0.001, max: 0.01 }
cv: { folds: 3 }
budget: { max_trials: 50, max_parallel: 2, max_epochs: 2000 }
`;

describe("cancelling a sweep on 2 real worker processes", () => {
  const prefix = uniquePrefix("e2e-cancel");
  const stack = e2eStackPerSuite({ prefix, coordinator: { mode: "tfjs" }, workers: ["cancel-w1", "cancel-w2"] });

  it("stops it: status cancelled, running trials aborted, nothing left queued or running, workers idle", async () => {
    const api = apiClient(stack.coordinator.url);
    const sweep = await api.submit(LONG);

    // both trials are training (each has reported epochs)
    await waitFor(
      "two trials training",
      async () => {
        const running = (await api.trials(sweep.id, "state=running")).items;
        if (running.length < 2) return false;
        const curves = await Promise.all(running.map((t) => stack.coordinator.store.getTrial(sweep.id, t.id)));
        return curves.every((t) => (t?.curve.length ?? 0) >= 2);
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );

    const cancelled = await api.cancel(sweep.id);
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.reason).toBe("cancelled by user");

    const settled = await waitFor(
      "no trial queued or running",
      async () => {
        const s = await api.sweep(sweep.id);
        return s.counts.queued + s.counts.running === 0 && s;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(settled.status).toBe("cancelled");
    expect(settled.counts.cancelled).toBeGreaterThanOrEqual(2);

    // the aborted trials were cut short, long before max_epochs
    const trials = (await api.trials(sweep.id)).items;
    const aborted = trials.filter((t) => t.state === "cancelled" && t.worker);
    expect(aborted.length).toBeGreaterThanOrEqual(2);
    for (const t of aborted) {
      const full = await stack.coordinator.store.getTrial(sweep.id, t.id);
      expect(full?.curve.length).toBeLessThan(2000);
    }
    const workerLogs = stack.workers.flatMap((w) => w.logs());
    expect(workerLogs.filter((r) => r.msg === "cancel received").length).toBe(2);

    // nothing more happens: no new proposals, queue empty, workers idle
    const proposed = settled.proposed;
    await sleep(1500);
    const later = await api.sweep(sweep.id);
    expect(later.proposed).toBe(proposed);
    expect(later.counts).toEqual(settled.counts);
    const counts = await stack.queue.getJobCounts("waiting", "active", "delayed", "prioritized");
    expect(counts).toMatchObject({ waiting: 0, active: 0, delayed: 0, prioritized: 0 });

    // cancelling again is harmless
    expect((await api.cancel(sweep.id)).status).toBe("cancelled");
  });
});
