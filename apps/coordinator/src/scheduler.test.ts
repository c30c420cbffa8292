import { randomUUID } from "node:crypto";
import { parseSweepSpec, type SweepRecord, type TrialJob } from "@hpo/core";
import { waitFor as waitUntil } from "@hpo/core/testing";
import { createStore, deleteKeysUnder, jobIdOf, type Store, TRIALS_QUEUE } from "@hpo/store";
import { type Job, Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "./logger.ts";
import { createCoreProposer, type Proposer } from "./proposer.ts";
import { createScheduler, type Scheduler } from "./scheduler.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** Polls every 50 ms for at most `timeoutMs` (default 20 s). */
const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000) =>
  waitUntil(what, probe, { timeoutMs, intervalMs: 50 });

const spec = (yaml: string) =>
  parseSweepSpec(`
dataset: iris
metric: { name: val_accuracy, goal: maximize }
cv: { folds: 3 }
${yaml}`);

/** A fake fleet: processes trial jobs in this process, writing results like a worker would. */
function fakeWorker(store: Store, prefix: string, behave: (job: Job<TrialJob>) => Promise<number | "throw" | "hang">) {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const worker = new Worker<TrialJob>(
    TRIALS_QUEUE,
    async (job) => {
      const { sweepId, trialId } = job.data;
      if (!(await store.markRunning(sweepId, trialId, "fake", job.attemptsMade + 1))) return undefined;
      const what = await behave(job);
      if (what === "throw") throw new Error(`boom in ${trialId}`);
      if (what === "hang") return new Promise(() => {});
      await store.finishTrial(sweepId, trialId, {
        state: "completed",
        folds: [0, 1, 2].map((fold) => ({ fold, score: what, metrics: {}, epochs: 1, durationMs: 1 })),
        flags: [],
      });
      return undefined;
    },
    { connection, prefix, concurrency: 4 },
  );
  return {
    worker,
    async close() {
      await worker.close(true);
      await connection.quit();
    },
  };
}

describe("scheduler", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  async function setup(tickMs = 200, propose: Proposer = createCoreProposer()) {
    const prefix = `test-${randomUUID()}`;
    const redis = new Redis(REDIS_URL);
    const store = createStore({ redis, prefix });
    const queue = new Queue(TRIALS_QUEUE, { connection: redis, prefix });
    const make = () =>
      createScheduler({
        store,
        redisUrl: REDIS_URL,
        prefix,
        logger: createLogger("scheduler-test", "silent"),
        propose,
        mode: "noop",
        tickMs,
      });
    const schedulers: Scheduler[] = [];
    cleanups.push(async () => {
      for (const s of schedulers) await s.close();
      await queue.close();
      await deleteKeysUnder(redis, prefix);
      await store.close();
      await redis.quit();
    });
    const start = async () => {
      const s = make();
      schedulers.push(s);
      await s.start();
      return s;
    };
    return { prefix, redis, store, queue, start };
  }

  const finished = (store: Store, id: string) =>
    waitFor(`sweep ${id} to end`, async () => {
      const s = await store.getSweep(id);
      return s && s.status !== "running" && s;
    });

  it("keeps max_parallel in flight, runs max_trials, completes, and records the best", async () => {
    const { store, queue, prefix, start } = await setup();
    let inFlight = 0;
    let maxSeen = 0;
    const fleet = fakeWorker(store, prefix, async (job) => {
      inFlight++;
      maxSeen = Math.max(maxSeen, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      return 0.5 + (job.data.params.learning_rate as number);
    });
    cleanups.push(fleet.close);
    const scheduler = await start();
    const sweep = await store.createSweep(
      spec(`parameters: { learning_rate: { min: 0.001, max: 0.1 } }
budget: { max_trials: 12, max_parallel: 3, max_epochs: 1 }`),
    );
    scheduler.kick(sweep.id);
    const done = await finished(store, sweep.id);
    expect(done.status).toBe("completed");
    expect(done.proposed).toBe(12);
    expect(done.counts).toMatchObject({ completed: 12, queued: 0, running: 0 });
    expect(maxSeen).toBeLessThanOrEqual(3);
    expect(maxSeen).toBeGreaterThanOrEqual(2);
    const trials = (await store.listTrials(sweep.id, { limit: 100 })).items;
    expect(done.best?.trialId).toBe(trials[0]?.id);
    const job = await queue.getJob(jobIdOf(sweep.id, "t0000"));
    expect(job).toBeUndefined(); // removeOnComplete
  });

  it("two schedulers on one prefix (overlapping restart) still run each trial once within max_parallel", async () => {
    const { store, prefix, start } = await setup(50);
    let inFlight = 0;
    let maxSeen = 0;
    const runs = new Map<string, number>();
    const fleet = fakeWorker(store, prefix, async (job) => {
      runs.set(job.data.trialId, (runs.get(job.data.trialId) ?? 0) + 1);
      inFlight++;
      maxSeen = Math.max(maxSeen, inFlight);
      await new Promise((r) => setTimeout(r, 10));
      inFlight--;
      return 0.5;
    });
    cleanups.push(fleet.close);
    const [a, b] = [await start(), await start()];
    const sweep = await store.createSweep(
      spec(`parameters: { learning_rate: { min: 0.001, max: 0.1 } }
budget: { max_trials: 30, max_parallel: 3, max_epochs: 1 }`),
    );
    a.kick(sweep.id);
    b.kick(sweep.id);
    const done = await finished(store, sweep.id);
    expect(done).toMatchObject({ status: "completed", proposed: 30 });
    expect(done.counts.completed).toBe(30);
    expect(runs.size).toBe(30);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(maxSeen).toBeLessThanOrEqual(3);
  });

  it("gives history-reading samplers every earlier trial, including those proposed in the same pass", async () => {
    const seen = new Map<number, number[]>();
    const propose: Proposer = async (_sweepId, _spec, index, history) => {
      seen.set(
        index,
        (await history()).map((t) => t.index),
      );
      return { dropout: index / 10 };
    };
    const { store, start } = await setup(200, propose);
    const scheduler = await start();
    const sweep = await store.createSweep(spec(`budget: { max_trials: 4, max_parallel: 3, max_epochs: 1 }`));
    await scheduler.reconcile(sweep.id);
    expect([0, 1, 2].map((i) => seen.get(i))).toEqual([[], [0], [0, 1]]);
    await store.finishTrial(sweep.id, "t0001", { state: "failed", folds: [], flags: [] });
    await scheduler.reconcile(sweep.id);
    expect(seen.get(3)).toEqual([0, 1, 2]);
    expect((await store.getTrial(sweep.id, "t0003"))?.params).toEqual({ dropout: 0.3 });
  });

  it("stops a grid at its size", async () => {
    const { store, prefix, start } = await setup();
    const fleet = fakeWorker(store, prefix, async () => 0.7);
    cleanups.push(fleet.close);
    const scheduler = await start();
    const sweep = await store.createSweep(
      spec(`method: grid
parameters: { batch_size: { values: [16, 32, 64] } }
budget: { max_trials: 10, max_parallel: 2, max_epochs: 1 }`),
    );
    scheduler.kick(sweep.id);
    const done = await finished(store, sweep.id);
    expect(done).toMatchObject({ status: "completed", proposed: 3 });
    expect(done.reason).toMatch(/exhausted/);
    const trials = (await store.listTrials(sweep.id, { sort: "index" })).items;
    expect(trials.map((t) => t.params.batch_size).sort()).toEqual([16, 32, 64]);
  });

  it("stops proposing once a trial reaches metric.target", async () => {
    const { store, prefix, start } = await setup();
    const fleet = fakeWorker(store, prefix, async (job) => (job.data.trialId === "t0002" ? 0.95 : 0.5));
    cleanups.push(fleet.close);
    const scheduler = await start();
    const sweep = await store.createSweep(
      parseSweepSpec(`
dataset: iris
metric: { name: val_accuracy, goal: maximize, target: 0.9 }
cv: { folds: 3 }
parameters: { dropout: { values: [0, 0.1, 0.2] } }
budget: { max_trials: 50, max_parallel: 1, max_epochs: 1 }`),
    );
    scheduler.kick(sweep.id);
    const done = await finished(store, sweep.id);
    expect(done.status).toBe("completed");
    expect(done.proposed).toBe(3);
    expect(done.reason).toBe("target val_accuracy 0.9 reached by t0002");
    expect(done.best?.trialId).toBe("t0002");
  });

  it("ends the sweep when budget.max_seconds is used up, with nothing left queued or running", async () => {
    const { store, prefix, start } = await setup(100);
    const fleet = fakeWorker(store, prefix, async () => {
      await new Promise((r) => setTimeout(r, 200));
      return 0.5;
    });
    cleanups.push(fleet.close);
    const scheduler = await start();
    const sweep = await store.createSweep(
      spec(`parameters: { dropout: { min: 0, max: 0.5 } }
budget: { max_trials: 1000, max_parallel: 1, max_epochs: 1, max_seconds: 1 }`),
    );
    scheduler.kick(sweep.id);
    const done = await finished(store, sweep.id);
    expect(done.status).toBe("completed");
    expect(done.reason).toBe("time budget of 1 s used");
    expect(done.proposed).toBeGreaterThan(0);
    expect(done.proposed).toBeLessThan(1000);
    // the trial in flight at the deadline is cancelled (budget.ts), unless it finished first
    const settled = await waitFor("no trial open", async () => {
      const s = await store.getSweep(sweep.id);
      return s && s.counts.queued + s.counts.running === 0 && s;
    });
    expect(settled.counts.completed + settled.counts.cancelled).toBe(done.proposed);
    expect(settled.counts.completed).toBeGreaterThan(0);
  });

  it("marks a trial failed after its attempts and carries on with the sweep", async () => {
    const { store, prefix, start } = await setup();
    const attempts = new Map<string, number>();
    const fleet = fakeWorker(store, prefix, async (job) => {
      attempts.set(job.data.trialId, (attempts.get(job.data.trialId) ?? 0) + 1);
      return job.data.trialId === "t0001" ? "throw" : 0.6;
    });
    cleanups.push(fleet.close);
    const scheduler = await start();
    const sweep = await store.createSweep(
      spec(`parameters: { dropout: { values: [0, 0.1, 0.2, 0.3] } }
budget: { max_trials: 4, max_parallel: 2, max_epochs: 1 }`),
    );
    scheduler.kick(sweep.id);
    const done = await finished(store, sweep.id);
    expect(done.status).toBe("completed");
    expect(done.counts).toMatchObject({ completed: 3, failed: 1 });
    expect(attempts.get("t0001")).toBe(2);
    const failed = await store.getTrial(sweep.id, "t0001");
    expect(failed?.state).toBe("failed");
    expect(failed?.error).toBe("boom in t0001");
  });

  it("fails a sweep none of whose trials produced a result, naming an example error", async () => {
    const { store, prefix, start } = await setup();
    const fleet = fakeWorker(store, prefix, async () => "throw");
    cleanups.push(fleet.close);
    const scheduler = await start();
    const sweep = await store.createSweep(spec(`budget: { max_trials: 2, max_parallel: 2, max_epochs: 1 }`));
    scheduler.kick(sweep.id);
    const done = await finished(store, sweep.id);
    expect(done.status).toBe("failed");
    expect(done.counts.failed).toBe(2);
    expect(done.reason).toMatch(
      /^no trial produced a result \(2 failed, 0 diverged, 0 cancelled\); e\.g\. t000[01]: boom in t000[01]$/,
    );
  });

  it("cancels: waiting jobs removed, their trials cancelled, nothing proposed afterwards", async () => {
    const { store, queue, start } = await setup();
    const scheduler = await start(); // no workers: jobs stay waiting
    const sweep = await store.createSweep(
      spec(`parameters: { dropout: { values: [0, 0.1] } }
budget: { max_trials: 10, max_parallel: 3, max_epochs: 1 }`),
    );
    await scheduler.reconcile(sweep.id);
    expect((await queue.getJobCounts("waiting")).waiting).toBe(3);
    const cancelled = await scheduler.cancel(sweep.id);
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.counts).toMatchObject({ queued: 0, running: 0, cancelled: 3 });
    expect((await queue.getJobCounts("waiting")).waiting).toBe(0);
    await scheduler.reconcile(sweep.id);
    expect((await store.getSweep(sweep.id))?.proposed).toBe(3);
    expect((await scheduler.cancel(sweep.id)).status).toBe("cancelled"); // idempotent
    await expect(scheduler.cancel("missing-aaaaaa")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses to cancel a completed sweep", async () => {
    const { store, prefix, start } = await setup();
    const fleet = fakeWorker(store, prefix, async () => 0.5);
    cleanups.push(fleet.close);
    const scheduler = await start();
    const sweep = await store.createSweep(spec(`budget: { max_trials: 1, max_parallel: 1, max_epochs: 1 }`));
    scheduler.kick(sweep.id);
    await finished(store, sweep.id);
    await expect(scheduler.cancel(sweep.id)).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("a new scheduler carries on from Redis: re-enqueues lost jobs, proposes the same trials", async () => {
    const { store, queue, prefix, start } = await setup();
    const first = await start();
    const sweep: SweepRecord = await store.createSweep(
      spec(`parameters: { learning_rate: { min: 0.001, max: 0.1 } }
budget: { max_trials: 8, max_parallel: 4, max_epochs: 1 }
seed: 11`),
    );
    await first.reconcile(sweep.id);
    await first.close();
    const before = (await store.listTrials(sweep.id, { sort: "index" })).items;
    expect(before).toHaveLength(4);
    // lose two jobs (e.g. a Redis failover) while no coordinator runs
    await queue.remove(jobIdOf(sweep.id, "t0000"));
    await queue.remove(jobIdOf(sweep.id, "t0002"));
    expect((await queue.getJobCounts("waiting")).waiting).toBe(2);

    await start();
    expect((await queue.getJobCounts("waiting")).waiting).toBe(4); // start() reconciled
    const fleet = fakeWorker(store, prefix, async () => 0.5);
    cleanups.push(fleet.close);
    const done = await finished(store, sweep.id);
    expect(done).toMatchObject({ status: "completed", proposed: 8 });
    expect(done.counts.completed).toBe(8);
    const after = (await store.listTrials(sweep.id, { sort: "index" })).items;
    expect(after.slice(0, 4).map((t) => t.params)).toEqual(before.map((t) => t.params));

    // the same spec and seed propose the same params from scratch
    const again = await store.createSweep(sweep.spec);
    const propose = createCoreProposer();
    for (const t of after) {
      expect(await propose(again.id, again.spec, t.index, async () => [])).toEqual(t.params);
    }
  });
});
