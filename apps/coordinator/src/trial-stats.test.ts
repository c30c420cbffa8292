import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { correctedInterval, type Page, type SweepRecord, type TrialRecord, type TrialStats } from "@hpo/core";
import { testSpec } from "@hpo/core/testing";
import { createStore } from "@hpo/store";
import { proposeTrial, storePerTest } from "@hpo/store/testing";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "./app.ts";

// Fold scores of the README demo's ranks 1, 3 and 16 (cv-stats.test.ts has scipy's figures for them).
const BEST = [0.969, 0.981, 0.967, 0.975, 0.981];
const CLOSE = [0.981, 0.981, 0.961, 0.967, 0.964];
const WORST = [0.214, 0.369, 0.348, 0.231, 0.267];

describe("trial statistics served by the API", () => {
  const stores = storePerTest((prefix, redis) => createStore({ redis, prefix }));
  let server: Server | undefined;
  afterEach(async () => {
    const s = server;
    server = undefined;
    if (s) await new Promise((r) => s.close(r));
  });

  it("adds the corrected CI and the tie with the best to trials and the sweep's best", async () => {
    const store = stores.fresh();
    const sweep = await store.createSweep(testSpec({ cv: { folds: 5, stratified: true, seed: 1 } }));
    const finish = async (index: number, scores: readonly number[] | undefined) => {
      const t = await proposeTrial(store, sweep.id, index, { lr: 0.01 });
      await store.markRunning(sweep.id, t.id, "w1", 1, "run");
      const folds = (scores ?? WORST).map((score, fold) => ({ fold, score, metrics: {}, epochs: 3, durationMs: 5 }));
      const outcome = scores
        ? { state: "completed" as const, folds, flags: [] }
        : { state: "pruned" as const, folds, flags: [], prunedAt: 1 };
      await store.finishTrial(sweep.id, t.id, outcome, "run");
    };
    await finish(0, WORST);
    await finish(1, BEST);
    await finish(2, CLOSE);
    await finish(3, undefined);
    const app = createApp({
      store,
      scheduler: { kick: () => {}, cancel: async () => sweep },
      logger: pino({ level: "silent" }),
    });
    const srv = app.listen(0, "127.0.0.1");
    server = srv;
    await new Promise((r) => srv.once("listening", r));
    const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/api/sweeps/${sweep.id}`;
    const get = async <T>(path: string) => {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(200);
      return (await res.json()) as T;
    };

    const page = await get<Page<TrialRecord>>("/trials");
    const byId = new Map(page.items.map((t) => [t.id, t]));
    const stats = (id: string): Partial<TrialStats> => {
      const t = byId.get(id);
      return { ciLow: t?.ciLow, ciHigh: t?.ciHigh, pBest: t?.pBest, tied: t?.tied };
    };
    expect(stats("t0001")).toEqual({
      ciLow: expect.closeTo(0.9624152328971324, 7),
      ciHigh: expect.closeTo(0.9867847671028677, 7),
      pBest: 1,
      tied: true,
    });
    expect(stats("t0002").tied).toBe(true);
    expect(stats("t0002").pBest).toBeCloseTo(0.6255743510123015, 7);
    expect(stats("t0000")).toMatchObject({ tied: false, ciHigh: expect.closeTo(0.41518249085304904, 7) });
    // a pruned trial has no interval and no tie
    expect(stats("t0003")).toEqual({ ciLow: undefined, ciHigh: undefined, pBest: undefined, tied: undefined });

    const one = await get<TrialRecord>("/trials/t0000");
    expect(one.tied).toBe(false);
    expect(one.pBest).toBeCloseTo(0.00011619422099650017, 7);

    const record = await get<SweepRecord>("");
    expect(record.best).toMatchObject({
      trialId: "t0001",
      ciLow: expect.closeTo(0.9624152328971324, 7),
      ciHigh: expect.closeTo(0.9867847671028677, 7),
    });

    // the best's folds change (a selection phase's extra repeat, it stays best): its CI follows at once
    const extra = [5, 6, 7, 8, 9].map((fold) => ({ fold, score: 0.98, metrics: {}, epochs: 3, durationMs: 5 }));
    await store.finishSelection(sweep.id, "t0001", { folds: extra, repeats: 1 });
    const moved = await get<SweepRecord>("");
    const ci = correctedInterval([...BEST, 0.98, 0.98, 0.98, 0.98, 0.98], 0.25);
    expect(moved.best).toMatchObject({ trialId: "t0001", ciLow: expect.closeTo(ci.low, 12) });
    const again = new Map((await get<Page<TrialRecord>>("/trials")).items.map((t) => [t.id, t]));
    expect(again.get("t0001")).toMatchObject({ pBest: 1, ciHigh: expect.closeTo(ci.high, 12) });
  });
});
