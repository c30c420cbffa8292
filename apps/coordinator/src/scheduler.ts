import { ACTIVE_TRIAL_STATES, HpoError, type Params, type SweepRecord, type TrialRecord } from "@hpo/core";
import { createRedis, jobIdOf, parseJobId, type Store, TRIALS_QUEUE, trialIdOf } from "@hpo/store";
import { type Job, Queue } from "bullmq";
import type { Logger } from "pino";
import { budgetStop } from "./budget.ts";
import { readJobStates } from "./job-states.ts";
import type { Proposer } from "./proposer.ts";
import { type QueueWatch, watchQueue } from "./queue-watch.ts";
import { bulkJobOf, SELECT_JOB_SUFFIX, selectionJobOf, type TrialMode, trialJobOf } from "./trial-jobs.ts";

/** The parts of the coordinator metrics the scheduler feeds (see @hpo/metrics CoordinatorMetrics). */
export interface SchedulerMetrics {
  trialFinished(state: "cancelled" | "failed", seconds?: number): void;
  jobStalled(): void;
  sweepBest(sweepId: string, metric: string, score: number): void;
  sweepEnded(sweepId: string): void;
  sweepsRunning(count: number): void;
}

export interface SchedulerOptions {
  readonly store: Store;
  /** Redis for the BullMQ queue and its events; the scheduler opens and closes its own connection. */
  readonly redisUrl: string;
  /** BullMQ prefix, the same as the store's (HPO_PREFIX). */
  readonly prefix: string;
  readonly logger: Logger;
  /** Proposes the params of trial `index` (a pure function of the sweep and earlier trials). */
  readonly propose: Proposer;
  /** Reconcile period: re-enqueue lost jobs, top up, detect the end. Default 2000 ms. */
  readonly tickMs?: number;
  /** Training mode written into every job. Default "tfjs". */
  readonly mode?: TrialMode;
  readonly metrics?: SchedulerMetrics;
  /**
   * Awaited just before a sweep moves to `completed` (Refitter.markPending: its test score shows as
   * pending from the first read that sees the sweep completed). Errors are logged, not fatal.
   */
  readonly beforeCompleted?: (sweep: SweepRecord) => Promise<void>;
  /** Called once each time a sweep moves to `completed` (the winner's test refit: Refitter.scoreWinner). */
  readonly onCompleted?: (sweepId: string) => void;
}

/**
 * Keeps `budget.max_parallel` trials in flight for every running sweep. All state is in Redis:
 * a new scheduler on the same prefix carries on where a dead one stopped (proposals are pure
 * functions of (spec, index, earlier trials); job ids are deterministic, so re-adding is a no-op).
 * Work per sweep is serialised and coalesced: many `kick`s while a pass runs make one more pass.
 */
export interface Scheduler {
  /**
   * Subscribes to finished trials (refills) and watches the queue's failed/stalled events,
   * reconciles every running sweep, starts the periodic tick.
   */
  start(): Promise<void>;
  /** Asks for a top-up pass of `sweepId` soon (after a submit, a finished job, ...). Never throws. */
  kick(sweepId: string): void;
  /** Runs one reconcile + top-up pass now and waits for it (tests, start-up). */
  reconcile(sweepId: string): Promise<void>;
  /**
   * Cancels a running sweep: status cancelled, waiting jobs removed and their trials cancelled,
   * running trials told to stop via `${prefix}:cancel`. Cancelling a cancelled sweep returns it.
   * @throws HpoError NOT_FOUND for an unknown sweep, CONFLICT when it already completed or failed.
   */
  cancel(sweepId: string, reason?: string): Promise<SweepRecord>;
  /**
   * Resumes a cancelled sweep: its cancelled trials are queued again (same params) and enqueued,
   * the sweep runs on within what is left of its budget (store.resumeSweep).
   * @throws HpoError NOT_FOUND for an unknown sweep, CONFLICT when it is not cancelled.
   */
  resume(sweepId: string): Promise<SweepRecord>;
  /**
   * Adds `add.trials` to budget.max_trials (and `add.seconds` to max_seconds); a completed sweep
   * runs again (store.extendSweep).
   * @throws HpoError NOT_FOUND for an unknown sweep, CONFLICT for a failed one.
   */
  extend(sweepId: string, add: { readonly trials?: number; readonly seconds?: number }): Promise<SweepRecord>;
  /** Stops the tick, waits for passes in progress, closes the queue, its event watch and connection. */
  close(): Promise<void>;
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { store, logger, propose, metrics } = options;
  const mode = options.mode ?? "tfjs";
  const connection = createRedis(options.redisUrl, { maxRetriesPerRequest: null });
  connection.on("error", (err) => logger.warn({ err: err.message }, "scheduler: redis connection error"));
  const queue = new Queue(TRIALS_QUEUE, { connection, prefix: options.prefix });
  queue.on("error", (err) => logger.warn({ err: err.message }, "scheduler: queue error"));
  let events: QueueWatch | undefined;
  let unsubscribeFinished: (() => Promise<void>) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const beforeCompleted = async (sweep: SweepRecord): Promise<void> => {
    try {
      await options.beforeCompleted?.(sweep);
    } catch (err) {
      logger.warn({ err, sweepId: sweep.id }, "scheduler: the step before completing a sweep failed");
    }
  };

  /** Per sweep: the pass in progress and whether another one was asked for meanwhile. */
  const passes = new Map<string, { running: Promise<void>; again: boolean; full: boolean; exclusive?: true }>();
  /** Cancelled sweeps that still had running trials: checked on each tick until drained. */
  const draining = new Set<string>();

  const run = (sweepId: string, full: boolean): Promise<void> => {
    const current = passes.get(sweepId);
    if (current?.exclusive) return current.running.then(() => run(sweepId, full));
    if (current) {
      current.again = true;
      current.full ||= full;
      return current.running;
    }
    const entry = { running: Promise.resolve(), again: false, full };
    entry.running = (async () => {
      try {
        do {
          const doFull = entry.full;
          entry.again = false;
          entry.full = false;
          await pass(sweepId, doFull);
        } while (entry.again && !closed);
      } catch (err) {
        logger.error({ err, sweepId }, "scheduler: pass failed");
      } finally {
        passes.delete(sweepId);
      }
    })();
    passes.set(sweepId, entry);
    return entry.running;
  };

  /** Serialises `fn` after any pass of the sweep (cancel must not interleave with a top-up). */
  const exclusive = async <T>(sweepId: string, fn: () => Promise<T>): Promise<T> => {
    for (let p = passes.get(sweepId); p; p = passes.get(sweepId)) await p.running;
    const entry = { running: Promise.resolve(), again: false, full: false, exclusive: true as const };
    const result = fn();
    entry.running = result.then(
      () => {},
      () => {},
    );
    passes.set(sweepId, entry);
    try {
      return await result;
    } finally {
      if (passes.get(sweepId) === entry) passes.delete(sweepId);
    }
  };

  async function pass(sweepId: string, full: boolean): Promise<void> {
    if (full) await reconcileJobs(sweepId);
    await topUp(sweepId);
  }

  /** Makes the queue match the store for the non-final trials of a running sweep. */
  async function reconcileJobs(sweepId: string): Promise<void> {
    const sweep = await store.getSweep(sweepId);
    if (sweep?.status !== "running") return;
    for (const state of ACTIVE_TRIAL_STATES) {
      for (const job of await readJobStates(connection, queue, sweepId, await store.trialIdsInState(sweepId, state))) {
        if (job.state === "failed") await failTrial(sweepId, job.trialId, job.reason || "job failed");
        else if (job.state === "completed") {
          // a job never completes before its trial is final; if it did, run it again
          await queue.remove(jobIdOf(sweepId, job.trialId)).catch(() => {});
          await enqueueIfStillOpen(sweep, job.trialId);
        } else if (job.state === "missing") await enqueueIfStillOpen(sweep, job.trialId);
      }
    }
  }

  async function enqueueIfStillOpen(sweep: SweepRecord, trialId: string): Promise<void> {
    const trial = await store.getTrial(sweep.id, trialId);
    if (!trial || (trial.state !== "queued" && trial.state !== "running")) return;
    logger.info({ sweepId: sweep.id, trialId, state: trial.state }, "scheduler: re-enqueueing a trial that had no job");
    await queue.addBulk([bulkJobOf(trialJobOf(sweep.id, sweep.spec, trial, mode))]);
  }

  async function failTrial(sweepId: string, trialId: string, failedReason: string): Promise<void> {
    const reason = /stalled more than allowable limit/.test(failedReason)
      ? `its worker died or lost its lock on every run (${failedReason}; see HPO_MAX_STALLED_COUNT)`
      : failedReason;
    const changed = await store.finishTrial(sweepId, trialId, {
      state: "failed",
      folds: [],
      flags: [],
      error: reason,
    });
    if (changed) {
      logger.warn({ sweepId, trialId, reason }, "scheduler: trial failed after its last attempt");
      metrics?.trialFinished("failed");
    }
  }

  /** Proposes and enqueues trials up to max_parallel in flight; completes the sweep at the end. */
  async function topUp(sweepId: string): Promise<void> {
    const sweep = await store.getSweep(sweepId);
    if (sweep?.status !== "running") return;
    const { spec } = sweep;
    const { budget, metric } = spec;
    if (sweep.best) metrics?.sweepBest(sweepId, metric.name, sweep.best.mean);
    const inFlight = sweep.counts.queued + sweep.counts.running;
    // target reached or time used: the sweep ends now, in-flight trials cancelled (budget.ts)
    const budgetRule = budgetStop(sweep, Date.now());
    if (budgetRule?.cancelInFlight && inFlight > 0) return endNow(sweep, budgetRule.reason);
    // the data cannot be used (only the workers could read it): every trial would fail the same way
    const dataError = await dataErrorOf(sweep);
    if (dataError) return endNow(sweep, dataError);
    let stop = budgetRule?.reason;

    // Earlier trials, oldest first, read (page by page) only if the sampler asks for them; the
    // trials proposed earlier in this pass are appended as queued so the next proposal sees them.
    let stored: TrialRecord[] | undefined;
    const proposals: { index: number; params: Params }[] = [];
    const historyBefore = (index: number) => async (): Promise<readonly TrialRecord[]> => {
      if (!stored) {
        stored = [];
        for (let offset = 0; ; offset += 1000) {
          const page = await store.listTrials(sweepId, { sort: "index", offset, limit: 1000 });
          stored.push(...page.items);
          if (page.items.length < 1000) break;
        }
      }
      const createdAt = Date.now();
      const pending = proposals.map(({ index: i, params }): TrialRecord => {
        return { sweepId, id: trialIdOf(i), index: i, params, state: "queued", folds: [], createdAt, flags: [] };
      });
      return [...stored, ...pending].filter((t) => t.index < index);
    };

    const want = stop ? 0 : Math.min(budget.max_parallel - inFlight, budget.max_trials - sweep.proposed);
    for (let i = 0; i < want; i++) {
      const index = sweep.proposed + i;
      const params = await propose(sweepId, spec, index, historyBefore(index));
      if (params === undefined) {
        stop = `search space exhausted after ${index} trials`;
        break;
      }
      proposals.push({ index, params });
    }
    // one pipelined store write and one addBulk per top-up, however many trials it adds
    const trials = await store.proposeTrials(sweepId, proposals);
    const jobs = trials.map((trial) => bulkJobOf(trialJobOf(sweepId, spec, trial, mode)));
    if (jobs.length > 0) {
      await queue.addBulk(jobs);
      logger.debug({ sweepId, added: jobs.length }, "scheduler: trials enqueued");
      return;
    }
    if (inFlight > 0) return;
    // nothing in flight and nothing added: finished if no proposal is possible any more
    if (!stop && (await propose(sweepId, spec, sweep.proposed, historyBefore(sweep.proposed))) === undefined) {
      stop = `search space exhausted after ${sweep.proposed} trials`;
    }
    if (!stop) return;
    // a sweep none of whose trials produced a result failed (bad dataset, every config diverged, ...)
    const { counts } = sweep;
    const failed = sweep.proposed > 0 && counts.completed + counts.pruned === 0;
    if (failed) {
      const [example] = (await store.listTrials(sweepId, { state: "failed", limit: 1 })).items;
      const why = example?.error ? `; e.g. ${example.id}: ${example.error}` : "";
      stop = `no trial produced a result (${counts.failed} failed, ${counts.diverged} diverged, ${counts.cancelled} cancelled)${why}`;
    }
    if (!failed && spec.select) {
      const selection = await selectionProgress(sweep);
      if (selection.pending > 0) return; // each finished selection run kicks a pass (finishSelection publishes)
      stop = `${stop}; final selection: top ${selection.trials} re-evaluated with ${spec.select.repeats} more repeat${spec.select.repeats === 1 ? "" : "s"}${selection.failed > 0 ? ` (${selection.failed} could not be)` : ""}`;
    }
    if (!failed) await beforeCompleted(sweep);
    if (await store.setSweepStatus(sweepId, failed ? "failed" : "completed", stop)) {
      logger.info({ sweepId, reason: stop, best: sweep.best }, `scheduler: sweep ${failed ? "failed" : "completed"}`);
      metrics?.sweepEnded(sweepId);
      if (!failed) options.onCompleted?.(sweepId);
    }
  }

  /**
   * The final selection phase (spec.select) of a sweep whose search has ended: starts it once
   * with the top completed trials (store.startSelection keeps the list), enqueues the selection
   * run of each trial without a result yet (deterministic job ids: re-adding is a no-op), and
   * counts the runs still pending and those that failed.
   */
  async function selectionProgress(
    sweep: SweepRecord,
  ): Promise<{ readonly trials: number; readonly pending: number; readonly failed: number }> {
    const top = sweep.spec.select?.top ?? 0;
    const ids =
      sweep.selection ??
      (await store.startSelection(
        sweep.id,
        (await store.listTrials(sweep.id, { state: "completed", limit: top })).items.map((t) => t.id),
      ));
    let pending = 0;
    let failed = 0;
    const jobs = [];
    for (const id of ids) {
      const trial = await store.getTrial(sweep.id, id);
      if (!trial || trial.selectionError !== undefined) failed++;
      else if (trial.selected === undefined) {
        pending++;
        jobs.push(selectionJobOf(sweep.id, sweep.spec, trial, mode));
      }
    }
    if (jobs.length > 0) {
      if (!sweep.selection) logger.info({ sweepId: sweep.id, trials: ids }, "scheduler: final selection phase started");
      await queue.addBulk(jobs);
    }
    return { trials: ids.length, pending, failed };
  }

  /**
   * Why the sweep must end because its dataset is unusable: a failed trial whose error is
   * INVALID_DATASET (file missing on the workers, malformed, a bad column) while no trial has a
   * result yet (a later data error is one worker's problem, not the data's). Undefined otherwise.
   */
  async function dataErrorOf(sweep: SweepRecord): Promise<string | undefined> {
    const { counts } = sweep;
    if (counts.failed === 0 || counts.completed + counts.pruned > 0) return undefined;
    const failed = await store.listTrials(sweep.id, { state: "failed", limit: 10 });
    const bad = failed.items.find((t) => t.errorCode === "INVALID_DATASET");
    return bad && `dataset error in ${bad.id}: ${bad.error ?? "unknown"}`;
  }

  /** Ends a running sweep before its trials in flight finish: they are cancelled like on a user cancel. */
  async function endNow(sweep: SweepRecord, reason: string): Promise<void> {
    const failed = sweep.counts.completed + sweep.counts.pruned === 0;
    if (!failed) await beforeCompleted(sweep);
    if (await store.setSweepStatus(sweep.id, failed ? "failed" : "completed", reason)) {
      logger.info({ sweepId: sweep.id, reason, best: sweep.best }, "scheduler: sweep stopped by its budget");
      metrics?.sweepEnded(sweep.id);
      if (!failed) options.onCompleted?.(sweep.id);
    }
    await store.publishCancel(sweep.id);
    await drain(sweep.id);
  }

  async function cancelInner(sweepId: string, reason: string): Promise<SweepRecord> {
    const sweep = await store.getSweep(sweepId);
    if (!sweep) throw new HpoError("NOT_FOUND", `cancel sweep "${sweepId}": no such sweep`);
    if (sweep.status === "completed" || sweep.status === "failed") {
      throw new HpoError("CONFLICT", `cancel sweep "${sweepId}": the sweep already ${sweep.status}`);
    }
    if (await store.setSweepStatus(sweepId, "cancelled", reason)) {
      logger.info({ sweepId, reason }, "scheduler: sweep cancelled");
      metrics?.sweepEnded(sweepId);
    }
    await store.publishCancel(sweepId);
    await drain(sweepId);
    return (await store.getSweep(sweepId)) as SweepRecord;
  }

  /**
   * Finalises the open trials of a cancelled sweep that no worker will finish: queued ones (their
   * waiting job removed) and running ones whose job is gone or waiting. Trials in a worker's hands
   * are left to it (it aborts on the broadcast and writes `cancelled`). Reads the sweep's status
   * first, inside the caller's exclusive section: a sweep resumed or extended since it was put on
   * the drain list is running again and its queued trials are wanted, so it is left alone (the
   * tick used to read the status before waiting for the section and could cancel the trials a
   * resume had just re-queued).
   */
  async function drain(sweepId: string): Promise<void> {
    const sweep = await store.getSweep(sweepId);
    if (!sweep || sweep.status === "running") {
      draining.delete(sweepId);
      return;
    }
    const reason = sweep.reason ?? "cancelled";
    let open = 0;
    for (const state of ACTIVE_TRIAL_STATES) {
      for (const trialId of await store.trialIdsInState(sweepId, state)) {
        const job: Job | undefined = await queue.getJob(jobIdOf(sweepId, trialId));
        const jobState = job ? await job.getState() : "missing";
        if (jobState === "active") {
          open++;
          continue;
        }
        if (job) {
          try {
            await job.remove();
          } catch {
            open++; // became active meanwhile: its worker sees the cancelled sweep
            continue;
          }
        }
        if (await store.finishTrial(sweepId, trialId, { state: "cancelled", folds: [], flags: [], error: reason })) {
          metrics?.trialFinished("cancelled");
        }
      }
    }
    if (open > 0) draining.add(sweepId);
    else draining.delete(sweepId);
  }

  const tick = async () => {
    try {
      const running = await store.runningSweepIds();
      metrics?.sweepsRunning(running.length);
      await Promise.all(running.map((id) => run(id, true)));
      for (const id of draining) await exclusive(id, () => drain(id));
    } catch (err) {
      logger.warn({ err }, "scheduler: tick failed");
    }
  };

  const scheduleTick = () => {
    if (closed) return;
    timer = setTimeout(async () => {
      await tick();
      scheduleTick();
    }, options.tickMs ?? 2000);
    timer.unref?.();
  };

  return {
    async start() {
      // failed and stalled jobs from BullMQ's event stream, read in batches (see queue-watch.ts)
      events = await watchQueue({
        redis: connection,
        eventsKey: queue.keys.events as string,
        logger,
        handlers: {
          onFailed(jobId, failedReason) {
            const ids = parseJobId(jobId);
            if (!ids) return;
            if (ids.trialId.endsWith(SELECT_JOB_SUFFIX)) {
              // a selection run's worker records its error on the last attempt; this covers one that died
              const trialId = ids.trialId.slice(0, -SELECT_JOB_SUFFIX.length);
              void (async () => {
                const job = await queue.getJob(jobId);
                if (!job || (await job.getState()) === "failed")
                  await store.finishSelection(ids.sweepId, trialId, { error: `selection run failed: ${failedReason}` });
              })()
                .catch((err) => logger.warn({ err, jobId }, "scheduler: handling a failed selection run failed"))
                .finally(() => run(ids.sweepId, false));
              return;
            }
            void (async () => {
              const job = await queue.getJob(jobId);
              // the worker marks a trial failed on its last attempt; this covers a worker that died
              if (!job || (await job.getState()) === "failed") await failTrial(ids.sweepId, ids.trialId, failedReason);
            })()
              .catch((err) => logger.warn({ err, jobId }, "scheduler: handling a failed job failed"))
              .finally(() => run(ids.sweepId, false));
          },
          onStalled(jobId) {
            logger.warn({ jobId }, "scheduler: job stalled (its worker lost the lock); BullMQ moved it back to wait");
            metrics?.jobStalled();
          },
        },
      });
      // refill as soon as a trial is final (published by the store's finishTrial script, before
      // its job completes in BullMQ); many at once make one more pass (see run)
      unsubscribeFinished = await store.subscribeFinished((sweepId) => {
        if (!closed) void run(sweepId, false);
      });
      await tick();
      scheduleTick();
    },

    kick(sweepId) {
      if (!closed) void run(sweepId, false);
    },

    reconcile: (sweepId) => run(sweepId, true),

    async resume(sweepId) {
      const sweep = await exclusive(sweepId, async () => {
        const { sweep, requeued } = await store.resumeSweep(sweepId);
        draining.delete(sweepId);
        logger.info({ sweepId, requeued }, "scheduler: sweep resumed");
        return sweep;
      });
      void run(sweepId, true); // enqueue the re-queued trials, top up
      return sweep;
    },

    async extend(sweepId, add) {
      const sweep = await exclusive(sweepId, () => store.extendSweep(sweepId, add));
      logger.info({ sweepId, add, maxTrials: sweep.spec.budget.max_trials }, "scheduler: sweep extended");
      if (sweep.status === "running") void run(sweepId, true);
      return sweep;
    },

    cancel: (sweepId, reason = "cancelled by user") => exclusive(sweepId, () => cancelInner(sweepId, reason)),

    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await unsubscribeFinished?.();
      await Promise.all([...passes.values()].map((p) => p.running));
      await events?.close();
      await queue.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
