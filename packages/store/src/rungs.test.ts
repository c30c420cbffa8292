import type { SweepSpec } from "@hpo/core";
import { testSpec } from "@hpo/core/testing";
import { describe, expect, it } from "vitest";
import { createStore, type Store } from "./store.ts";
import { stepValues, storePerSuite, TEST_REDIS_URL } from "./testing/index.ts";

const spec: SweepSpec = testSpec({
  name: "rungs",
  parameters: { lr: { distribution: { kind: "uniform", min: 0, max: 1 } } },
  budget: { max_trials: 50, max_parallel: 50, max_epochs: 9 },
  early_terminate: { type: "asha" },
  seed: 1,
});

describe("store.reportStep (rung state for pruners)", () => {
  // a store on a connection of its own (auto-pipelining), as in production
  const db = storePerSuite("test", (prefix) => createStore({ url: TEST_REDIS_URL, prefix }));

  it("records and reads a rung atomically: concurrent reports see a growing prefix of one order", async () => {
    const sweep = await db.store.createSweep(spec);
    const n = 40;
    await db.store.proposeTrials(
      sweep.id,
      Array.from({ length: n }, (_, index) => ({ index, params: { lr: index / n } })),
    );
    const ids = Array.from({ length: n }, (_, i) => `t${String(i).padStart(4, "0")}`);
    for (const id of ids) await db.store.markRunning(sweep.id, id, "w", 1, `run-${id}`);
    // many reporters on separate connections at once (as many workers would)
    const stores = Array.from({ length: 4 }, () => createStore({ url: TEST_REDIS_URL, prefix: db.prefix }));
    try {
      const reports = await Promise.all(
        ids.map((id, i) => (stores[i % 4] as Store).reportStep(sweep.id, id, 1, i / n, { run: `run-${id}` })),
      );
      // every report includes itself; sizes are exactly 1..n (each saw all earlier writers, none later)
      expect(reports.every((r, i) => r.recorded && r.values.get(ids[i] as string) === i / n)).toBe(true);
      expect(reports.map((r) => r.values.size).sort((a, b) => a - b)).toEqual(ids.map((_, i) => i + 1));
      const bySize = [...reports].sort((a, b) => a.values.size - b.values.size);
      for (let i = 1; i < bySize.length; i++) {
        const prev = (bySize[i - 1] as (typeof bySize)[number]).values;
        const cur = (bySize[i] as (typeof bySize)[number]).values;
        for (const [id, v] of prev) expect(cur.get(id)).toBe(v);
      }
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
    expect((await stepValues(db.redis, db.prefix, sweep.id, 1)).size).toBe(n);
  });

  it("returns the trial's history and the finished count; stale runs and final trials record nothing", async () => {
    const sweep = await db.store.createSweep(spec);
    await db.store.proposeTrials(sweep.id, [
      { index: 0, params: { lr: 0.1 } },
      { index: 1, params: { lr: 0.2 } },
    ]);
    await db.store.markRunning(sweep.id, "t0000", "w", 1, "a");
    await db.store.markRunning(sweep.id, "t0001", "w", 1, "b");
    // as a worker does: the epoch goes to the curve first (markRunning clears up to lastEpoch)
    await db.store.appendEpochs(
      sweep.id,
      "t0000",
      [
        { epoch: 1, folds: [], value: 0.5 },
        { epoch: 3, folds: [], value: 0.7 },
      ],
      "a",
    );
    await db.store.reportStep(sweep.id, "t0000", 1, 0.5, { run: "a" });
    await db.store.reportStep(sweep.id, "t0000", 3, 0.7, { run: "a" });
    const r = await db.store.reportStep(sweep.id, "t0000", 4, 0.6, { run: "a", history: true });
    expect(r.history.slice(0, 1)).toEqual([0.5]);
    expect(Number.isNaN(r.history[1])).toBe(true); // epoch 2 never reported
    expect(r.history.slice(2)).toEqual([0.7, 0.6]);
    expect(r.finished).toBe(0);

    const stale = await db.store.reportStep(sweep.id, "t0000", 5, 0.9, { run: "someone-else" });
    expect(stale.recorded).toBe(false);
    expect(stale.values.has("t0000")).toBe(false);

    await db.store.finishTrial(sweep.id, "t0001", { state: "pruned", prunedAt: 1, folds: [], flags: [] }, "b");
    const after = await db.store.reportStep(sweep.id, "t0001", 2, 0.9);
    expect(after.recorded).toBe(false);
    expect(after.finished).toBe(1);
    // a new attempt starts from a clean slate at every epoch
    await db.store.markRunning(sweep.id, "t0000", "w", 2, "c");
    expect((await stepValues(db.redis, db.prefix, sweep.id, 3)).has("t0000")).toBe(false);
  });
});
