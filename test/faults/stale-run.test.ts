/**
 * The store side of "a stale worker's late result is not counted": once a second run of a trial
 * is marked running, epochs and results written under the first run's token are ignored, and
 * the counts move once.
 */

import type { SweepSpec, TrialOutcome } from "@hpo/core";
import { parseSweepSpec } from "@hpo/core";
import { appendEpoch, proposeTrial, storePerSuite } from "@hpo/store/testing";
import { describe, expect, it } from "vitest";
import { checkInvariants } from "./invariants.ts";

const spec: SweepSpec = parseSweepSpec(
  {
    name: "stale-run",
    method: "random",
    dataset: "iris",
    parameters: { learning_rate: { values: [0.01] } },
    cv: { folds: 2 },
  },
  { format: "json" },
);
const outcome = (score: number): TrialOutcome => ({
  state: "completed",
  flags: [],
  folds: [0, 1].map((fold) => ({ fold, score, metrics: { val_accuracy: score }, epochs: 1, durationMs: 1 })),
});
const epoch = (n: number, value: number) => ({ epoch: n, folds: [{ val_accuracy: value }], value });

describe("store writes from a replaced run", () => {
  const db = storePerSuite("faults-stale");

  it("are ignored: the new run's curve and result stand, counted once", async () => {
    const sweep = await db.store.createSweep(spec);
    const { id } = await proposeTrial(db.store, sweep.id, 0, { learning_rate: 0.01 });
    expect(await db.store.markRunning(sweep.id, id, "cut-off", 1, "run-a")).toBe(true);
    expect(await appendEpoch(db.store, sweep.id, id, epoch(1, 0.1), "run-a")).toBe(true);
    // the lock of run-a expired; another worker took the trial over
    expect(await db.store.markRunning(sweep.id, id, "healthy", 2, "run-b")).toBe(true);
    expect(await appendEpoch(db.store, sweep.id, id, epoch(1, 0.5), "run-b")).toBe(true);
    // run-a's link comes back: its queued writes arrive late
    expect(await appendEpoch(db.store, sweep.id, id, epoch(2, 0.2), "run-a")).toBe(false);
    expect(await db.store.finishTrial(sweep.id, id, outcome(0.2), "run-a")).toBe(false);
    expect((await db.store.getTrial(sweep.id, id))?.state).toBe("running");

    expect(await appendEpoch(db.store, sweep.id, id, epoch(2, 0.9), "run-b")).toBe(true);
    expect(await db.store.finishTrial(sweep.id, id, outcome(0.9), "run-b")).toBe(true);
    expect(await db.store.finishTrial(sweep.id, id, outcome(0.9), "run-b")).toBe(false); // idempotent
    await db.store.setSweepStatus(sweep.id, "completed");

    const t = await db.store.getTrial(sweep.id, id);
    expect(t).toMatchObject({ state: "completed", worker: "healthy", attempts: 2, mean: 0.9 });
    expect(t?.curve.map((e) => e.value)).toEqual([0.5, 0.9]);
    expect((await db.store.getSweep(sweep.id))?.counts).toMatchObject({ completed: 1, running: 0 });
    await checkInvariants({ redis: db.redis, prefix: db.prefix, sweepIds: [sweep.id] });
  });

  it("without a run token (the coordinator's cancel/fail paths) still apply", async () => {
    const sweep = await db.store.createSweep(spec);
    const { id } = await proposeTrial(db.store, sweep.id, 0, { learning_rate: 0.01 });
    await db.store.markRunning(sweep.id, id, "w", 1, "run-a");
    expect(await db.store.finishTrial(sweep.id, id, { state: "failed", folds: [], flags: [], error: "x" })).toBe(true);
    expect((await db.store.getSweep(sweep.id))?.counts).toMatchObject({ failed: 1, running: 0 });
  });
});
