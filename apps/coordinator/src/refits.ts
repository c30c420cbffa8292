import { HpoError, mixSeed, type SweepRecord, type TrialRecord } from "@hpo/core";
import type { Store } from "@hpo/store";
import type { BackendPreference } from "@hpo/trainer";
import type { ExportFiles } from "@hpo/trainer/export";
import { type ProcessReaper, type ProgramRefitHost, startProcessReaper } from "@hpo/worker/program-refit";
import type { Logger } from "pino";
import { modelCardOf } from "./model-card.ts";
import { refitProgram, type StoredProgramRefit } from "./program-refit.ts";
import type { RefitReply, RefitRequest, StoredRefit } from "./refit-run.ts";
import { createRequestThread } from "./request-thread.ts";
import { trialJobOf } from "./trial-jobs.ts";
import { trialStatsView } from "./trial-stats.ts";

/** Options of `createRefitter`. */
export interface RefitterOptions {
  readonly store: Store;
  readonly logger: Logger;
  /** Where a sweep's CSV file may be (the workers' HPO_DATA_DIRS). */
  readonly dataDirs: readonly string[];
  /** Where a model module may be loaded from (the workers' HPO_MODEL_DIRS); default none. */
  readonly modelDirs?: readonly string[];
  /**
   * How program trials' refits run here (HPO_PROGRAM_DIRS, HPO_RUNS_DIR, HPO_PROGRAM_ENV, limits:
   * as on a worker); without it a program trial's export answers UNAVAILABLE.
   */
  readonly programs?: ProgramRefitHost;
  /** TensorFlow.js backend of the refits; default "auto". */
  readonly backend?: BackendPreference;
  /** Clock (ms); default Date.now. */
  readonly now?: () => number;
}

/**
 * Refits of one trial's config on every row outside the test split, for the test score of a
 * sweep's winner and for exports. They run in the coordinator, in a thread of their own (one
 * refit at a time; on the main thread only when the thread cannot start): a refit is one training
 * run (1/K of a trial), it is needed once per sweep and per export, its answer goes straight back
 * to the caller of the export, and scoring it on the coordinator's one backend keeps the test score
 * and every export of the same trial identical. Each refit is kept in Redis
 * (`P:sweep:{sid}:refit:{tid}`): the winner exported after its test score is the model scored.
 */
export interface Refitter {
  /**
   * After a sweep completed: when it has a test split (`cv.test_fraction`) and a best trial, records
   * `test: pending`, refits the best trial and records its test score (`done`) or why it failed
   * (`failed`). Never throws (failures are recorded and logged).
   */
  scoreWinner(sweepId: string): Promise<void>;
  /**
   * Before `sweep` completes: records `test: pending` when `scoreWinner` will score it, so no read
   * sees it completed without a test score on the way.
   */
  markPending(sweep: SweepRecord): Promise<void>;
  /**
   * The files of trial `trialId` (default: the sweep's best) refit on every row outside the test
   * split with the sweep's seed: the kept refit when there is one, else a new one (kept).
   * @throws HpoError NOT_FOUND (sweep, trial), CONFLICT (no best trial yet, a trial that did not
   *   complete), INVALID_DATASET when the coordinator cannot read the data, TRAINING_FAILED.
   */
  exportFiles(sweepId: string, trialId?: string): Promise<ExportFiles>;
  /** Finishes the test scores a stopped coordinator left pending. Never throws. */
  resumePending(): Promise<void>;
  /** Waits for refits in progress, then stops the thread. */
  close(): Promise<void>;
}

/** The seed every refit of a sweep trains with: from the sweep's seed, the same for any trial. */
export const refitSeedOf = (sweep: SweepRecord): number => mixSeed(sweep.spec.seed, "refit");

export function createRefitter(options: RefitterOptions): Refitter {
  const { store, logger } = options;
  const now = options.now ?? Date.now;
  const thread = createRequestThread<RefitRequest, RefitReply>({
    callerUrl: import.meta.url,
    name: "refit-thread",
    // loaded only when the thread cannot run: TensorFlow.js stays out of the main thread otherwise
    inline: async (req) => (await import("./refit-run.ts")).runRefit(req),
  });
  /** Refits in progress by `${sweepId}/${trialId}`: two callers of one refit share it. */
  const inFlight = new Map<string, Promise<StoredRefit | StoredProgramRefit>>();
  /** Refits run one after another (one tfjs engine in the thread). */
  let queue: Promise<unknown> = Promise.resolve();
  /** Ends program refit runs left behind if this process dies (started with the first one). */
  let reaper: ProcessReaper | undefined;
  const programHost = (host: ProgramRefitHost): ProgramRefitHost => {
    reaper ??= startProcessReaper(host.killGraceMs);
    return { ...host, groups: reaper };
  };

  const runThreaded = (req: RefitRequest): Promise<RefitReply> => {
    const next = queue.then(async () => {
      thread.start();
      await thread.whenReady();
      return thread.request(req);
    });
    queue = next.catch(() => {});
    return next;
  };

  const refitOf = (sweep: SweepRecord, trial: TrialRecord): Promise<StoredRefit | StoredProgramRefit> => {
    const key = `${sweep.id}/${trial.id}`;
    const running = inFlight.get(key);
    if (running) return running;
    const p = (async () => {
      const kept = await store.getRefit(sweep.id, trial.id);
      if (kept) return JSON.parse(kept) as StoredRefit | StoredProgramRefit;
      const job = { ...trialJobOf(sweep.id, sweep.spec, trial, "tfjs"), seed: refitSeedOf(sweep) };
      const t0 = now();
      if (job.program) {
        if (!options.programs)
          throw new HpoError("UNAVAILABLE", `export of ${trial.id}: this coordinator runs no programs`);
        // a child process, not tfjs: no need for the refit thread, but one refit at a time all the same
        const host = programHost(options.programs);
        const next = queue.then(() => refitProgram(job, host, logger));
        queue = next.catch(() => {});
        const refit = await next;
        await store.putRefit(sweep.id, trial.id, JSON.stringify(refit));
        logger.info(
          { sweepId: sweep.id, trialId: trial.id, files: Object.keys(refit.files).length, ms: now() - t0 },
          "refit: program run done",
        );
        return refit;
      }
      const reply = await runThreaded({
        job,
        dataDirs: options.dataDirs,
        modelDirs: options.modelDirs ?? [],
        backend: options.backend ?? "auto",
      });
      if ("error" in reply) throw new HpoError(reply.error.code, reply.error.message);
      await store.putRefit(sweep.id, trial.id, JSON.stringify(reply.refit));
      logger.info(
        {
          sweepId: sweep.id,
          trialId: trial.id,
          epochs: reply.refit.epochs,
          ms: now() - t0,
          test: reply.refit.test?.score,
        },
        "refit: done",
      );
      return reply.refit;
    })().finally(() => inFlight.delete(key));
    inFlight.set(key, p);
    return p;
  };

  const completedTrial = async (sweep: SweepRecord, trialId: string | undefined): Promise<TrialRecord> => {
    const id = trialId ?? sweep.best?.trialId;
    if (!id) throw new HpoError("CONFLICT", `export sweep "${sweep.id}": no trial has completed yet`);
    const trial = await store.getTrial(sweep.id, id);
    if (!trial) throw new HpoError("NOT_FOUND", `export sweep "${sweep.id}": trial "${id}" not found`);
    if (trial.state !== "completed")
      throw new HpoError(
        "CONFLICT",
        `export sweep "${sweep.id}": trial ${id} is ${trial.state}; only a completed trial can be exported`,
      );
    return trial;
  };

  const pendingOf = (sweep: SweepRecord) =>
    sweep.spec.cv.test_fraction && sweep.best
      ? ({ state: "pending", trialId: sweep.best.trialId, metric: sweep.spec.metric.name } as const)
      : undefined;

  const scoreWinner = async (sweepId: string): Promise<void> => {
    try {
      const sweep = await store.getSweep(sweepId);
      const pending = sweep && pendingOf(sweep);
      if (!sweep || !pending) return;
      const base = { trialId: pending.trialId, metric: pending.metric };
      if (sweep.status !== "completed") {
        // reopened (extended) meanwhile, or it never completed: scored when it completes
        if (sweep.test?.state === "pending")
          await store.setSweepTest(sweepId, {
            ...base,
            state: "failed",
            error: `the sweep is ${sweep.status}`,
            finishedAt: now(),
          });
        return;
      }
      await store.setSweepTest(sweepId, pending);
      try {
        const refit = await refitOf(sweep, await completedTrial(sweep, base.trialId));
        if ("kind" in refit || !refit.test) throw new HpoError("INTERNAL", "the refit has no test split");
        await store.setSweepTest(sweepId, {
          ...base,
          state: "done",
          score: refit.test.score,
          rows: refit.test.rows,
          metrics: refit.test.metrics,
          finishedAt: now(),
        });
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        logger.warn({ sweepId, trialId: base.trialId, err: error }, "refit: the winner's test score failed");
        await store.setSweepTest(sweepId, { ...base, state: "failed", error, finishedAt: now() });
      }
    } catch (err) {
      logger.error({ err, sweepId }, "refit: could not record the test score");
    }
  };

  return {
    scoreWinner,
    async markPending(sweep) {
      const pending = pendingOf(sweep);
      if (pending) await store.setSweepTest(sweep.id, pending);
    },
    async exportFiles(sweepId, trialId) {
      const sweep = await store.getSweep(sweepId);
      if (!sweep) throw new HpoError("NOT_FOUND", `export sweep "${sweepId}": no such sweep`);
      const trial = await completedTrial(sweep, trialId);
      const refit = await refitOf(sweep, trial);
      const card = modelCardOf(sweep, (await trialStatsView(store, sweep)).trial(trial), refit, now());
      if ("kind" in refit) return { files: refit.files, "model-card.json": card };
      return {
        "model.json": refit.modelJson,
        "weights.bin": refit.weights,
        "preprocessing.json": refit.preprocessing,
        "model-card.json": card,
      };
    },
    async resumePending() {
      try {
        for (const id of await store.pendingTestSweeps()) await scoreWinner(id);
      } catch (err) {
        logger.warn({ err }, "refit: could not resume pending test scores");
      }
    },
    async close() {
      await Promise.allSettled([...inFlight.values()]);
      await thread.close();
      reaper?.close();
    },
  };
}
