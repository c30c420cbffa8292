import { HpoError } from "@hpo/core";
import { testSpec } from "@hpo/core/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteKeysUnder } from "./delete-prefix.ts";
import { createStore, type Store } from "./store.ts";
import { appendEpoch, TEST_REDIS_URL, uniquePrefix } from "./testing/index.ts";

const spec = testSpec({
  name: "reopen",
  parameters: { lr: { distribution: { kind: "uniform", min: 0, max: 1 } } },
  budget: { max_trials: 3, max_parallel: 3, max_epochs: 5, max_seconds: 60 },
  seed: 1,
});

const code = async (p: Promise<unknown>) => {
  try {
    await p;
    return "ok";
  } catch (e) {
    return e instanceof HpoError ? e.code : String(e);
  }
};

describe("store: resume and extend a sweep", () => {
  const prefix = uniquePrefix();
  let redis: Redis;
  let store: Store;
  let clock = 1_000_000;
  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
    store = createStore({ redis, prefix, now: () => clock });
  });
  afterAll(async () => {
    await store.close();
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });

  it("resume: a cancelled sweep runs again, its cancelled trials queued with their params, paused time not counted", async () => {
    const s = await store.createSweep(spec);
    await store.proposeTrials(s.id, [
      { index: 0, params: { lr: 0.1 } },
      { index: 1, params: { lr: 0.2 } },
      { index: 2, params: { lr: 0.3 } },
    ]);
    await store.markRunning(s.id, "t0000", "w", 1, "r0");
    await store.finishTrial(
      s.id,
      "t0000",
      { state: "completed", folds: [{ fold: 0, score: 0.9, metrics: {}, epochs: 5, durationMs: 1 }], flags: [] },
      "r0",
    );
    await store.markRunning(s.id, "t0001", "w", 1, "r1");
    await appendEpoch(store, s.id, "t0001", { epoch: 1, folds: [], value: 0.4 }, "r1");
    clock += 10_000;
    await store.setSweepStatus(s.id, "cancelled", "cancelled by user");
    await store.finishTrial(
      s.id,
      "t0001",
      { state: "cancelled", folds: [], flags: [], error: "sweep cancelled" },
      "r1",
    );
    await store.finishTrial(s.id, "t0002", { state: "cancelled", folds: [], flags: [], error: "sweep cancelled" });
    expect(await code(store.extendSweep(s.id, { trials: 2 }))).toBe("ok"); // cancelled: budget grows, stays cancelled
    expect((await store.getSweep(s.id))?.status).toBe("cancelled");

    clock += 30_000; // stopped for 30 s
    const { sweep, requeued } = await store.resumeSweep(s.id);
    expect(requeued).toBe(2);
    expect(sweep.status).toBe("running");
    expect(sweep.reason).toBeUndefined();
    expect(sweep.finishedAt).toBeUndefined();
    expect(sweep.counts).toMatchObject({ completed: 1, cancelled: 0, queued: 2, running: 0 });
    expect(sweep.spec.budget).toMatchObject({ max_trials: 5, max_seconds: 90 });
    expect(await store.runningSweepIds()).toContain(s.id);
    const t1 = await store.getTrial(s.id, "t0001");
    expect(t1).toMatchObject({ state: "queued", params: { lr: 0.2 }, folds: [] });
    expect(t1?.error).toBeUndefined();
    expect(t1?.curve).toEqual([]);
    expect((await store.trialIdsInState(s.id, "queued")).sort()).toEqual(["t0001", "t0002"]);
    // the completed trial is untouched and still best
    expect(sweep.best?.trialId).toBe("t0000");
    // a re-queued trial runs like any other
    expect(await store.markRunning(s.id, "t0001", "w", 2, "r2")).toBe(true);
    // only cancelled sweeps resume
    expect(await code(store.resumeSweep(s.id))).toBe("CONFLICT");
    expect(await code(store.resumeSweep("nope-000000"))).toBe("NOT_FOUND");
  });

  it("extend: a completed sweep runs again with more trials; a failed one cannot; concurrent extends all count", async () => {
    const s = await store.createSweep(spec);
    await store.setSweepStatus(s.id, "completed", "max_trials 3 proposed");
    const grown = await store.extendSweep(s.id, { trials: 4 });
    expect(grown.status).toBe("running");
    expect(grown.spec.budget.max_trials).toBe(7);
    expect(grown.reason).toBeUndefined();
    await Promise.all(Array.from({ length: 10 }, () => store.extendSweep(s.id, { trials: 1, seconds: 1 })));
    const after = await store.getSweep(s.id);
    expect(after?.spec.budget.max_trials).toBe(17);
    expect(after?.spec.budget.max_seconds).toBe(70);
    expect(await code(store.extendSweep(s.id, { trials: 100_000 }))).toBe("INVALID_SPEC");

    const f = await store.createSweep(spec);
    await store.setSweepStatus(f.id, "failed", "no trial produced a result");
    expect(await code(store.extendSweep(f.id, { trials: 1 }))).toBe("CONFLICT");
  });
});
