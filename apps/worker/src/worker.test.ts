import { randomUUID } from "node:crypto";
import { type Params, parseSweepSpec, type SweepRecord, type TrialJob } from "@hpo/core";
import { waitFor as waitUntil } from "@hpo/core/testing";
import { createStore, jobIdOf, TRIALS_QUEUE } from "@hpo/store";
import { proposeTrial } from "@hpo/store/testing";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { DecidePrune } from "./decide-prune.ts";
import { STUB_TRAINER_MODULE } from "./testing/index.ts";
import { createWorker, type HpoWorker } from "./worker.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** Polls every 25 ms for at most `timeoutMs` (default 20 s). */
const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000) =>
  waitUntil(what, probe, { timeoutMs, intervalMs: 25 });

describe("worker (stub trainer in a real training thread)", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    cleanups.length = 0;
  });

  async function setup() {
    const prefix = `test-${randomUUID()}`;
    const redis = new Redis(REDIS_URL);
    const store = createStore({ redis, prefix });
    const queue = new Queue(TRIALS_QUEUE, { connection: redis, prefix });
    cleanups.push(async () => {
      await queue.close();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await store.close();
      await redis.quit();
    });
    const sweep: SweepRecord = await store.createSweep(
      parseSweepSpec({ name: "worker-test", dataset: "iris", cv: { folds: 3 }, budget: { max_epochs: 5 } }),
    );
    let index = 0;
    /** Proposes a trial and enqueues its job (what the coordinator does). */
    const enqueue = async (params: Params, opts: { maxEpochs?: number; attempts?: number } = {}) => {
      const trial = await proposeTrial(store, sweep.id, index++, params);
      const job: TrialJob = {
        sweepId: sweep.id,
        trialId: trial.id,
        params,
        dataset: sweep.spec.dataset,
        model: sweep.spec.model,
        cv: sweep.spec.cv,
        metric: sweep.spec.metric,
        maxEpochs: opts.maxEpochs ?? 5,
        seed: 1,
      };
      await queue.add("trial", job, {
        jobId: jobIdOf(sweep.id, trial.id),
        attempts: opts.attempts ?? 2,
        backoff: { type: "fixed", delay: 50 },
        removeOnComplete: true,
        removeOnFail: 100,
      });
      return trial.id;
    };
    const start = async (
      name: string,
      extra: {
        lockDuration?: number;
        closeGraceMs?: number;
        decidePrune?: DecidePrune;
        concurrency?: number;
        threads?: number;
      } = {},
    ) => {
      const worker: HpoWorker = createWorker({
        redisUrl: REDIS_URL,
        prefix,
        name,
        logger: pino({ level: "silent" }),
        store,
        trainerModule: STUB_TRAINER_MODULE,
        ...extra,
      });
      cleanups.push(() => worker.close());
      await worker.start();
      return worker;
    };
    const trialDone = (trialId: string) =>
      waitFor(`trial ${trialId} final`, async () => {
        const t = await store.getTrial(sweep.id, trialId);
        return t && t.state !== "queued" && t.state !== "running" && t;
      });
    return { prefix, redis, store, queue, sweep, enqueue, start, trialDone };
  }

  it("trains a trial in the thread: curve, folds, aggregate, worker name, trial log", async () => {
    const { enqueue, start, trialDone, store, sweep } = await setup();
    const w = await start("w-basic");
    expect(w.backend).toBe("stub");
    const id = await enqueue({ learning_rate: 0.01 });
    const t = await trialDone(id);
    expect(t).toMatchObject({ state: "completed", worker: "w-basic", attempts: 1 });
    expect(t.folds).toHaveLength(3);
    expect(t.mean).toBeCloseTo(0.81);
    expect(t.curve.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5]);
    const log = await waitFor("trial log", async () => {
      const lines = await store.getTrialLog(sweep.id, id);
      return lines.length >= 2 && lines;
    });
    expect(log.map((l) => [l.message, l.fields?.state])).toEqual([
      ["trial started", undefined],
      ["trial finished", "completed"],
    ]);
  });

  it("trains as many trials at once as it has training threads", async () => {
    const { enqueue, start, trialDone, store, sweep } = await setup();
    await start("w-two", { concurrency: 2, threads: 2 });
    const ids = [await enqueue({ epochMs: 40 }, { maxEpochs: 15 }), await enqueue({ epochMs: 40 }, { maxEpochs: 15 })];
    // both are training at the same time (each has reported epochs while the other is running)
    await waitFor("two trials training together", async () => {
      const trials = await Promise.all(ids.map((id) => store.getTrial(sweep.id, id)));
      return trials.every((t) => t?.state === "running" && t.curve.length >= 1);
    });
    for (const id of ids) expect(await trialDone(id)).toMatchObject({ state: "completed", worker: "w-two" });
    const third = await enqueue({});
    expect((await trialDone(third)).state).toBe("completed");
  });

  it("keeps renewing the job lock while the thread is CPU-bound for longer than the lock", async () => {
    const { enqueue, start, trialDone, redis, prefix, sweep } = await setup();
    // margins for a loaded CI machine: renewals every 1.5 s, checked 2 lock durations in
    await start("w-block", { lockDuration: 3000 });
    const id = await enqueue({ behaviour: "block", blockMs: 8000 });
    const lockKey = `${prefix}:${TRIALS_QUEUE}:${jobIdOf(sweep.id, id)}:lock`;
    await waitFor("the job lock", async () => (await redis.pttl(lockKey)) > 0);
    await new Promise((r) => setTimeout(r, 6000)); // twice the lock duration, thread still busy
    expect(await redis.pttl(lockKey)).toBeGreaterThan(0);
    const t = await trialDone(id);
    expect(t).toMatchObject({ state: "completed", attempts: 1 });
  });

  it("retries a trial whose trainer throws, then marks it failed with the reason", async () => {
    const { enqueue, start, trialDone, store, sweep } = await setup();
    await start("w-throw");
    const id = await enqueue({ behaviour: "throw" });
    const t = await trialDone(id);
    expect(t).toMatchObject({ state: "failed", attempts: 2, error: "stub trainer exploded" });
    // both attempts are in the trial's log, with the worker and the error
    const log = await waitFor("trial log of both attempts", async () => {
      const lines = await store.getTrialLog(sweep.id, id);
      return lines.filter((l) => l.message === "trial attempt failed").length === 2 && lines;
    });
    expect(log.map((l) => l.message)).toEqual([
      "trial started",
      "trial attempt failed",
      "trial started",
      "trial attempt failed",
    ]);
    expect(log[0]).toMatchObject({ level: "info", worker: "w-throw", fields: { attempt: 1, backend: "stub" } });
    expect(log[3]).toMatchObject({ level: "error", fields: { err: "stub trainer exploded", attempt: 2, last: true } });
  });

  it("survives a dying training thread: the trial fails after its attempts, the next trial runs", async () => {
    const { enqueue, start, trialDone } = await setup();
    await start("w-exit");
    const bad = await enqueue({ behaviour: "exit" });
    const t = await trialDone(bad);
    expect(t.state).toBe("failed");
    expect(t.error).toMatch(/exited with code 3/);
    const good = await enqueue({});
    expect((await trialDone(good)).state).toBe("completed");
  });

  it("replaces a thread whose runtime faulted: the trial is retried once, then fails as out of memory; later trials run", async () => {
    const { enqueue, start, trialDone, store, sweep } = await setup();
    await start("w-abort");
    const bad = await enqueue({ behaviour: "abort" });
    const t = await trialDone(bad);
    // both attempts ran on a fresh thread each and faulted again: failed, with the reason
    expect(t).toMatchObject({ state: "failed", attempts: 2 });
    expect(t.error).toMatch(/^out of memory: the tfjs wasm runtime aborted \("Aborted\(\)/);
    const log = await waitFor("trial log of both attempts", async () => {
      const lines = await store.getTrialLog(sweep.id, bad);
      return lines.filter((l) => l.message === "trial attempt failed").length === 2 && lines;
    });
    expect(log.filter((l) => l.message === "trial attempt failed").map((l) => l.fields)).toMatchObject([
      { fault: "wasm-abort", attempt: 1, last: false },
      { fault: "wasm-abort", attempt: 2, last: true },
    ]);
    // the dead thread was replaced: the next trials all complete (a kept thread fails every one)
    const next = await Promise.all(Array.from({ length: 5 }, () => enqueue({})));
    for (const id of next) expect((await trialDone(id)).state).toBe("completed");
  });

  it("skips a trial that is already final (duplicate delivery)", async () => {
    const { enqueue, start, store, sweep, queue } = await setup();
    const id = await enqueue({});
    await store.finishTrial(sweep.id, id, { state: "cancelled", folds: [], flags: [], error: "earlier" });
    await start("w-dup");
    await waitFor("the job to be consumed", async () => (await queue.getJobCounts("waiting", "active")).waiting === 0);
    await waitFor("the job to be done", async () => (await queue.getJob(jobIdOf(sweep.id, id))) === undefined);
    const t = await store.getTrial(sweep.id, id);
    expect(t).toMatchObject({ state: "cancelled", error: "earlier" });
    expect(t?.worker).toBeUndefined();
  });

  it("relays the prune decision to the trainer", async () => {
    const { enqueue, start, trialDone } = await setup();
    await start("w-prune", { decidePrune: async (_job, report) => report.epoch === 3 });
    const id = await enqueue({}, { maxEpochs: 10 });
    const t = await trialDone(id);
    expect(t).toMatchObject({ state: "pruned", prunedAt: 3 });
    expect(t.curve).toHaveLength(3);
  });

  it("aborts the running trial of a cancelled sweep", async () => {
    const { enqueue, start, trialDone, store, sweep } = await setup();
    await start("w-cancel");
    const id = await enqueue({ epochMs: 50 }, { maxEpochs: 1000 });
    await waitFor("some epochs", async () => ((await store.getTrial(sweep.id, id))?.curve.length ?? 0) >= 2);
    await store.setSweepStatus(sweep.id, "cancelled", "test");
    await store.publishCancel(sweep.id);
    const t = await trialDone(id);
    expect(t).toMatchObject({ state: "cancelled", error: "sweep cancelled" });
    expect(t.curve.length).toBeLessThan(1000);
  });

  it("on close, hands a running trial back to the queue without using an attempt", async () => {
    const { enqueue, start, trialDone, store, sweep, queue } = await setup();
    const first = await start("w-leaving", { closeGraceMs: 200 });
    const id = await enqueue({ epochMs: 50 }, { maxEpochs: 40 });
    await waitFor("some epochs", async () => ((await store.getTrial(sweep.id, id))?.curve.length ?? 0) >= 2);
    await first.close();
    const job = await queue.getJob(jobIdOf(sweep.id, id));
    expect(await job?.getState()).toBe("waiting");
    expect(job?.attemptsMade).toBe(0);
    expect((await store.getTrial(sweep.id, id))?.state).toBe("running");

    await start("w-taking-over");
    const t = await trialDone(id);
    // `attempts` counts runs started (the handed-back run included); no failed attempt was used
    expect(t).toMatchObject({ state: "completed", worker: "w-taking-over", attempts: 2 });
    expect(t.curve).toHaveLength(40);
  });
});
