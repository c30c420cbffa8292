import type { EpochReport, FoldResult, SweepSpec, TrialOutcome } from "@hpo/core";
import { testSpec } from "@hpo/core/testing";
import { describe, expect, it } from "vitest";
import { keysFor } from "./keys.ts";
import { createStore, type Store } from "./store.ts";
import { appendEpoch, proposeTrial, stepValues, storePerTest, unreachableRedis } from "./testing/index.ts";

const spec = (name = "iris-test", goal: "maximize" | "minimize" = "maximize"): SweepSpec =>
  testSpec({ name, metric: { name: goal === "maximize" ? "val_accuracy" : "val_loss", goal } });

const folds = (...scores: number[]): FoldResult[] =>
  scores.map((score, fold) => ({ fold, score, metrics: { val_accuracy: score }, epochs: 3, durationMs: 5 }));

const done = (...scores: number[]): TrialOutcome => ({ state: "completed", folds: folds(...scores), flags: [] });

describe("store", () => {
  const stores = storePerTest((prefix, redis) => createStore({ redis, prefix }));
  let store: Store;
  const fresh = () => (store = stores.fresh());

  it("creates sweeps with url-safe ids and lists them newest first", async () => {
    fresh();
    const a = await store.createSweep(spec("Digits: Adam / SGD!"));
    const b = await store.createSweep(spec("2024"));
    expect(a.id).toMatch(/^digits-adam-sgd-[a-z0-9]{6}$/);
    expect(b.id).toMatch(/^2024-[a-z0-9]{6}$/);
    expect(a.status).toBe("running");
    expect(a.counts.queued).toBe(0);
    expect(a.proposed).toBe(0);
    const page = await store.listSweeps(0, 10);
    expect(page.total).toBe(2);
    expect(page.items.map((s) => s.id)).toEqual([b.id, a.id]);
    expect((await store.listSweeps(1, 10)).items.map((s) => s.id)).toEqual([a.id]);
    expect(await store.getSweep("nope-123456")).toBeUndefined();
    expect((await store.getSweep(a.id))?.spec).toEqual(spec("Digits: Adam / SGD!"));
    expect(new Set(await store.runningSweepIds())).toEqual(new Set([a.id, b.id]));
  });

  it("proposes trials idempotently by index", async () => {
    fresh();
    const s = await store.createSweep(spec());
    const t1 = await proposeTrial(store, s.id, 0, { lr: 0.01 });
    const t2 = await proposeTrial(store, s.id, 0, { lr: 0.5 });
    expect(t1.id).toBe("t0000");
    expect(t2).toEqual(t1);
    expect(t2.params).toEqual({ lr: 0.01 });
    await proposeTrial(store, s.id, 3, { lr: 0.02 });
    const sweep = await store.getSweep(s.id);
    expect(sweep?.counts.queued).toBe(2);
    expect(sweep?.proposed).toBe(4);
    await expect(proposeTrial(store, "missing-aaaaaa", 0, {})).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(store.markRunning(s.id, "t0009", "w", 1)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const outcome = { state: "failed", folds: [], flags: [] } as const;
    await expect(store.finishTrial(s.id, "t0009", outcome)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("finishTrial is atomic and idempotent, keeps counts and the best trial", async () => {
    fresh();
    const s = await store.createSweep(spec());
    for (let i = 0; i < 3; i++) await proposeTrial(store, s.id, i, { lr: i });
    expect(await store.markRunning(s.id, "t0000", "w1", 1)).toBe(true);
    expect(await store.markRunning(s.id, "t0001", "w2", 1)).toBe(true);
    let sweep = await store.getSweep(s.id);
    expect(sweep?.counts).toMatchObject({ queued: 1, running: 2 });

    expect(await store.finishTrial(s.id, "t0000", done(0.8, 0.9, 1.0))).toBe(true);
    // a second delivery of the same (or another) outcome changes nothing
    expect(await store.finishTrial(s.id, "t0000", done(0.1, 0.1, 0.1))).toBe(false);
    expect(await store.finishTrial(s.id, "t0000", { state: "failed", folds: [], flags: [], error: "x" })).toBe(false);
    expect(await store.markRunning(s.id, "t0000", "w3", 2)).toBe(false);

    const t0 = await store.getTrial(s.id, "t0000");
    expect(t0?.state).toBe("completed");
    expect(t0?.mean).toBeCloseTo(0.9);
    expect(t0?.std).toBeCloseTo(0.1);
    expect(t0?.sem).toBeCloseTo(0.1 / Math.sqrt(3));
    expect(t0?.folds.map((f) => f.score)).toEqual([0.8, 0.9, 1.0]);
    expect(t0?.worker).toBe("w1");
    expect(t0?.durationMs).toBeGreaterThanOrEqual(0);
    expect(t0?.finishedAt).toBeGreaterThanOrEqual(t0?.startedAt ?? Infinity);

    await store.finishTrial(s.id, "t0001", done(0.95, 0.95, 0.95));
    await store.finishTrial(s.id, "t0002", { state: "failed", folds: [], flags: [], error: "boom" });
    sweep = await store.getSweep(s.id);
    expect(sweep?.counts).toMatchObject({ queued: 0, running: 0, completed: 2, failed: 1 });
    expect(sweep?.best?.trialId).toBe("t0001");
    expect(sweep?.best?.mean).toBeCloseTo(0.95);
    expect((await store.getTrial(s.id, "t0002"))?.error).toBe("boom");
  });

  it("concurrent duplicate finishes count once", async () => {
    fresh();
    const s = await store.createSweep(spec());
    await proposeTrial(store, s.id, 0, {});
    await store.markRunning(s.id, "t0000", "w", 1);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => store.finishTrial(s.id, "t0000", done(0.5, 0.6))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const sweep = await store.getSweep(s.id);
    expect(sweep?.counts).toMatchObject({ running: 0, completed: 1 });
  });

  it("tracks the best trial under a minimize goal", async () => {
    fresh();
    const s = await store.createSweep(spec("loss", "minimize"));
    for (const [i, v] of [0.5, 0.2, 0.9].entries()) {
      await proposeTrial(store, s.id, i, {});
      await store.finishTrial(s.id, `t000${i}`, done(v, v));
    }
    expect((await store.getSweep(s.id))?.best?.trialId).toBe("t0001");
    const page = await store.listTrials(s.id);
    expect(page.items.map((t) => t.id)).toEqual(["t0001", "t0000", "t0002"]);
  });

  it("appends epochs once each, restarts the curve on a new attempt, feeds pruners", async () => {
    fresh();
    const s = await store.createSweep(spec());
    await proposeTrial(store, s.id, 0, {});
    const ep = (epoch: number, value: number): EpochReport => ({ epoch, value, folds: [{ val_accuracy: value }] });
    expect(await appendEpoch(store, s.id, "t0000", ep(1, 0.5))).toBe(false); // not running yet
    await store.markRunning(s.id, "t0000", "w", 1);
    expect(await appendEpoch(store, s.id, "t0000", ep(1, 0.5))).toBe(true);
    expect(await appendEpoch(store, s.id, "t0000", ep(1, 0.5))).toBe(false);
    expect(await appendEpoch(store, s.id, "t0000", ep(2, 0.6))).toBe(true);
    expect((await store.getTrial(s.id, "t0000"))?.curve.map((e) => e.value)).toEqual([0.5, 0.6]);
    expect((await stepValues(stores.redis(), stores.prefix(), s.id, 2)).get("t0000")).toBe(0.6);

    await store.markRunning(s.id, "t0000", "w2", 2); // retry: training starts over
    expect((await store.getTrial(s.id, "t0000"))?.curve).toEqual([]);
    expect((await stepValues(stores.redis(), stores.prefix(), s.id, 2)).size).toBe(0);
    expect(await appendEpoch(store, s.id, "t0000", ep(1, 0.7))).toBe(true);
    const t = await store.getTrial(s.id, "t0000");
    expect(t?.attempts).toBe(2);
    expect(t?.worker).toBe("w2");
    expect(t?.curve).toEqual([ep(1, 0.7)]);
    expect((await store.getSweep(s.id))?.counts.running).toBe(1);
  });

  it("lists trials by score, by index, by state, paginated", async () => {
    fresh();
    const s = await store.createSweep(spec());
    const scores = [0.3, 0.9, 0.5, 0.7, 0.1];
    for (const i of scores.keys()) await proposeTrial(store, s.id, i, { i });
    for (const [i, v] of scores.entries()) if (i !== 2) await store.finishTrial(s.id, `t000${i}`, done(v, v, v));
    await proposeTrial(store, s.id, 5, { i: 5 });
    await store.finishTrial(s.id, "t0004", done(1)); // already final: ignored
    const all = await store.listTrials(s.id, { limit: 100 });
    expect(all.total).toBe(6);
    // completed best first, then the rest (queued t0002, t0005) by index
    expect(all.items.map((t) => t.id)).toEqual(["t0001", "t0003", "t0000", "t0004", "t0002", "t0005"]);
    const p2 = await store.listTrials(s.id, { offset: 3, limit: 2 });
    expect(p2.items.map((t) => t.id)).toEqual(["t0004", "t0002"]);
    expect((await store.listTrials(s.id, { offset: 1, limit: 1 })).items.map((t) => t.id)).toEqual(["t0003"]);
    const byIndex = await store.listTrials(s.id, { sort: "index", offset: 4, limit: 10 });
    expect(byIndex.items.map((t) => t.id)).toEqual(["t0004", "t0005"]);
    const queued = await store.listTrials(s.id, { state: "queued" });
    expect(queued.items.map((t) => t.id)).toEqual(["t0002", "t0005"]);
    expect(queued.total).toBe(2);
    const completed = await store.listTrials(s.id, { state: "completed", limit: 2 });
    expect(completed.items.map((t) => t.id)).toEqual(["t0001", "t0003"]);
    expect(completed.total).toBe(4);
    expect(await store.trialIdsInState(s.id, "queued")).toEqual(["t0002", "t0005"]);
  });

  it("changes a sweep status only while it is running", async () => {
    fresh();
    const s = await store.createSweep(spec());
    expect(await store.setSweepStatus(s.id, "cancelled", "by user")).toBe(true);
    expect(await store.setSweepStatus(s.id, "completed")).toBe(false);
    const sweep = await store.getSweep(s.id);
    expect(sweep?.status).toBe("cancelled");
    expect(sweep?.reason).toBe("by user");
    expect(sweep?.finishedAt).toBeGreaterThan(0);
    expect(await store.getSweepStatus(s.id)).toBe("cancelled");
    expect(await store.getSweepStatus("missing-aaaaaa")).toBeUndefined();
    expect(await store.runningSweepIds()).toEqual([]);
    await expect(store.setSweepStatus("missing-aaaaaa", "completed")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("reads the status hashes workers publish, {} for a worker without one", async () => {
    fresh();
    await stores.redis().hset(keysFor(stores.prefix()).workerStatus("w1"), { host: "h", busy: "1" });
    expect(await store.getWorkerStatuses(["w1", "w2"])).toEqual([{ host: "h", busy: "1" }, {}]);
    expect(await store.getWorkerStatuses([])).toEqual([]);
  });

  it("broadcasts cancels to subscribers", async () => {
    fresh();
    const got: string[] = [];
    const unsubscribe = await store.subscribeCancel((id) => got.push(id));
    await store.publishCancel("abc-123456");
    for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(got).toEqual(["abc-123456"]);
    await unsubscribe();
  });

  it("reports Redis failures as UNAVAILABLE", async () => {
    const dead = unreachableRedis();
    store = stores.fresh((prefix) => createStore({ redis: dead, prefix }));
    expect(await store.ping()).toBe(false);
    await expect(store.getSweep("x-aaaaaa")).rejects.toMatchObject({ code: "UNAVAILABLE" });
    dead.disconnect();
  });
});
