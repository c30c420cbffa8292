import { type EpochReport, HpoError } from "@hpo/core";
import { testSpec } from "@hpo/core/testing";
import { describe, expect, it } from "vitest";
import { createStore, type Store } from "./store.ts";
import { appendEpoch, proposeTrial, stepValues, storePerTest, TEST_REDIS_URL } from "./testing/index.ts";

const spec = testSpec({ name: "batch-test" });
/** An epoch report without folds; its value NaN (the default) means "no value". */
const rep = (epoch: number, value = Number.NaN): EpochReport => ({ epoch, folds: [], value });

describe("store batched writes: proposeTrials, appendEpochs", () => {
  const stores = storePerTest((prefix) => createStore({ url: TEST_REDIS_URL, prefix, now: () => 1234 }));
  let store: Store;
  const fresh = () => (store = stores.fresh());
  /** A new sweep with trials t0000 and t0001 queued (empty params). */
  const sweepWithTwoTrials = async () => {
    const sweep = await store.createSweep(spec);
    await store.proposeTrials(sweep.id, [
      { index: 0, params: {} },
      { index: 1, params: {} },
    ]);
    return sweep;
  };

  it("returns the same records as proposeTrial would, and as the store reads back", async () => {
    fresh();
    const sweep = await store.createSweep(spec);
    const batch = await store.proposeTrials(sweep.id, [
      { index: 0, params: { lr: 0.01, opt: "adam" } },
      { index: 1, params: { lr: 0.02 } },
      { index: 2, params: { lr: 0.03 } },
    ]);
    expect(batch.map((t) => t.id)).toEqual(["t0000", "t0001", "t0002"]);
    for (const t of batch) {
      const { curve, ...stored } = (await store.getTrial(sweep.id, t.id)) ?? { curve: [] };
      expect(curve).toEqual([]);
      expect(t).toEqual(stored);
    }
    const single = await proposeTrial(store, sweep.id, 3, { lr: 0.04 });
    const { curve: _c, ...readBack } = (await store.getTrial(sweep.id, "t0003")) ?? { curve: [] };
    expect(single).toEqual(readBack);
    const after = await store.getSweep(sweep.id);
    expect(after?.proposed).toBe(4);
    expect(after?.counts.queued).toBe(4);
    expect((await store.listTrials(sweep.id, { sort: "index" })).items.map((t) => t.params.lr)).toEqual([
      0.01, 0.02, 0.03, 0.04,
    ]);
  });

  it("is idempotent: a replayed batch keeps existing trials unchanged and creates only new ones", async () => {
    fresh();
    const sweep = await store.createSweep(spec);
    await store.proposeTrials(sweep.id, [{ index: 0, params: { lr: 0.01 } }]);
    await store.markRunning(sweep.id, "t0000", "w1", 1);
    const again = await store.proposeTrials(sweep.id, [
      { index: 0, params: { lr: 0.5 } },
      { index: 1, params: { lr: 0.02 } },
    ]);
    expect(again[0]).toMatchObject({ id: "t0000", state: "running", params: { lr: 0.01 }, worker: "w1" });
    expect(again[1]).toMatchObject({ id: "t0001", state: "queued", params: { lr: 0.02 } });
    const after = await store.getSweep(sweep.id);
    expect(after?.counts).toMatchObject({ queued: 1, running: 1 });
    expect(after?.proposed).toBe(2);
  });

  it("throws NOT_FOUND for an unknown sweep and writes nothing", async () => {
    fresh();
    const err = await store.proposeTrials("nope-abcdef", [{ index: 0, params: {} }]).catch((e) => e);
    expect(err).toBeInstanceOf(HpoError);
    expect((err as HpoError).code).toBe("NOT_FOUND");
    expect(await stores.redis().keys(`${stores.prefix()}:*`)).toEqual([]);
    expect(await store.proposeTrials("nope-abcdef", [])).toEqual([]);
  });

  it("appendEpochs appends in order like appendEpoch, skips stale epochs, honours the run token", async () => {
    fresh();
    const sweep = await sweepWithTwoTrials();
    expect(await store.appendEpochs(sweep.id, "t0000", [rep(1, 0.5)], "run-a")).toBe(0); // not running yet
    await store.markRunning(sweep.id, "t0000", "w1", 1, "run-a");
    expect(await store.appendEpochs(sweep.id, "t0000", [rep(1, 0.5), rep(2, 0.6)], "run-a")).toBe(2);
    expect(await store.appendEpochs(sweep.id, "t0000", [rep(2, 0.9), rep(3)], "run-a")).toBe(1); // 2 is stale
    expect(await store.appendEpochs(sweep.id, "t0000", [rep(4, 0.7)], "run-b")).toBe(0); // another run
    expect(await appendEpoch(store, sweep.id, "t0000", rep(4, 0.7), "run-a")).toBe(true); // mixes with single writes
    const t = await store.getTrial(sweep.id, "t0000");
    expect(t?.curve.map((e) => [e.epoch, e.value])).toEqual([
      [1, 0.5],
      [2, 0.6],
      [3, null], // NaN is stored as JSON null
      [4, 0.7],
    ]);
    expect(Object.fromEntries(await stepValues(stores.redis(), stores.prefix(), sweep.id, 2))).toEqual({ t0000: 0.6 });
    expect((await stepValues(stores.redis(), stores.prefix(), sweep.id, 3)).size).toBe(0); // no value, no pruner input
    expect(await store.appendEpochs(sweep.id, "t0000", [])).toBe(0);
  });

  it("finishTrial appends the last epochs in the same call, only for the current run of a running trial", async () => {
    fresh();
    const sweep = await sweepWithTwoTrials();
    const outcome = { state: "completed" as const, folds: [], flags: [] };
    const line = (message: string) => ({ time: 1, level: "info" as const, worker: "w1", message });
    await store.markRunning(sweep.id, "t0000", "w1", 1, "run-a");
    expect(await store.appendEpochs(sweep.id, "t0000", [rep(1, 0.5)], "run-a")).toBe(1);
    // a stale run writes neither its epochs nor its outcome
    expect(
      await store.finishTrial(sweep.id, "t0000", outcome, "run-b", { epochs: [rep(2, 0.1)], log: [line("late")] }),
    ).toBe(false);
    expect((await store.getTrial(sweep.id, "t0000"))?.curve).toHaveLength(1);
    // epoch 1 again is skipped, 2 and 3 are appended, then the trial completes
    expect(
      await store.finishTrial(sweep.id, "t0000", outcome, "run-a", {
        epochs: [rep(1, 0.9), rep(2, 0.6), rep(3)],
        log: [line("done")],
      }),
    ).toBe(true);
    // log lines are kept whatever the outcome (the stale run's line too), in order
    expect((await store.getTrialLog(sweep.id, "t0000")).map((l) => l.message)).toEqual(["late", "done"]);
    const t = await store.getTrial(sweep.id, "t0000");
    expect(t?.state).toBe("completed");
    expect(t?.curve.map((e) => [e.epoch, e.value])).toEqual([
      [1, 0.5],
      [2, 0.6],
      [3, null],
    ]);
    expect(Object.fromEntries(await stepValues(stores.redis(), stores.prefix(), sweep.id, 1))).toEqual({ t0000: 0.5 });
    expect(Object.fromEntries(await stepValues(stores.redis(), stores.prefix(), sweep.id, 2))).toEqual({ t0000: 0.6 });
    // a replay is a no-op: nothing appended twice
    expect(await store.finishTrial(sweep.id, "t0000", outcome, "run-a", { epochs: [rep(4, 0.7)] })).toBe(false);
    expect((await store.getTrial(sweep.id, "t0000"))?.curve).toHaveLength(3);
    // a queued trial (never started) is finished without a curve
    expect(
      await store.finishTrial(sweep.id, "t0001", { ...outcome, state: "cancelled" }, undefined, { epochs: [rep(1)] }),
    ).toBe(true);
    expect((await store.getTrial(sweep.id, "t0001"))?.curve).toEqual([]);
    expect((await store.getSweep(sweep.id))?.counts).toMatchObject({ completed: 1, cancelled: 1, running: 0 });
  });

  it("broadcasts the sweep id of every trial that finishes (once), not of ignored writes", async () => {
    fresh();
    const sweep = await sweepWithTwoTrials();
    const got: string[] = [];
    const unsubscribe = await store.subscribeFinished((id) => got.push(id));
    const outcome = { state: "completed" as const, folds: [], flags: [] };
    await store.finishTrial(sweep.id, "t0000", outcome);
    await store.finishTrial(sweep.id, "t0000", outcome); // already final: no broadcast
    await store.finishTrial(sweep.id, "t0001", { ...outcome, state: "failed" });
    for (let i = 0; i < 50 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual([sweep.id, sweep.id]);
    await unsubscribe();
  });
});
