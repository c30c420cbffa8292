/**
 * A big sweep opened cold: the table loads through the scan thread, a re-sort asked while it
 * loads is answered at once from the trials loaded so far (marked `loading`), and the complete
 * answer follows. Real Redis, real worker thread.
 */
import { randomUUID } from "node:crypto";
import type { SweepSpec } from "@hpo/core";
import { testSpec } from "@hpo/core/testing";
import { createStore, deleteKeysUnder, type Store } from "@hpo/store";
import { proposeTrial } from "@hpo/store/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardTestServer, serveDashboard } from "../testing/index.ts";
import { sortByKey } from "./columns.ts";
import type { Dashboard } from "./dashboard-router.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const N = 2600;

const spec: SweepSpec = testSpec({
  name: "cold-load-test",
  parameters: {
    x: { distribution: { kind: "uniform", min: 0, max: 1 } },
    opt: { distribution: { kind: "categorical", values: ["adam", "sgd", "rmsprop"] } },
  },
  cv: { folds: 2, stratified: true, seed: 1 },
  budget: { max_trials: N, max_parallel: 4, max_epochs: 3 },
});

/** x of trial i: a permutation of the indexes, so that sorting by x reorders everything. */
const xOf = (i: number) => ((i * 7919) % N) / N;

describe("sortByKey", () => {
  it("orders slots by key, ties by slot, like a comparator sort (negatives, ±0, ±Infinity, huge and tiny)", () => {
    const size = 6000;
    const key = Float64Array.from({ length: size }, (_, i) => {
      const r = Math.sin(i * 12.9898) * 43758.5453;
      const u = r - Math.floor(r); // in [0, 1)
      if (i % 7 === 0) return Math.round(u * 20) - 10; // many ties, negatives
      if (i % 11 === 0) return (u - 0.5) * 1e300;
      if (i % 13 === 0) return (u - 0.5) * 1e-300;
      return u * 2 - 1;
    });
    key[3] = -0;
    key[5] = 0;
    key[9] = Number.POSITIVE_INFINITY;
    key[15] = Number.NEGATIVE_INFINITY;
    // odd slots (3, 5, 9 and 15 among them) and every sixth even one
    const slots = Uint32Array.from(Array.from({ length: size }, (_, i) => i).filter((i) => i % 2 === 1 || i % 6 === 0));
    const expected = Array.from(slots).sort((a, b) => (key[a] as number) - (key[b] as number) || a - b);
    expect(Array.from(sortByKey(key, slots))).toEqual(expected);
    expect(Array.from(sortByKey(key, new Uint32Array(0)))).toEqual([]);
  });
});

describe("cold load of a big sweep (real Redis, scan thread)", () => {
  const prefix = `test-${randomUUID()}`;
  const redis = new Redis(REDIS_URL);
  let store: Store;
  let dashboard: Dashboard;
  let served: DashboardTestServer | undefined;
  let base = "";
  let sweepId = "";
  type Board = {
    items: { id: string; params: { x: number } }[];
    total: number;
    loading?: { loaded: number; of: number };
  };
  const board = async (q: string): Promise<Board> =>
    (await (await fetch(`${base}/api/dashboard/sweeps/${sweepId}/leaderboard?${q}`)).json()) as Board;

  beforeAll(async () => {
    store = createStore({ url: REDIS_URL, prefix });
    sweepId = (await store.createSweep(spec)).id;
    let next = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        for (let i = next++; i < N; i = next++) {
          const t = await proposeTrial(store, sweepId, i, {
            x: xOf(i),
            opt: ["adam", "sgd", "rmsprop"][i % 3] as string,
          });
          await store.markRunning(sweepId, t.id, "w1", 1);
          const m = 0.5 + (i % 100) / 1000;
          await store.finishTrial(sweepId, t.id, {
            state: "completed",
            folds: [0, 1].map((fold) => ({ fold, score: m, metrics: {}, epochs: 3, durationMs: 5 })),
            flags: [],
          });
        }
      }),
    );
    await store.setSweepStatus(sweepId, "completed", "test");
    // partialAfterMs 0: any query the store cannot answer is answered from what is loaded
    served = await serveDashboard(store, { redisUrl: REDIS_URL, partialAfterMs: 0 });
    ({ dashboard, base } = served);
  }, 120_000);

  afterAll(async () => {
    await served?.close();
    await store.close();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  it("answers a re-sort during the load from the loaded trials, then the complete order", async () => {
    expect(await dashboard.scanThreadReady()).toBe(true); // the load below runs in the thread
    const first = await board("limit=50&sort=p:x");
    expect(first.loading).toBeDefined();
    expect(first.loading?.of).toBe(N);
    expect(first.loading?.loaded).toBeLessThan(N);
    expect(first.total).toBe(first.loading?.loaded);
    const xs = first.items.map((t) => t.params.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));

    let last = first;
    const until = Date.now() + 60_000;
    while (last.loading && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      last = await board("limit=50&sort=p:x");
    }
    expect(last.loading).toBeUndefined();
    expect(last.total).toBe(N);
    // the complete order: x = 0, 1/N, 2/N, …
    expect(last.items.map((t) => t.params.x)).toEqual(Array.from({ length: 50 }, (_, k) => k / N));
    const desc = await board("limit=3&sort=p:x&dir=desc");
    expect(desc.items.map((t) => t.params.x)).toEqual([N - 1, N - 2, N - 3].map((k) => k / N));
  }, 120_000);
});
