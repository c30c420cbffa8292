import { randomUUID } from "node:crypto";
import type { FoldResult, SweepSpec, TrialOutcome } from "@hpo/core";
import { testSpec, waitFor as waitUntil } from "@hpo/core/testing";
import { createStore, deleteKeysUnder, type Store } from "@hpo/store";
import { proposeTrial } from "@hpo/store/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardTestServer, serveDashboard } from "../testing/index.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

const spec: SweepSpec = testSpec({
  name: "router-test",
  parameters: {
    lr: { distribution: { kind: "log_uniform_values", min: 1e-4, max: 1e-1 } },
    opt: { distribution: { kind: "categorical", values: ["adam", "sgd"] } },
  },
  budget: { max_trials: 40, max_parallel: 4, max_epochs: 3 },
});

const folds = (m: number): FoldResult[] =>
  [0, 1, 2].map((fold) => ({ fold, score: m + (fold - 1) * 0.01, metrics: {}, epochs: 3, durationMs: 5 }));
const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>) =>
  waitUntil(what, probe, { timeoutMs: 30_000, intervalMs: 100 });
const done = (m: number): TrialOutcome => ({ state: "completed", folds: folds(m), flags: [] });

describe("dashboard router (real Redis)", () => {
  const prefix = `test-${randomUUID()}`;
  const redis = new Redis(REDIS_URL);
  let store: Store;
  let served: DashboardTestServer;
  let base = "";
  let sweepId = "";
  const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, body: (await res.json()) as T };
  };
  type Board = { items: { id: string; state: string; mean?: number }[]; total: number; unfiltered: number };

  beforeAll(async () => {
    store = createStore({ url: REDIS_URL, prefix });
    served = await serveDashboard(store, { redisUrl: REDIS_URL, eventIntervalMs: 100 });
    ({ base } = served);
    sweepId = (await store.createSweep(spec)).id;
    // 30 trials: lr grows with the index; mean = 0.5 + index/100 for even indexes, sgd on odd ones
    for (let i = 0; i < 30; i++) {
      const t = await proposeTrial(store, sweepId, i, { lr: 1e-4 * 1.2 ** i, opt: i % 2 ? "sgd" : "adam" });
      await store.markRunning(sweepId, t.id, "w1", 1);
      if (i < 25) await store.finishTrial(sweepId, t.id, done(i % 2 ? 0.4 : 0.5 + i / 100));
    }
  });

  afterAll(async () => {
    await served.close();
    await store.close();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  it("answers the leaderboard best first, then any column, and keeps up with new and finished trials", async () => {
    const first = await get<Board>(`/api/dashboard/sweeps/${sweepId}/leaderboard?limit=5`);
    expect(first.body.total).toBe(30);
    expect(first.body.items.map((t) => t.id)).toEqual(["t0024", "t0022", "t0020", "t0018", "t0016"]);
    const byLr = await get<Board>(`/api/dashboard/sweeps/${sweepId}/leaderboard?limit=3&sort=p:lr&dir=desc`);
    expect(byLr.body.items.map((t) => t.id)).toEqual(["t0029", "t0028", "t0027"]);
    const running = await get<Board>(
      `/api/dashboard/sweeps/${sweepId}/leaderboard?state=running&sort=index&filter=opt%3Dsgd`,
    );
    expect(running.body.items.map((t) => t.id)).toEqual(["t0025", "t0027", "t0029"]);
    expect(running.body.unfiltered).toBe(30);

    // a running trial finishes best of all and a new one is proposed: the next answer shows both
    await store.finishTrial(sweepId, "t0027", done(0.99));
    await proposeTrial(store, sweepId, 30, { lr: 0.05, opt: "adam" });
    const after = await get<Board>(`/api/dashboard/sweeps/${sweepId}/leaderboard?limit=2&sort=p:lr&dir=desc`);
    expect(after.body.total).toBe(31);
    const best = await get<Board>(`/api/dashboard/sweeps/${sweepId}/leaderboard?limit=1&filter=opt%3Dsgd`);
    expect(best.body.items[0]).toMatchObject({ id: "t0027", state: "completed" });
    expect(best.body.items[0]?.mean).toBeCloseTo(0.99, 9);
  });

  it("rejects a bad query with 400 and an unknown sweep with 404", async () => {
    expect((await get(`/api/dashboard/sweeps/${sweepId}/leaderboard?sort=nope`)).status).toBe(400);
    expect((await get(`/api/dashboard/sweeps/nosuch/leaderboard`)).status).toBe(404);
  });

  it("serves the history with the best-so-far staircase and a bounded sample", async () => {
    const h = await get<{ points: { index: number; score: number }[]; best: [number, number][]; completed: number }>(
      `/api/dashboard/sweeps/${sweepId}/history?points=10`,
    );
    expect(h.body.completed).toBe(26);
    expect(h.body.points.length).toBeLessThanOrEqual(10);
    expect(h.body.points.some((p) => Math.abs(p.score - 0.99) < 1e-9)).toBe(true); // outliers survive downsampling
    expect(h.body.best.at(-1)?.[1]).toBeCloseTo(0.99, 9);
    const bestScores = h.body.best.map(([, v]) => v);
    expect(bestScores).toEqual([...bestScores].sort((a, b) => a - b));
    const s = await get<{ rows: { id: string }[]; completed: number; params: string[] }>(
      `/api/dashboard/sweeps/${sweepId}/sample?limit=12`,
    );
    expect(s.body.params).toEqual(["lr", "opt"]);
    expect(s.body.rows).toHaveLength(12);
    expect(s.body.rows.map((r) => r.id)).toContain("t0027");
  });

  it("computes importance off the request path: computing first, then ready with lr/opt shares", async () => {
    const url = `/api/dashboard/sweeps/${sweepId}/importance`;
    const first = await get<{ status: string; params: { name: string; importance: number }[] }>(url);
    expect(["computing", "ready"]).toContain(first.body.status);
    let ready = first.body;
    for (let i = 0; i < 100 && ready.status !== "ready"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ready = (await get<typeof ready>(url)).body;
    }
    expect(ready.status).toBe("ready");
    expect(ready.params.map((p) => p.name).sort()).toEqual(["lr", "opt"]);
    const total = ready.params.reduce((a, p) => a + p.importance, 0);
    expect(total).toBeCloseTo(1, 6);
  });

  it("streams a snapshot on connect and a sweep event when counts change", async () => {
    const ctrl = new AbortController();
    const res = await fetch(`${base}/api/events`, { signal: ctrl.signal });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    const until = async (re: RegExp) => {
      const deadline = Date.now() + 10_000;
      while (!re.test(text) && Date.now() < deadline) {
        const { value } = await reader.read();
        text += new TextDecoder().decode(value);
      }
      return re.test(text);
    };
    expect(await until(/event: snapshot\ndata: .*"router-test"/)).toBe(true);
    await store.finishTrial(sweepId, "t0028", done(0.3));
    expect(await until(/event: sweep\ndata: .*"completed":27/)).toBe(true);
    ctrl.abort();
  });

  it("shows the selection phase's re-evaluated folds and means, with each trial's CI and tie", async () => {
    const id = (await store.createSweep({ ...spec, select: { top: 2, repeats: 1 } })).id;
    for (const [i, m] of [0.9, 0.85].entries()) {
      const t = await proposeTrial(store, id, i, { lr: 0.01, opt: "adam" });
      await store.markRunning(id, t.id, "w1", 1);
      await store.finishTrial(id, t.id, done(m));
    }
    type Row = { id: string; mean?: number; ciLow?: number; tied?: boolean; folds: { fold: number }[] };
    const board = () =>
      get<{ items: Row[]; loading?: unknown }>(`/api/dashboard/sweeps/${id}/leaderboard?sort=index&dir=asc`);
    const before = await waitFor("the table loaded", async () => {
      const b = (await board()).body;
      return !b.loading && b.items.length === 2 && b;
    });
    expect(before.items.map((t) => t.id)).toEqual(["t0000", "t0001"]);
    expect(before.items[0]?.ciLow).toBeLessThan(0.9);
    // t0000's extra repeat scores far lower: its mean drops below t0001's
    await store.startSelection(id, ["t0000", "t0001"]);
    const extra = [3, 4, 5].map((fold) => ({ fold, score: 0.7, metrics: {}, epochs: 3, durationMs: 5 }));
    await store.finishSelection(id, "t0000", { folds: extra, repeats: 1 });
    const after = await waitFor("the re-evaluated trial on the leaderboard", async () => {
      const row = (await board()).body.items.find((t) => t.id === "t0000");
      return row && row.mean !== undefined && row.mean < 0.85 && row;
    });
    expect(after.mean).toBeCloseTo(0.8, 9);
    expect(after.folds.map((f) => f.fold)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(after.tied).toBe(false);
  });
});
