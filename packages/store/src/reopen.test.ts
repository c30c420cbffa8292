import { HpoError } from "@hpo/core";
import { testSpec } from "@hpo/core/testing";
import { describe, expect, it } from "vitest";
import { createStore } from "./store.ts";
import { appendEpoch, storePerSuite } from "./testing/index.ts";

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
  let clock = 1_000_000;
  const db = storePerSuite("test", (prefix, redis) => createStore({ redis, prefix, now: () => clock }));

  it("resume: a cancelled sweep runs again, its cancelled trials queued with their params, paused time not counted", async () => {
    const s = await db.store.createSweep(spec);
    await db.store.proposeTrials(s.id, [
      { index: 0, params: { lr: 0.1 } },
      { index: 1, params: { lr: 0.2 } },
      { index: 2, params: { lr: 0.3 } },
    ]);
    await db.store.markRunning(s.id, "t0000", "w", 1, "r0");
    await db.store.finishTrial(
      s.id,
      "t0000",
      { state: "completed", folds: [{ fold: 0, score: 0.9, metrics: {}, epochs: 5, durationMs: 1 }], flags: [] },
      "r0",
    );
    await db.store.markRunning(s.id, "t0001", "w", 1, "r1");
    await appendEpoch(db.store, s.id, "t0001", { epoch: 1, folds: [], value: 0.4 }, "r1");
    clock += 10_000;
    await db.store.setSweepStatus(s.id, "cancelled", "cancelled by user");
    await db.store.finishTrial(
      s.id,
      "t0001",
      { state: "cancelled", folds: [], flags: [], error: "sweep cancelled" },
      "r1",
    );
    await db.store.finishTrial(s.id, "t0002", { state: "cancelled", folds: [], flags: [], error: "sweep cancelled" });
    expect(await code(db.store.extendSweep(s.id, { trials: 2 }))).toBe("ok"); // cancelled: budget grows, stays cancelled
    expect((await db.store.getSweep(s.id))?.status).toBe("cancelled");

    clock += 30_000; // stopped for 30 s
    const { sweep, requeued } = await db.store.resumeSweep(s.id);
    expect(requeued).toBe(2);
    expect(sweep.status).toBe("running");
    expect(sweep.reason).toBeUndefined();
    expect(sweep.finishedAt).toBeUndefined();
    expect(sweep.counts).toMatchObject({ completed: 1, cancelled: 0, queued: 2, running: 0 });
    expect(sweep.spec.budget).toMatchObject({ max_trials: 5, max_seconds: 90 });
    expect(await db.store.runningSweepIds()).toContain(s.id);
    const t1 = await db.store.getTrial(s.id, "t0001");
    expect(t1).toMatchObject({ state: "queued", params: { lr: 0.2 }, folds: [] });
    expect(t1?.error).toBeUndefined();
    expect(t1?.curve).toEqual([]);
    expect((await db.store.trialIdsInState(s.id, "queued")).sort()).toEqual(["t0001", "t0002"]);
    // the completed trial is untouched and still best
    expect(sweep.best?.trialId).toBe("t0000");
    // a re-queued trial runs like any other
    expect(await db.store.markRunning(s.id, "t0001", "w", 2, "r2")).toBe(true);
    // only cancelled sweeps resume
    expect(await code(db.store.resumeSweep(s.id))).toBe("CONFLICT");
    expect(await code(db.store.resumeSweep("nope-000000"))).toBe("NOT_FOUND");
  });

  it("extend: a completed sweep runs again with more trials; a failed one cannot; concurrent extends all count", async () => {
    const s = await db.store.createSweep(spec);
    await db.store.setSweepStatus(s.id, "completed", "max_trials 3 proposed");
    const grown = await db.store.extendSweep(s.id, { trials: 4 });
    expect(grown.status).toBe("running");
    expect(grown.spec.budget.max_trials).toBe(7);
    expect(grown.reason).toBeUndefined();
    await Promise.all(Array.from({ length: 10 }, () => db.store.extendSweep(s.id, { trials: 1, seconds: 1 })));
    const after = await db.store.getSweep(s.id);
    expect(after?.spec.budget.max_trials).toBe(17);
    expect(after?.spec.budget.max_seconds).toBe(70);
    expect(await code(db.store.extendSweep(s.id, { trials: 100_000 }))).toBe("INVALID_SPEC");

    const f = await db.store.createSweep(spec);
    await db.store.setSweepStatus(f.id, "failed", "no trial produced a result");
    expect(await code(db.store.extendSweep(f.id, { trials: 1 }))).toBe("CONFLICT");
  });
});
