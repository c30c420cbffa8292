import { availableParallelism } from "node:os";
import type { EpochReport, TrialJob, TrialOutcome } from "@hpo/core";
import type { WorkerMetrics } from "@hpo/metrics";
import { createRedis, createStore, type Store, TRIALS_QUEUE } from "@hpo/store";
import { noopTrial } from "@hpo/trainer/noop";
import { RuntimeFault } from "@hpo/trainer/runtime-fault";
import { type Job, WaitingError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { createDecidePrune, type DecidePrune } from "./decide-prune.ts";
import { createEpochBuffer } from "./epoch-buffer.ts";
import type { FoldLimits } from "./program/fold-limits.ts";
import { type ProcessReaper, startProcessReaper } from "./program/process-reaper.ts";
import { programHostOf } from "./program/program-options.ts";
import { type ProgramHost, runProgramTrial } from "./program/program-trial.ts";
import { createSlotPool } from "./program/slot-pool.ts";
import { createSweepStatusCache } from "./sweep-status-cache.ts";
import { createTrainingPool, type TrainingPool, type TrainResult } from "./training-pool.ts";
import { type RecordingLogger, recordingLogger } from "./trial-log-recorder.ts";

export interface WorkerOptions {
  /** Redis URL for the queue and (unless `store` is given) the store. */
  readonly redisUrl: string;
  /** BullMQ and store prefix (HPO_PREFIX). */
  readonly prefix: string;
  /** Name recorded on the trials it runs (HPO_WORKER_NAME). */
  readonly name: string;
  readonly logger: Logger;
  /**
   * Jobs this worker holds at once (BullMQ concurrency). Default 1. `noop` jobs run in the main
   * thread, so a high concurrency makes sense for them; tfjs jobs beyond `threads` wait for a
   * free training thread (already marked running), which keeps the next trial ready to start.
   */
  readonly concurrency?: number;
  /** Training threads (trials trained at once). Default `concurrency`. */
  readonly threads?: number;
  /** tfjs backend preference (HPO_BACKEND). Default "auto". */
  readonly backend?: string;
  /** Where CSV datasets may live (HPO_DATA_DIRS). Default []. */
  readonly dataDirs?: readonly string[];
  /** A store to use instead of opening one (it is then not closed by the worker). */
  readonly store?: Store;
  /** Pruning decision after each epoch. Default: the sweep's pruner (createPruner(early_terminate)). */
  readonly decidePrune?: DecidePrune;
  readonly metrics?: WorkerMetrics;
  /** BullMQ lock duration in ms (a dead worker's job is re-queued after it). Default 30 000. */
  readonly lockDuration?: number;
  /** How often BullMQ looks for jobs whose lock expired (ms). Default 30 000. */
  readonly stalledInterval?: number;
  /** Lock expiries a job survives before it fails ("job stalled more than allowable limit"). Default 1. */
  readonly maxStalledCount?: number;
  /** How long `close()` lets running trials finish before handing them back. Default 10 000 ms. */
  readonly closeGraceMs?: number;
  /** Where model modules may be loaded from (HPO_MODEL_DIRS). Default []: model-module trials fail. */
  readonly modelDirs?: readonly string[];
  /** How program trials run here (docs/CONTRACTS.md "Program trials"). Default: see ProgramOptions. */
  readonly programs?: ProgramOptions;
}

/** A worker's settings for program trials. */
export interface ProgramOptions {
  /** HPO_PROGRAM_DIRS: where programs may live (realpath check). Default []: every program refused. */
  readonly dirs?: readonly string[];
  /** Fold processes at once (`--slots`, HPO_SLOTS). Default: the machine's core count. */
  readonly slots?: number;
  /** HPO_GPUS: GPU ids; each running fold process gets one of its own (CUDA_VISIBLE_DEVICES). */
  readonly gpus?: readonly string[];
  /** HPO_PROGRAM_ENV: names of worker variables passed on to programs (never REDIS_URL or HPO_*). */
  readonly env?: readonly string[];
  /** HPO_RUNS_DIR: where each fold's output directory is made. Default `.hpo/runs`. */
  readonly runsDir?: string;
  /** SIGTERM → SIGKILL grace of a stopped fold process (ms). Default 5000. */
  readonly killGraceMs?: number;
  /** The environment programs' variables are read from. Default `process.env`. */
  readonly parentEnv?: NodeJS.ProcessEnv;
  /** HPO_FOLD_MEMORY_MB / HPO_FOLD_CPU_SECONDS: limits of each fold's process group. Default none. */
  readonly limits?: FoldLimits;
}

/** A running worker process's BullMQ side. */
export interface HpoWorker {
  /** The backend the training threads selected (after `start`). */
  readonly backend: string | undefined;
  /** Selects the backend in every training thread, subscribes to cancels, starts taking jobs. */
  start(): Promise<void>;
  /**
   * Stops taking jobs; running trials get `closeGraceMs` to finish, then are handed back to the
   * queue (another worker runs them again). Closes the threads and every connection it opened.
   */
  close(): Promise<void>;
}

type AbortReason = "cancel" | "shutdown";

/** Least time between two BullMQ progress updates of a job. */
const PROGRESS_INTERVAL_MS = 1000;
/** Epoch reports of a trial are written at most this often (batched in between). */
const EPOCH_WRITE_INTERVAL_MS = 250;

interface Running {
  readonly sweepId: string;
  readonly controller: AbortController;
  reason?: AbortReason;
}

/**
 * Creates a worker: a BullMQ Worker on the `trials` queue whose processor hands each TrialJob to
 * a training thread, records every epoch (store.appendEpoch, job progress), asks the pruner, and
 * writes the final outcome idempotently (store.finishTrial). Cancels arrive on `${prefix}:cancel`
 * and are also noticed at every epoch from the sweep status.
 */
export function createWorker(options: WorkerOptions): HpoWorker {
  const { logger, name } = options;
  const concurrency = options.concurrency ?? 1;
  const threads = Math.max(1, Math.min(options.threads ?? concurrency, concurrency));
  const store = options.store ?? createStore({ url: options.redisUrl, prefix: options.prefix });
  const decidePrune = options.decidePrune ?? createDecidePrune(store);
  const metrics = options.metrics;
  // status reads on the hot path (job start, every epoch) go through a short-lived cache
  const statuses = createSweepStatusCache(store);
  const running = new Map<string, Running>(); // by job id
  let pool: TrainingPool | undefined;
  let worker: Worker | undefined;
  let connection: Redis | undefined;
  let unsubscribe: (() => Promise<void>) | undefined;
  let backend: string | undefined;
  let reaper: ProcessReaper | undefined;
  let programHost: ProgramHost | undefined;

  const abortSweep = (sweepId: string, reason: AbortReason) => {
    for (const r of running.values()) {
      if (r.sweepId !== sweepId || r.controller.signal.aborted) continue;
      r.reason = reason;
      r.controller.abort();
    }
  };

  const cancelledOutcome = (error: string): TrialOutcome => ({ state: "cancelled", folds: [], flags: [], error });

  /** Runs a job, then appends what it logged to the trial's log (see trial-log-recorder.ts). */
  async function process(job: Job<TrialJob>, token?: string): Promise<unknown> {
    const { sweepId, trialId } = job.data;
    const log = recordingLogger(logger.child({ sweepId, trialId, jobId: job.id }), name);
    try {
      return await processJob(job, log, token);
    } finally {
      // what finishTrial did not take already (skips, hand-backs, retries, ignored results);
      // not awaited: the trial log is for people, it must not slow the next job down
      void store
        .appendTrialLog(sweepId, trialId, log.drain())
        .catch((err: unknown) => logger.warn({ err, sweepId, trialId }, "appending the trial log failed"));
    }
  }

  /**
   * A job of the final selection phase (`phase: "select"`): trains the trial's extra repeats
   * without pruning or curve and records the folds (or, on the last attempt, the error) with
   * store.finishSelection, once per trial.
   */
  async function processSelection(job: Job<TrialJob>, log: RecordingLogger, token?: string): Promise<unknown> {
    const data = job.data;
    const { sweepId, trialId } = data;
    const entry: Running = { sweepId, controller: new AbortController() };
    running.set(String(job.id), entry);
    const started = performance.now();
    log.info({ repeats: data.repeatRange, backend: data.mode === "noop" ? "noop" : backend }, "selection run started");
    const onEpoch = async () => {
      if (!entry.controller.signal.aborted && (await statuses.get(sweepId)) !== "running") {
        entry.reason = "cancel";
        entry.controller.abort();
      }
      return false;
    };
    try {
      const result: TrainResult =
        data.mode === "noop"
          ? { outcome: await noopTrial(data, { report: onEpoch }, entry.controller.signal) }
          : await (pool as TrainingPool).run(data, onEpoch, entry.controller.signal, (message, fields) =>
              log.info(fields ?? {}, message),
            );
      if (entry.reason === "shutdown") {
        await job.moveToWait(token);
        throw new WaitingError();
      }
      const { outcome } = result;
      const seconds = Number(((performance.now() - started) / 1000).toFixed(3));
      if (outcome.state === "cancelled") return { state: "cancelled" };
      const recorded =
        outcome.state === "completed"
          ? await store.finishSelection(sweepId, trialId, {
              folds: outcome.folds,
              repeats: data.repeatRange?.count ?? 0,
            })
          : await store.finishSelection(sweepId, trialId, {
              error: `selection run ${outcome.state}: ${outcome.error ?? "no result"}`,
            });
      log.info({ state: outcome.state, seconds, recorded }, "selection run finished");
      return { state: outcome.state };
    } catch (err) {
      if (err instanceof WaitingError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      log.error({ err: message, last }, "selection run attempt failed");
      if (last) await store.finishSelection(sweepId, trialId, { error: `selection run failed: ${message}` });
      throw err;
    } finally {
      running.delete(String(job.id));
    }
  }

  async function processJob(job: Job<TrialJob>, log: RecordingLogger, token?: string): Promise<unknown> {
    const data = job.data;
    const { sweepId, trialId } = data;
    let status = await statuses.get(sweepId);
    if (status !== "running" && status !== undefined) status = await statuses.refresh(sweepId); // resumed/extended?
    if (status !== "running") {
      if (data.phase === "select") {
        log.info({ status }, "skipping selection run: its sweep is not running");
        return { skipped: status ?? "missing" };
      }
      if (status === "cancelled") await store.finishTrial(sweepId, trialId, cancelledOutcome("sweep cancelled"));
      log.info({ status }, "skipping trial: its sweep is not running");
      return { skipped: status ?? "missing" };
    }
    if (data.phase === "select") return processSelection(job, log, token);
    // starts, not only failed attempts: a run whose worker died (lock expired) counts too
    const attempt = Math.max(job.attemptsMade + 1, job.attemptsStarted ?? 0);
    // this run's token: if our lock expires and another worker re-runs the trial, our late
    // epochs and result are ignored by the store instead of overwriting the new run's
    const run = token ?? "";
    if (!(await store.markRunning(sweepId, trialId, name, attempt, run))) {
      log.info("skipping trial: already final (duplicate delivery)");
      return { skipped: "final" };
    }
    const entry: Running = { sweepId, controller: new AbortController() };
    running.set(String(job.id), entry);
    const done = metrics?.trialStarted();
    const started = performance.now();
    let lastEpochAt = started;
    let lastProgressAt = started; // trials shorter than the interval never send progress
    const epochs = createEpochBuffer(
      (batch) => store.appendEpochs(sweepId, trialId, batch, run),
      (err) => log.warn({ err }, "appending epochs failed"),
      EPOCH_WRITE_INTERVAL_MS,
      started,
    );
    log.info(
      { attempt, params: data.params, backend: data.program ? "program" : data.mode === "noop" ? "noop" : backend },
      "trial started",
    );
    const onEpoch = async (report: EpochReport, samples?: number) => {
      const now = performance.now();
      metrics?.epochFinished((now - lastEpochAt) / 1000, samples);
      lastEpochAt = now;
      epochs.add(report); // written in batches, not awaited (see EpochBuffer)
      // a pruner compares trials at each epoch: then every epoch is sent before deciding
      if (!decidePrune.active || (await decidePrune.active(data))) epochs.flush();
      if (now - lastProgressAt >= PROGRESS_INTERVAL_MS) {
        lastProgressAt = now; // BullMQ progress is for queue UIs only: at most once per second
        void job.updateProgress({ epoch: report.epoch, value: report.value }).catch(() => {});
      }
      if (!entry.controller.signal.aborted && (await statuses.get(sweepId)) !== "running") {
        entry.reason = "cancel";
        entry.controller.abort();
        return false;
      }
      return decidePrune(data, report, run);
    };
    try {
      const result: TrainResult = data.program
        ? {
            outcome: await runProgramTrial(
              data,
              programHost as ProgramHost,
              { onEpoch: (r) => onEpoch(r), record: (level, fields, message) => log.record(level, fields, message) },
              entry.controller.signal,
            ),
          }
        : data.mode === "noop"
          ? { outcome: await noopTrial(data, { report: (r) => onEpoch(r, 0) }, entry.controller.signal) }
          : await (pool as TrainingPool).run(data, onEpoch, entry.controller.signal, (message, fields) =>
              log.info(fields ?? {}, message),
            );
      if (entry.reason === "shutdown") {
        epochs.flush();
        log.info("worker shutting down: handing the trial back to the queue");
        await job.moveToWait(token);
        throw new WaitingError();
      }
      const outcome = entry.reason === "cancel" ? { ...result.outcome, error: "sweep cancelled" } : result.outcome;
      const seconds = (performance.now() - started) / 1000;
      const finished = {
        state: outcome.state,
        seconds: Number(seconds.toFixed(3)),
        tensors: result.tensors,
        error: outcome.error,
      };
      // the last epochs and the job's log so far go with the outcome: one script, one round trip
      const lines = [...log.drain(), log.lineOf("info", finished, "trial finished")];
      if (!(await store.finishTrial(sweepId, trialId, outcome, run, { epochs: epochs.take(), log: lines }))) {
        log.warn(
          { state: outcome.state },
          "result ignored: the trial is already final or another run replaced this one",
        );
      }
      metrics?.trialOutcome(outcome, seconds);
      if (backend && result.tensors !== undefined) metrics?.tfjs(backend, result.tensors);
      log.logger.info(finished, "trial finished"); // printed only: already in the trial's log
      return { state: outcome.state, tensors: result.tensors };
    } catch (err) {
      if (err instanceof WaitingError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      // a runtime fault is the worker's: the pool has replaced the thread, and the trial goes back
      // to the queue for another attempt (on a fresh thread, here or elsewhere) unless this was the last
      const fault = err instanceof RuntimeFault ? { fault: err.kind } : {};
      log.error({ err: message, attempt, last, ...fault }, "trial attempt failed");
      if (last) {
        const failed: TrialOutcome = { state: "failed", folds: [], flags: [], error: message };
        await store.finishTrial(sweepId, trialId, failed, run, { epochs: epochs.take(), log: log.drain() });
        metrics?.trialFinished("failed", (performance.now() - started) / 1000);
      } else {
        epochs.flush();
        metrics?.jobRetried();
      }
      throw err;
    } finally {
      epochs.close();
      running.delete(String(job.id));
      done?.();
    }
  }

  return {
    get backend() {
      return backend;
    },

    async start() {
      const p = options.programs ?? {};
      const base = programHostOf(p);
      reaper = startProcessReaper(base.killGraceMs);
      programHost = {
        ...base,
        slots: createSlotPool(p.slots ?? availableParallelism(), p.gpus ?? []),
        groups: reaper,
      };
      pool = createTrainingPool({
        size: threads,
        backend: options.backend ?? "auto",
        dataDirs: options.dataDirs ?? [],
        modelDirs: options.modelDirs ?? [],
        logger,
      });
      const ready = await pool.ready;
      backend = ready.backend;
      if (ready.tensors !== undefined) metrics?.tfjs(backend, ready.tensors);
      logger.info(
        { backend: ready.backend, reason: ready.reason, tensors: ready.tensors, concurrency, threads },
        "training backend selected",
      );
      unsubscribe = await store.subscribeCancel((sweepId) => {
        logger.info({ sweepId }, "cancel received");
        statuses.markCancelled(sweepId);
        abortSweep(sweepId, "cancel");
      });
      connection = createRedis(options.redisUrl, { maxRetriesPerRequest: null });
      connection.on("error", (err) => logger.warn({ err: err.message }, "worker: redis connection error"));
      worker = new Worker<TrialJob>(TRIALS_QUEUE, process, {
        connection,
        prefix: options.prefix,
        concurrency,
        lockDuration: options.lockDuration ?? 30_000,
        stalledInterval: options.stalledInterval ?? 30_000,
        maxStalledCount: options.maxStalledCount ?? 1,
        autorun: false,
        name,
      });
      worker.on("error", (err) => logger.warn({ err: err.message }, "worker: bullmq error"));
      void worker.run().catch((err) => logger.error({ err }, "worker: run loop stopped"));
      await worker.waitUntilReady();
      logger.info({ prefix: options.prefix }, "worker taking jobs");
    },

    async close() {
      const grace = setTimeout(() => {
        for (const r of running.values()) {
          if (r.controller.signal.aborted) continue;
          r.reason = "shutdown";
          r.controller.abort();
        }
      }, options.closeGraceMs ?? 10_000);
      try {
        await worker?.close();
      } finally {
        clearTimeout(grace);
      }
      await unsubscribe?.();
      await pool?.close();
      reaper?.close();
      await connection?.quit().catch(() => connection?.disconnect());
      if (!options.store) await store.close();
    },
  };
}
