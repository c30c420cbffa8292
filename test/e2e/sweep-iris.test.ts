import { compareScores, type EpochReport } from "@hpo/core";
import { uniquePrefix } from "@hpo/store/testing";
import { describe, expect, it } from "vitest";
import { apiClient } from "../helpers/api.ts";
import { e2eStackPerSuite } from "../helpers/stack.ts";

const IRIS = `
name: iris-e2e
method: random
seed: 3
dataset: iris
metric: { name: val_accuracy, goal: maximize }
parameters:
  learning_rate: { distribution: log_uniform_values, min: 0.003, max: 0.1 }
  batch_size: { values: [16, 32] }
  optimizer: { values: [adam, sgd] }
  dropout: { values: [0, 0.2] }
model: { hidden: [16], activation: relu }
cv: { folds: 3, stratified: true, seed: 1 }
budget: { max_trials: 4, max_parallel: 2, max_epochs: 4 }
`;

describe("an iris sweep over HTTP on 2 real worker processes (tfjs)", () => {
  const prefix = uniquePrefix("e2e-iris");
  const stack = e2eStackPerSuite({ prefix, coordinator: { mode: "tfjs" }, workers: ["iris-w1", "iris-w2"] });

  it("runs to completion with K fold scores per trial and a leaderboard sorted by the goal", async () => {
    const api = apiClient(stack.coordinator.url);
    const submitted = await api.submit(IRIS);
    expect(submitted.status).toBe("running");

    const done = await api.ended(submitted.id, 150_000);
    expect(done.status).toBe("completed");
    expect(done.proposed).toBe(4);
    expect(done.counts).toMatchObject({ queued: 0, running: 0, completed: 4 });

    const page = await api.trials(submitted.id);
    expect(page.total).toBe(4);
    for (const t of page.items) {
      expect(t.state).toBe("completed");
      expect(t.folds).toHaveLength(3);
      expect(t.folds.map((f) => f.fold).sort()).toEqual([0, 1, 2]);
      for (const f of t.folds) {
        expect(f.score).toBeGreaterThanOrEqual(0);
        expect(f.score).toBeLessThanOrEqual(1);
        expect(f.epochs).toBeGreaterThan(0);
        expect(Object.keys(f.metrics)).toEqual(expect.arrayContaining(["loss", "val_loss", "val_accuracy"])); // trained for real
      }
      const mean = t.folds.reduce((a, f) => a + f.score, 0) / 3;
      expect(t.mean).toBeCloseTo(mean, 10);
      expect(t.std).toBeGreaterThanOrEqual(0);
      expect(t.sem).toBeCloseTo((t.std as number) / Math.sqrt(3), 10);
      const res = await fetch(`${stack.coordinator.url}/api/sweeps/${submitted.id}/trials/${t.id}`);
      const trial = (await res.json()) as { curve: EpochReport[] };
      expect(trial.curve.length).toBeGreaterThan(0);
      expect(trial.curve[0]?.folds).toHaveLength(3);
    }
    // leaderboard: best first under "maximize"; the sweep's best is the first row
    const means = page.items.map((t) => t.mean);
    console.log(
      page.items
        .map(
          (t) =>
            `${t.id} ${t.worker} ${JSON.stringify(t.params)} ${t.mean?.toFixed(3)}±${t.std?.toFixed(3)} [${t.folds.map((f) => f.score.toFixed(3))}] ${t.durationMs}ms`,
        )
        .join("\n"),
    );
    expect(means).toEqual([...means].sort(compareScores("maximize")));
    expect(done.best?.trialId).toBe(page.items[0]?.id);
    // the trials ran on both worker processes
    expect(new Set(page.items.map((t) => t.worker))).toEqual(new Set(["iris-w1", "iris-w2"]));

    // no tensor leaks: after every job the thread is back at its baseline tensor count
    for (const w of stack.workers) {
      const logs = w.logs();
      const baseline = logs.find((r) => r.msg === "training backend selected")?.tensors;
      const after = logs.filter((r) => r.msg === "trial finished").map((r) => r.tensors);
      expect(typeof baseline).toBe("number");
      expect(after.length).toBeGreaterThan(0);
      expect(after.every((n) => n === baseline)).toBe(true);
    }
  });
});
