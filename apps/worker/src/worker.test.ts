import { type Params, parseSweepSpec, type SweepRecord, type TrialJob } from "@hpo/core";
import { waitFor as waitUntil } from "@hpo/core/testing";
import { jobIdOf, TRIALS_QUEUE } from "@hpo/store";
import { proposeTrial } from "@hpo/store/testing";
import { afterEach, describe, expect, it } from "vitest";
import type { DecidePrune } from "./decide-prune.ts";
import { openWorkerTestbed, STUB_MODEL } from "./testing/index.ts";

/** Polls every 25 ms for at most `timeoutMs` (default 20 s). */
const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000) =>
  waitUntil(what, probe, { timeoutMs, intervalMs: 25 });

describe("worker (the stub model module in a real training thread)", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    cleanups.length = 0;
  });

  async function setup() {
    const bed = openWorkerTestbed();
    cleanups.push(() => bed.close());
    const { prefix, redis, store, queue } = bed;
    const sweep: SweepRecord = await store.createSweep(
      parseSweepSpec({
        name: "worker-test",
        dataset: "iris",
        model: { module: STUB_MODEL },
        cv: { folds: 3 },
        budget: { max_epochs: 5 },
      }),
    );
    let index = 0;
    /** Proposes a trial and enqueues its job (what the coordinator does). */
    const enqueue = async (
      params: Params,
      opts: { maxEpochs?: number; attempts?: number; maxTrialSeconds?: number; module?: string } = {},
    ) => {
      const trial = await proposeTrial(store, sweep.id, index++, params);
      const job: TrialJob = {
        sweepId: sweep.id,
        trialId: trial.id,
        params,
        dataset: sweep.spec.dataset,
        model: { ...sweep.spec.model, ...(opts.module && { module: opts.module }) },
        cv: sweep.spec.cv,
        metric: sweep.spec.metric,
        maxEpochs: opts.maxEpochs ?? 5,
        seed: 1,
        ...(opts.maxTrialSeconds !== undefined && { maxTrialSeconds: opts.maxTrialSeconds }),
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
      const worker = bed.worker(name, extra);
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
    expect(w.backend).toBe("cpu");
    const id = await enqueue({ learning_rate: 0.01 });
    const t = await trialDone(id);
    expect(t).toMatchObject({ state: "completed", worker: "w-basic", attempts: 1 });
    expect(t.folds).toHaveLength(3);
    expect(t.mean).toBeCloseTo(0.81);
    expect(t.curve.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5]);
    // each step is the K-fold mean of what the three folds reported at it (the barrier)
    expect(t.curve[1]?.folds.map((f) => f.val_accuracy)).toEqual([0.502, 0.512, 0.522]);
    expect(t.curve[1]?.value).toBeCloseTo(0.512, 10);
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

  it("fails a trial whose model module throws, at once and with the reason; the next trial runs", async () => {
    const { enqueue, start, trialDone, store, sweep } = await setup();
    await start("w-throw");
    const id = await enqueue({ behaviour: "throw" });
    const t = await trialDone(id);
    // the user's code failed, not the worker: no retry
    expect(t).toMatchObject({ state: "failed", attempts: 1 });
    expect(t.error).toMatch(/^model module "stub-model\.ts": train\(\) of fold \d threw: stub trainer exploded$/);
    const log = await waitFor("trial log", async () => {
      const lines = await store.getTrialLog(sweep.id, id);
      return lines.length >= 2 && lines;
    });
    expect(log.map((l) => l.message)).toEqual(["trial started", "trial finished"]);
    expect(log[0]).toMatchObject({ level: "info", worker: "w-throw", fields: { attempt: 1, backend: "cpu" } });
    expect((await trialDone(await enqueue({}))).state).toBe("completed");
  });

  it("fails a model module that never returns after budget.max_trial_seconds; the thread is replaced", async () => {
    const { enqueue, start, trialDone } = await setup();
    await start("w-hang");
    const id = await enqueue({ behaviour: "hang" }, { maxTrialSeconds: 2 });
    const t = await trialDone(id);
    expect(t).toMatchObject({ state: "failed", attempts: 1 });
    expect(t.error).toBe(
      "the trial did not finish within 2 s (budget.max_trial_seconds); its training thread was replaced",
    );
    // the spinning thread is gone: a fresh one runs the next trial
    const next = await trialDone(await enqueue({}));
    expect(next.state).toBe("completed");
    expect(next.curve[0]?.folds[0]?.thread_trials).toBe(1);
  });

  it("fails a model module that leaks tensors, naming the count; the next trial starts from a clean thread", async () => {
    const { enqueue, start, trialDone } = await setup();
    await start("w-leak");
    const threadTrials = (t: { curve: readonly { folds: readonly Record<string, number>[] }[] }) =>
      t.curve[0]?.folds[0]?.thread_trials;
    // one thread: a clean trial leaves it in place (the module counts 2 trials in it)
    expect(threadTrials(await trialDone(await enqueue({})))).toBe(1);
    const t = await trialDone(await enqueue({ behaviour: "leak" }));
    expect(t).toMatchObject({ state: "failed", attempts: 1 });
    expect(t.error).toMatch(/^model module "stub-model\.ts": leaked 3 tensors; dispose what train\(\) creates/);
    expect(threadTrials(t)).toBe(2);
    // the leaking thread was replaced: the module counts from 1 again
    const next = await trialDone(await enqueue({}));
    expect(next.state).toBe("completed");
    expect(threadTrials(next)).toBe(1);
  });

  it("fails a module outside the model directories without loading it", async () => {
    const { enqueue, start, trialDone } = await setup();
    await start("w-outside");
    const t = await trialDone(await enqueue({}, { module: "../testing/index.ts" }));
    expect(t).toMatchObject({ state: "failed", attempts: 1 });
    expect(t.error).toBe('model.module "../testing/index.ts" must not contain ".." segments');
    const missing = await trialDone(await enqueue({}, { module: "nope.ts" }));
    expect(missing.error).toBe('model.module "nope.ts" not found in the model directories (HPO_MODEL_DIRS)');
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

  it("relays the prune decision on the K-fold mean to every fold of the module", async () => {
    const { enqueue, start, trialDone } = await setup();
    const seen: number[] = [];
    await start("w-prune", {
      decidePrune: async (_job, report) => {
        seen.push(report.value);
        return report.epoch === 3;
      },
    });
    const id = await enqueue({}, { maxEpochs: 10 });
    const t = await trialDone(id);
    expect(t).toMatchObject({ state: "pruned", prunedAt: 3 });
    expect(t.curve).toHaveLength(3);
    // asked once per step, with the mean of the three folds' reports of that step
    expect(seen.map((v) => v.toFixed(4))).toEqual(["0.5110", "0.5120", "0.5130"]);
    // every fold stopped at step 3: its score is its step-3 report
    expect(t.folds.map((f) => [f.score, f.epochs])).toEqual([
      [0.503, 3],
      [0.513, 3],
      [0.523, 3],
    ]);
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
