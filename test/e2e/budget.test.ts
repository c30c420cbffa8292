import type { SweepRecord } from "@hpo/core";
import { waitFor } from "@hpo/core/testing";
import { uniquePrefix } from "@hpo/store/testing";
import { describe, expect, it } from "vitest";
import { apiClient } from "../helpers/api.ts";
import { e2eStackPerSuite } from "../helpers/stack.ts";

const TOKEN = "budget-test-token";

const RESUME_EPOCHS = 400;
const iris = (name: string, extra: string) => `
name: ${name}
method: random
seed: 2
dataset: iris
metric: { name: val_accuracy, goal: maximize }
parameters:
  learning_rate: { distribution: log_uniform_values, min: 0.01, max: 0.1 }
model: { hidden: [16], activation: relu }
cv: { folds: 3, stratified: true, seed: 1 }
${extra}
`;

describe("budgets and stopping on 2 real worker processes", () => {
  const prefix = uniquePrefix("e2e-budget");
  const stack = e2eStackPerSuite({
    prefix,
    coordinator: { token: TOKEN, tickMs: 250 },
    workers: ["budget-w1", "budget-w2"],
  });

  const api = () => apiClient(stack.coordinator.url, TOKEN);
  const post = (path: string, body?: unknown, token: string | undefined = TOKEN) =>
    fetch(`${stack.coordinator.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token && { authorization: `Bearer ${token}` }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  const settled = (id: string, timeoutMs = 120_000) =>
    waitFor(
      `sweep ${id} to stop with nothing in flight`,
      async () => {
        const s = await api().sweep(id);
        return s.status !== "running" && s.counts.queued + s.counts.running === 0 && s;
      },
      { timeoutMs, intervalMs: 200 },
    );
  const training = (id: string, n: number) =>
    waitFor(
      `${n} trials of ${id} training`,
      async () => {
        const running = (await api().trials(id, "state=running")).items;
        if (running.length < n) return false;
        const curves = await Promise.all(running.map((t) => stack.coordinator.store.getTrial(id, t.id)));
        return curves.every((t) => (t?.curve.length ?? 0) >= 1);
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );

  it("max_seconds: stops proposing, cancels the trials in flight (partial curves kept), ends with a reason", async () => {
    const sweep = await api().submit(
      iris("budget-time", "budget: { max_trials: 50, max_parallel: 2, max_epochs: 5000, max_seconds: 4 }"),
    );
    await training(sweep.id, 2);
    const done = await settled(sweep.id);
    expect(done.reason).toBe("time budget of 4 s used");
    expect(done.status).toBe("failed"); // no trial could finish 5000 epochs in 4 s
    expect(done.proposed).toBeLessThan(50);
    const cancelled = (await api().trials(sweep.id, "state=cancelled")).items;
    expect(cancelled.length).toBeGreaterThanOrEqual(2);
    const curves = await Promise.all(cancelled.map((t) => stack.coordinator.store.getTrial(sweep.id, t.id)));
    expect(curves.some((t) => (t?.curve.length ?? 0) >= 1)).toBe(true);
    expect(curves.every((t) => (t?.curve.length ?? 0) < 5000)).toBe(true);
  });

  it("metric.target: the sweep ends once a completed trial's K-fold mean reaches it", async () => {
    const sweep = await api().submit(
      iris("budget-target", "budget: { max_trials: 40, max_parallel: 2, max_epochs: 40 }").replace(
        "goal: maximize",
        "goal: maximize, target: 0.8",
      ),
    );
    const done = await settled(sweep.id);
    expect(done.status).toBe("completed");
    expect(done.reason).toMatch(/^target val_accuracy 0.8 reached by t\d{4}$/);
    expect(done.best?.mean).toBeGreaterThanOrEqual(0.8);
    // the trial named is one that reached the target (with 2 in parallel, the other may have
    // finished a moment later with a higher mean and be the best)
    const reachedBy = done.reason?.split(" by ")[1] as string;
    const trial = (await api().trials(sweep.id, "sort=index")).items.find((t) => t.id === reachedBy);
    expect(trial?.state).toBe("completed");
    expect(trial?.mean).toBeGreaterThanOrEqual(0.8);
    expect(done.proposed).toBeLessThan(40);
  });

  it("resume after cancel re-runs the cancelled trials; extend adds trials to a finished sweep; both need the token", async () => {
    const sweep = await api().submit(
      // Long enough that two trials are still training when the test looks (the trainer is fast).
      iris("budget-resume", `budget: { max_trials: 4, max_parallel: 2, max_epochs: ${RESUME_EPOCHS} }`),
    );
    await training(sweep.id, 2);
    await api().cancel(sweep.id);
    const cancelled = await settled(sweep.id);
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.counts.cancelled).toBeGreaterThanOrEqual(2);
    const before = (await api().trials(sweep.id, "sort=index")).items.map((t) => [t.id, t.params]);

    expect((await post(`/api/sweeps/${sweep.id}/resume`, undefined, "")).status).toBe(401);
    expect((await post(`/api/sweeps/${sweep.id}/resume`, undefined, "wrong")).status).toBe(401);
    const res = await post(`/api/sweeps/${sweep.id}/resume`);
    expect(res.status).toBe(200);
    const resumed = (await res.json()) as SweepRecord;
    expect(resumed.status).toBe("running");
    expect(resumed.counts.cancelled).toBe(0);
    expect((await post(`/api/sweeps/${sweep.id}/resume`)).status).toBe(409); // running: nothing to resume

    const finished = await settled(sweep.id);
    expect(finished.status).toBe("completed");
    expect(finished.proposed).toBe(4);
    // on a mismatch, say what became of each trial (a race here once left two trials cancelled)
    const states = (await api().trials(sweep.id, "sort=index")).items.map((t) => `${t.id} ${t.state} ${t.error ?? ""}`);
    expect(finished.counts.completed, states.join("; ")).toBe(4);
    // the cancelled trials ran again with the same ids and params; the rest were proposed after
    const after = (await api().trials(sweep.id, "sort=index")).items;
    expect(after.slice(0, before.length).map((t) => [t.id, t.params])).toEqual(before);
    for (const t of after)
      expect((await stack.coordinator.store.getTrial(sweep.id, t.id))?.curve).toHaveLength(RESUME_EPOCHS);

    expect((await post(`/api/sweeps/${sweep.id}/extend`, { trials: 2 }, "")).status).toBe(401);
    expect((await post(`/api/sweeps/${sweep.id}/extend`, { trials: 0 })).status).toBe(400);
    expect((await post(`/api/sweeps/${sweep.id}/extend`, { trial: 2 })).status).toBe(400);
    expect((await post("/api/sweeps/nope-000000/extend", { trials: 2 })).status).toBe(404);
    const ext = await post(`/api/sweeps/${sweep.id}/extend`, { trials: 2 });
    expect(ext.status).toBe(200);
    expect(((await ext.json()) as SweepRecord).spec.budget.max_trials).toBe(6);
    const extended = await settled(sweep.id);
    expect(extended).toMatchObject({ status: "completed", proposed: 6, reason: "max_trials 6 proposed" });
    expect(extended.counts.completed).toBe(6);
  });
});
