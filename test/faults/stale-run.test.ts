/**
 * The store side of "a stale worker's late result is not counted": once a second run of a trial
 * is marked running, epochs and results written under the first run's token are ignored, and
 * the counts move once.
 */

import type { SweepSpec, TrialOutcome } from "@hpo/core";
import { parseSweepSpec } from "@hpo/core";
import { createStore, deleteKeysUnder, type Store } from "@hpo/store";
import { appendEpoch, proposeTrial, uniquePrefix } from "@hpo/store/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REDIS_URL } from "../helpers/processes.ts";
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
  const prefix = uniquePrefix("faults-stale");
  let redis: Redis;
  let store: Store;

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    store = createStore({ redis, prefix });
  });
  afterAll(async () => {
    await store.close();
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });

  it("are ignored: the new run's curve and result stand, counted once", async () => {
    const sweep = await store.createSweep(spec);
    const { id } = await proposeTrial(store, sweep.id, 0, { learning_rate: 0.01 });
    expect(await store.markRunning(sweep.id, id, "cut-off", 1, "run-a")).toBe(true);
    expect(await appendEpoch(store, sweep.id, id, epoch(1, 0.1), "run-a")).toBe(true);
    // the lock of run-a expired; another worker took the trial over
    expect(await store.markRunning(sweep.id, id, "healthy", 2, "run-b")).toBe(true);
    expect(await appendEpoch(store, sweep.id, id, epoch(1, 0.5), "run-b")).toBe(true);
    // run-a's link comes back: its queued writes arrive late
    expect(await appendEpoch(store, sweep.id, id, epoch(2, 0.2), "run-a")).toBe(false);
    expect(await store.finishTrial(sweep.id, id, outcome(0.2), "run-a")).toBe(false);
    expect((await store.getTrial(sweep.id, id))?.state).toBe("running");

    expect(await appendEpoch(store, sweep.id, id, epoch(2, 0.9), "run-b")).toBe(true);
    expect(await store.finishTrial(sweep.id, id, outcome(0.9), "run-b")).toBe(true);
    expect(await store.finishTrial(sweep.id, id, outcome(0.9), "run-b")).toBe(false); // idempotent
    await store.setSweepStatus(sweep.id, "completed");

    const t = await store.getTrial(sweep.id, id);
    expect(t).toMatchObject({ state: "completed", worker: "healthy", attempts: 2, mean: 0.9 });
    expect(t?.curve.map((e) => e.value)).toEqual([0.5, 0.9]);
    expect((await store.getSweep(sweep.id))?.counts).toMatchObject({ completed: 1, running: 0 });
    await checkInvariants({ redis, prefix, sweepIds: [sweep.id] });
  });

  it("without a run token (the coordinator's cancel/fail paths) still apply", async () => {
    const sweep = await store.createSweep(spec);
    const { id } = await proposeTrial(store, sweep.id, 0, { learning_rate: 0.01 });
    await store.markRunning(sweep.id, id, "w", 1, "run-a");
    expect(await store.finishTrial(sweep.id, id, { state: "failed", folds: [], flags: [], error: "x" })).toBe(true);
    expect((await store.getSweep(sweep.id))?.counts).toMatchObject({ failed: 1, running: 0 });
  });
});
