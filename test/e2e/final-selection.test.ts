import { uniquePrefix } from "@hpo/store/testing";
import { describe, expect, it } from "vitest";
import { apiClient } from "../helpers/api.ts";
import { e2eStackPerSuite } from "../helpers/stack.ts";

/**
 * The final selection phase (`select`) and repeated K-fold (`cv.repeats`) end to end: a real
 * coordinator and a real worker process, noop training (scores from the params plus seeded noise
 * per fold), so that the orchestration is what is tested.
 */
describe("final selection phase on a real worker process", () => {
  const prefix = uniquePrefix("e2e-select");
  const stack = e2eStackPerSuite({ prefix, coordinator: { mode: "noop", tickMs: 250 }, workers: ["select-w1"] });

  it("re-evaluates the top trials with more repeats before the sweep completes", async () => {
    const api = apiClient(stack.coordinator.url);
    const sweep = await api.submit(`
name: select-e2e
method: random
seed: 3
dataset: iris
parameters:
  learning_rate: { distribution: log_uniform_values, min: 0.0001, max: 0.1 }
  batch_size: { values: [16, 32, 64] }
cv: { folds: 3, repeats: 2 }
budget: { max_trials: 6, max_parallel: 3, max_epochs: 3 }
select: { top: 2, repeats: 2 }
`);
    const ended = await api.ended(sweep.id, 120_000);
    expect(ended.status).toBe("completed");
    expect(ended.reason).toMatch(/final selection: top 2 re-evaluated with 2 more repeats$/);
    expect(ended.selection).toHaveLength(2);
    const { items } = await api.trials(sweep.id);
    expect(items).toHaveLength(6);
    const selected = new Set(ended.selection);
    for (const t of items) {
      expect(t.state).toBe("completed");
      // 3 folds × 2 repeats each; the selected ones 2 repeats more, fold indices going on
      const n = selected.has(t.id) ? 12 : 6;
      expect(t.folds.map((f) => f.fold)).toEqual([...Array(n).keys()]);
      expect(t.selected).toBe(selected.has(t.id) ? 2 : undefined);
      const mean = t.folds.reduce((a, f) => a + f.score, 0) / n;
      expect(t.mean).toBeCloseTo(mean, 12);
      expect(t.ciLow).toBeLessThanOrEqual(mean);
      expect(t.ciHigh).toBeGreaterThanOrEqual(mean);
    }
    // the selected trials were the top 2 of the search (by the mean of their first 6 folds)
    const searchMean = (t: (typeof items)[number]) => t.folds.slice(0, 6).reduce((a, f) => a + f.score, 0) / 6;
    const top2 = [...items].sort((a, b) => searchMean(b) - searchMean(a)).slice(0, 2);
    expect(new Set(top2.map((t) => t.id))).toEqual(selected);
    // the new folds are new splits: not copies of the first repeats' scores
    const first = items.find((t) => selected.has(t.id));
    expect(first?.folds.slice(6).map((f) => f.score)).not.toEqual(first?.folds.slice(0, 6).map((f) => f.score));
    // the winner is named after the selection: the best mean of all, recomputed ones included
    const best = [...items].sort((a, b) => (b.mean ?? 0) - (a.mean ?? 0))[0];
    expect(ended.best?.trialId).toBe(best?.id);
    expect(ended.best?.mean).toBeCloseTo(best?.mean ?? Number.NaN, 12);
    expect(best?.tied).toBe(true);
  }, 180_000);
});
