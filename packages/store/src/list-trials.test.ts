import { testSpec } from "@hpo/core/testing";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { deleteKeysUnder } from "./delete-prefix.ts";
import { createStore, type Store } from "./store.ts";
import { TEST_REDIS_URL, uniquePrefix } from "./testing/index.ts";

const spec = testSpec({
  name: "list-test",
  metric: { name: "val_loss", goal: "minimize" },
  parameters: {},
  cv: { folds: 2, stratified: false, seed: 1 },
});

const folds = (...scores: number[]) =>
  scores.map((score, fold) => ({ fold, score, metrics: { val_loss: score }, epochs: 3, durationMs: 5 }));

describe("store.listTrials (one script per page)", () => {
  let redis: Redis;
  let store: Store;
  let prefix: string;
  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
    prefix = uniquePrefix();
    store = createStore({ url: TEST_REDIS_URL, prefix });
  });
  afterAll(async () => {
    await store.close();
    await redis.quit();
  });
  afterEach(async () => {
    await deleteKeysUnder(redis, prefix);
  });

  it("orders by the goal, falls back to index order for completed trials without a mean, handles empty pages", async () => {
    const s = await store.createSweep(spec);
    await store.proposeTrials(
      s.id,
      [0, 1, 2, 3].map((index) => ({ index, params: { index } })),
    );
    await store.finishTrial(s.id, "t0000", { state: "completed", folds: folds(0.4, 0.4), flags: [] });
    await store.finishTrial(s.id, "t0001", { state: "completed", folds: folds(0.2, 0.2), flags: [] });
    await store.finishTrial(s.id, "t0003", { state: "completed", folds: folds(0.3, 0.3), flags: [] });
    // minimize: lowest loss first, then the unscored (queued t0002)
    const all = await store.listTrials(s.id);
    expect(all.items.map((t) => [t.id, t.mean])).toEqual([
      ["t0001", 0.2],
      ["t0003", 0.3],
      ["t0000", 0.4],
      ["t0002", undefined],
    ]);
    const { curve: _curve, ...first } = (await store.getTrial(s.id, "t0001")) ?? { curve: [] };
    expect(all.items[0]).toEqual(first);

    // a completed trial without a K-fold mean (no folds): the completed page goes by index
    await store.finishTrial(s.id, "t0002", { state: "completed", folds: [], flags: [] });
    const completed = await store.listTrials(s.id, { state: "completed" });
    expect(completed.total).toBe(4);
    expect(completed.items.map((t) => t.id)).toEqual(["t0000", "t0001", "t0002", "t0003"]);

    expect(await store.listTrials(s.id, { offset: 10 })).toMatchObject({ items: [], total: 4, offset: 10 });
    expect(await store.listTrials(s.id, { limit: 0 })).toMatchObject({ items: [], total: 4, limit: 0 });
    expect(await store.listTrials("no-such-sweep", { sort: "index" })).toMatchObject({ items: [], total: 0 });
  });
});
