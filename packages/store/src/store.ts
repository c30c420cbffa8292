import { createHash } from "node:crypto";
import {
  aggregate,
  type EpochReport,
  HpoError,
  type Page,
  type Params,
  type SweepRecord,
  type SweepSpec,
  type SweepStatus,
  type TrialOutcome,
  type TrialRecord,
  type TrialState,
} from "@hpo/core";
import { Redis } from "ioredis";
import { decodeSweep, decodeTrial } from "./codec.ts";
import { keysFor, trialIdOf } from "./keys.ts";
import { REOPEN_SWEEP, type ReopenOptions, reopenedSpec } from "./reopen.ts";
import { decodeStepReport, REPORT_STEP, type ReportStepOptions, type StepReport } from "./rungs.ts";
import {
  APPEND_EPOCH,
  APPEND_EPOCHS,
  FINISH_TRIAL,
  LIST_TRIALS,
  MARK_RUNNING,
  PROPOSE_TRIAL,
  SET_SWEEP_STATUS,
} from "./scripts.ts";
import { newSweepId } from "./sweep-id.ts";

/** How `listTrials` orders its page. */
export type TrialSort = "score" | "index";

export interface ListTrialsOptions {
  /** Default 0. */
  readonly offset?: number;
  /** Default 50, at most 1000. */
  readonly limit?: number;
  /**
   * "score" (default): completed trials best first under the sweep's goal (ties: lower index
   * first), then every other trial by index. "index": proposal order.
   * With `state`, only trials in that state, by index (by score when state is "completed").
   */
  readonly sort?: TrialSort;
  readonly state?: TrialState;
}

export type TrialWithCurve = TrialRecord & { readonly curve: readonly EpochReport[] };

export interface StoreOptions {
  /** Redis URL; used when `redis` is not given. Default "redis://127.0.0.1:6379". */
  readonly url?: string;
  /** An existing connection; the store never closes a connection it did not open. */
  readonly redis?: Redis;
  /** Key prefix (the same as the BullMQ queue prefix), e.g. "hpo". */
  readonly prefix: string;
  /** Clock for timestamps (ms). Default Date.now. */
  readonly now?: () => number;
}

/**
 * Redis persistence of sweeps, trials and their per-epoch curves: the source of truth of hpo.
 * Every write is idempotent, so BullMQ's at-least-once delivery and restarts are harmless.
 * Methods throw HpoError("UNAVAILABLE") when Redis cannot be reached.
 */
export interface Store {
  readonly prefix: string;
  /** True when Redis answers PING within 1 s. Never throws. */
  ping(): Promise<boolean>;
  /** Stores a validated spec as a new running sweep with no trials. */
  createSweep(spec: SweepSpec): Promise<SweepRecord>;
  /** undefined when there is no such sweep. */
  getSweep(sweepId: string): Promise<SweepRecord | undefined>;
  /** Status of a sweep with one HGET (hot path of workers); undefined when missing. */
  getSweepStatus(sweepId: string): Promise<SweepStatus | undefined>;
  /** Newest first. */
  listSweeps(offset?: number, limit?: number): Promise<Page<SweepRecord>>;
  /** Ids of sweeps whose status is running (what the scheduler has to look after). */
  runningSweepIds(): Promise<string[]>;
  /**
   * Moves a running sweep to `status` (finishedAt set for final statuses). Returns false when
   * the sweep is already final (nothing changes). Throws NOT_FOUND for an unknown sweep.
   */
  setSweepStatus(sweepId: string, status: SweepStatus, reason?: string): Promise<boolean>;
  /**
   * Creates trial `index` (id `trialIdOf(index)`) in state queued, or returns the existing one
   * unchanged: proposing the same index twice never makes a duplicate. Throws NOT_FOUND when
   * the sweep does not exist.
   */
  proposeTrial(sweepId: string, index: number, params: Params): Promise<TrialRecord>;
  /**
   * `proposeTrial` for many trials in one pipelined round trip (what a scheduler top-up does).
   * Returns the records in the order given. Throws NOT_FOUND when the sweep does not exist.
   */
  proposeTrials(
    sweepId: string,
    trials: readonly { readonly index: number; readonly params: Params }[],
  ): Promise<TrialRecord[]>;
  /**
   * Marks a trial running on `worker` (attempt is 1-based), clearing the curve of an earlier
   * attempt. `run` names this run (a worker passes its BullMQ job token): `appendEpoch` and
   * `finishTrial` given another `run` are then ignored, so a worker that lost its lock (cut off,
   * stalled) cannot write into the run that replaced it. Returns false when the trial is already final: the caller must not train it.
   * Throws NOT_FOUND for an unknown trial.
   */
  markRunning(sweepId: string, trialId: string, worker: string, attempt: number, run?: string): Promise<boolean>;
  /**
   * Appends one epoch to the trial's curve and records its K-fold mean for pruners. Duplicate
   * or stale epochs and trials that are not running are ignored (returns false).
   */
  appendEpoch(sweepId: string, trialId: string, report: EpochReport, run?: string): Promise<boolean>;
  /**
   * `appendEpoch` for several epochs (in order) in one atomic call: what a worker that buffers
   * epochs writes. Returns how many were appended (0 when the trial is not running or `run` is stale).
   */
  appendEpochs(sweepId: string, trialId: string, reports: readonly EpochReport[], run?: string): Promise<number>;
  /**
   * Writes a trial's final outcome atomically: state, folds, K-fold aggregate (mean/std/sem of
   * fold scores), flags, duration; moves the per-state counts; updates the sweep's best trial
   * when the trial completed. A trial already final is not changed again (returns false).
   */
  finishTrial(sweepId: string, trialId: string, outcome: TrialOutcome, run?: string): Promise<boolean>;
  /** The trial with its per-epoch curve; undefined when missing. */
  getTrial(sweepId: string, trialId: string): Promise<TrialWithCurve | undefined>;
  /** A page of trials; reads only the page (a ZSET range), whatever the number of trials. */
  listTrials(sweepId: string, options?: ListTrialsOptions): Promise<Page<TrialRecord>>;
  /** Ids of trials currently in `state`, by index (at most `limit`, default 10 000). */
  trialIdsInState(sweepId: string, state: TrialState, limit?: number): Promise<string[]>;
  /** K-fold means of every trial of the sweep that reported `epoch` (pruner input). */
  stepValues(sweepId: string, epoch: number): Promise<Map<string, number>>;
  /**
   * Records a running trial's K-fold mean at `epoch` and returns the epoch's values in the same
   * atomic call (pruner input; see rungs.ts). A stale `run` or a trial not running records nothing.
   */
  reportStep(
    sweepId: string,
    trialId: string,
    epoch: number,
    value: number,
    options?: ReportStepOptions,
  ): Promise<StepReport>;
  /**
   * Resumes a cancelled sweep: status running again, its cancelled trials back to queued (same
   * index and params; partial results dropped); the time it was stopped is added to
   * budget.max_seconds. Returns the sweep and how many trials were re-queued (see reopen.ts).
   * @throws HpoError NOT_FOUND for an unknown sweep, CONFLICT when it is not cancelled.
   */
  resumeSweep(sweepId: string): Promise<{ sweep: SweepRecord; requeued: number }>;
  /**
   * Grows a sweep's budget (max_trials by `add.trials`, max_seconds by `add.seconds`). A completed
   * sweep runs again (the time it was stopped is not counted); a running one goes on; a
   * cancelled one keeps its status until resumed.
   * @throws HpoError NOT_FOUND for an unknown sweep, CONFLICT for a failed one, INVALID_SPEC when
   * max_trials would pass 100 000.
   */
  extendSweep(sweepId: string, add: ReopenOptions): Promise<SweepRecord>;
  /** Broadcasts a cancel of `sweepId` on `${prefix}:cancel`. */
  publishCancel(sweepId: string): Promise<void>;
  /**
   * Calls `onCancel(sweepId)` for every cancel broadcast, on a dedicated connection that the
   * store owns. Resolves once subscribed, to a function that unsubscribes and closes it.
   */
  subscribeCancel(onCancel: (sweepId: string) => void): Promise<() => Promise<void>>;
  /** Closes the connection if the store opened it (and any subscriber it made). */
  close(): Promise<void>;
}

const finite = (v: number | undefined): string => (v !== undefined && Number.isFinite(v) ? String(v) : "");

export function createStore(options: StoreOptions): Store {
  const owned = !options.redis;
  // auto-pipelining: concurrent callers (a worker with many jobs, a top-up) share round trips
  const redis =
    options.redis ??
    new Redis(options.url ?? "redis://127.0.0.1:6379", { lazyConnect: false, enableAutoPipelining: true });
  // without a listener ioredis prints "Unhandled error event" on every reconnect attempt while
  // Redis is down; commands still reject, and surface as UNAVAILABLE
  if (owned) redis.on("error", () => {});
  const k = keysFor(options.prefix);
  const p = `${options.prefix}:`;
  const now = options.now ?? Date.now;
  const cancelChannel = `${options.prefix}:cancel`;
  const subscribers = new Set<Redis>();
  const shas = new Map<string, string>();

  // Redis errors surface as UNAVAILABLE; HpoErrors pass through.
  const guard = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof HpoError) throw e;
      throw new HpoError("UNAVAILABLE", `store: ${operation} failed: ${(e as Error).message}`);
    }
  };

  // EVALSHA (the script body is sent only when Redis does not know it yet, e.g. after a restart)
  const shaOf = (script: string) => {
    let sha = shas.get(script);
    if (!sha) {
      sha = createHash("sha1").update(script).digest("hex");
      shas.set(script, sha);
    }
    return sha;
  };
  const isNoScript = (e: unknown) => e instanceof Error && e.message.startsWith("NOSCRIPT");
  const evalScript = async (script: string, keys: readonly string[], args: readonly (string | number)[]) => {
    try {
      return (await redis.evalsha(shaOf(script), keys.length, ...keys, ...args)) as number;
    } catch (e) {
      if (!isNoScript(e)) throw e;
      return (await redis.eval(script, keys.length, ...keys, ...args)) as number;
    }
  };

  // pipeline results carry per-command errors instead of rejecting
  const execPipe = async (pipe: ReturnType<Redis["pipeline"]>): Promise<Record<string, string>[]> => {
    const res = (await pipe.exec()) ?? [];
    return res.map(([err, value]) => {
      if (err) throw err;
      return (value ?? {}) as Record<string, string>;
    });
  };

  const readSweeps = async (ids: readonly string[]): Promise<SweepRecord[]> => {
    if (ids.length === 0) return [];
    const pipe = redis.pipeline();
    for (const id of ids) pipe.hgetall(k.sweep(id));
    const res = await execPipe(pipe);
    return ids.flatMap((id, i) => {
      const rec = decodeSweep(id, res[i] ?? {});
      return rec ? [rec] : [];
    });
  };

  const readTrials = async (sweepId: string, ids: readonly string[]): Promise<TrialRecord[]> => {
    if (ids.length === 0) return [];
    const pipe = redis.pipeline();
    for (const id of ids) pipe.hgetall(k.trial(sweepId, id));
    const res = await execPipe(pipe);
    return ids.flatMap((_, i) => {
      const rec = decodeTrial(res[i] ?? {});
      return rec ? [rec] : [];
    });
  };

  const clampPage = (offset = 0, limit = 50) => ({
    offset: Math.max(0, Math.floor(offset)),
    limit: Math.min(1000, Math.max(0, Math.floor(limit))),
  });

  const range = (key: string, start: number, count: number) =>
    count <= 0 ? Promise.resolve([] as string[]) : redis.zrange(key, start, start + count - 1);

  /** Compare-and-set of the spec plus the status move, retried while another writer wins. */
  const reopen = async (sweepId: string, mode: "resume" | "extend", add: ReopenOptions) => {
    for (let attempt = 0; ; attempt++) {
      const [sweep] = await readSweeps([sweepId]);
      if (!sweep) throw new HpoError("NOT_FOUND", `${mode} sweep "${sweepId}": no such sweep`);
      const reopening = mode === "resume" || sweep.status === "completed";
      const spec = reopenedSpec(sweep.spec, reopening ? sweep.finishedAt : undefined, now(), add);
      if (spec.budget.max_trials > 100_000) {
        throw new HpoError(
          "INVALID_SPEC",
          `extend sweep "${sweepId}": max_trials would be ${spec.budget.max_trials}, more than 100000`,
        );
      }
      const r = await evalScript(
        REOPEN_SWEEP,
        [k.sweep(sweepId), k.running],
        [p, sweepId, JSON.stringify(sweep.spec), JSON.stringify(spec), mode],
      );
      if (r === -1) throw new HpoError("NOT_FOUND", `${mode} sweep "${sweepId}": no such sweep`);
      if (r === -3) {
        const allowed =
          mode === "resume" ? "only a cancelled sweep can be resumed" : "a failed sweep cannot be extended";
        throw new HpoError("CONFLICT", `${mode} sweep "${sweepId}": the sweep is ${sweep.status}; ${allowed}`);
      }
      if (r === -2 && attempt < 20) continue;
      if (r === -2) throw new HpoError("CONFLICT", `${mode} sweep "${sweepId}": its spec keeps changing`);
      return { sweep: (await readSweeps([sweepId]))[0] as SweepRecord, requeued: r };
    }
  };

  return {
    prefix: options.prefix,

    async ping() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve("timeout"), 1000);
      });
      try {
        return (await Promise.race([redis.ping(), timeout])) === "PONG";
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },

    createSweep: (spec) =>
      guard("create sweep", async () => {
        const createdAt = now();
        for (;;) {
          const id = newSweepId(spec.name);
          const key = k.sweep(id);
          if ((await redis.hsetnx(key, "spec", JSON.stringify(spec))) === 0) continue; // id clash
          await redis
            .multi()
            .hset(key, { name: spec.name, status: "running", createdAt, proposed: 0, goal: spec.metric.goal })
            .zadd(k.sweeps, createdAt, id)
            .sadd(k.running, id)
            .exec();
          return (await readSweeps([id]))[0] as SweepRecord;
        }
      }),

    getSweep: (sweepId) => guard(`get sweep "${sweepId}"`, async () => (await readSweeps([sweepId]))[0]),

    getSweepStatus: (sweepId) =>
      guard(`get status of sweep "${sweepId}"`, async () => {
        const status = await redis.hget(k.sweep(sweepId), "status");
        return (status ?? undefined) as SweepStatus | undefined;
      }),

    listSweeps: (offset, limit) =>
      guard("list sweeps", async () => {
        const page = clampPage(offset, limit);
        const [ids, total] = await Promise.all([
          page.limit === 0 ? [] : redis.zrevrange(k.sweeps, page.offset, page.offset + page.limit - 1),
          redis.zcard(k.sweeps),
        ]);
        return { items: await readSweeps(ids), total, ...page };
      }),

    runningSweepIds: () => guard("list running sweeps", () => redis.smembers(k.running)),

    setSweepStatus: (sweepId, status, reason) =>
      guard(`set status of sweep "${sweepId}"`, async () => {
        const r = await evalScript(
          SET_SWEEP_STATUS,
          [k.sweep(sweepId), k.running],
          [sweepId, status, now(), reason ?? ""],
        );
        if (r === -1) throw new HpoError("NOT_FOUND", `sweep "${sweepId}" not found`);
        return r === 1;
      }),

    proposeTrial: (sweepId, index, params) =>
      guard(`propose trial ${index} of sweep "${sweepId}"`, async () => {
        if (!Number.isInteger(index) || index < 0) throw new RangeError(`proposeTrial: bad index ${index}`);
        const id = trialIdOf(index);
        const r = await evalScript(
          PROPOSE_TRIAL,
          [k.trial(sweepId, id), k.sweep(sweepId)],
          [p, sweepId, id, index, JSON.stringify(params), now()],
        );
        if (r === -1) throw new HpoError("NOT_FOUND", `sweep "${sweepId}" not found`);
        return (await readTrials(sweepId, [id]))[0] as TrialRecord;
      }),

    proposeTrials: (sweepId, trials) =>
      guard(`propose ${trials.length} trials of sweep "${sweepId}"`, async () => {
        if (trials.length === 0) return [];
        for (const { index } of trials) {
          if (!Number.isInteger(index) || index < 0) throw new RangeError(`proposeTrials: bad index ${index}`);
        }
        const createdAt = now();
        const rows = trials.map(({ index, params }) => ({ index, id: trialIdOf(index), json: JSON.stringify(params) }));
        const send = () => {
          const pipe = redis.pipeline();
          for (const r of rows) {
            pipe.evalsha(
              shaOf(PROPOSE_TRIAL),
              2,
              k.trial(sweepId, r.id),
              k.sweep(sweepId),
              p,
              sweepId,
              r.id,
              r.index,
              r.json,
              createdAt,
            );
          }
          return pipe.exec();
        };
        let res = (await send()) ?? [];
        if (res.some(([err]) => isNoScript(err))) {
          await redis.script("LOAD", PROPOSE_TRIAL);
          res = (await send()) ?? []; // idempotent: trials created by the first pass are kept
        }
        const created = res.map(([err, value]) => {
          if (err) throw err;
          if (value === -1) throw new HpoError("NOT_FOUND", `sweep "${sweepId}" not found`);
          return value === 1;
        });
        // new trials are exactly what the script wrote; only pre-existing ones are read back
        const existing = await readTrials(
          sweepId,
          rows.filter((_, i) => !created[i]).map((r) => r.id),
        );
        const byId = new Map(existing.map((t) => [t.id, t]));
        return rows.map((r, i): TrialRecord => {
          if (!created[i]) return byId.get(r.id) as TrialRecord;
          return {
            sweepId,
            id: r.id,
            index: r.index,
            params: JSON.parse(r.json) as Params,
            state: "queued",
            folds: [],
            createdAt,
            flags: [],
          };
        });
      }),

    markRunning: (sweepId, trialId, worker, attempt, run) =>
      guard(`mark trial "${sweepId}/${trialId}" running`, async () => {
        const r = await evalScript(
          MARK_RUNNING,
          [k.trial(sweepId, trialId), k.curve(sweepId, trialId)],
          [p, sweepId, trialId, worker, attempt, now(), run ?? ""],
        );
        if (r === -1) throw new HpoError("NOT_FOUND", `trial "${sweepId}/${trialId}" not found`);
        return r === 1;
      }),

    appendEpoch: (sweepId, trialId, report, run) =>
      guard(`append epoch ${report.epoch} of trial "${sweepId}/${trialId}"`, async () => {
        const r = await evalScript(
          APPEND_EPOCH,
          [k.trial(sweepId, trialId), k.curve(sweepId, trialId)],
          [p, sweepId, trialId, report.epoch, finite(report.value), JSON.stringify(report), run ?? ""],
        );
        return r === 1;
      }),

    appendEpochs: (sweepId, trialId, reports, run) =>
      guard(`append ${reports.length} epochs of trial "${sweepId}/${trialId}"`, async () => {
        if (reports.length === 0) return 0;
        const args = reports.flatMap((r) => [r.epoch, finite(r.value), JSON.stringify(r)]);
        const keys = [k.trial(sweepId, trialId), k.curve(sweepId, trialId)];
        const r = await evalScript(APPEND_EPOCHS, keys, [p, sweepId, trialId, run ?? "", ...args]);
        return Math.max(0, r);
      }),

    finishTrial: (sweepId, trialId, outcome, run) =>
      guard(`finish trial "${sweepId}/${trialId}"`, async () => {
        let agg: ReturnType<typeof aggregate> | undefined;
        try {
          agg = outcome.folds.length > 0 ? aggregate(outcome.folds.map((f) => f.score)) : undefined;
        } catch {
          agg = undefined; // a non-finite fold score: no aggregate, the trial stays off the leaderboard
        }
        const fields: Record<string, string> = {
          folds: JSON.stringify(outcome.folds),
          flags: JSON.stringify(outcome.flags),
          finishedAt: String(now()),
        };
        if (agg) Object.assign(fields, { mean: String(agg.mean), std: String(agg.std), sem: String(agg.sem) });
        if (outcome.error) fields.error = outcome.error;
        if (outcome.prunedAt !== undefined) fields.prunedAt = String(outcome.prunedAt);
        const r = await evalScript(
          FINISH_TRIAL,
          [k.trial(sweepId, trialId), k.sweep(sweepId)],
          [p, sweepId, trialId, outcome.state, JSON.stringify(fields), finite(agg?.mean), finite(agg?.std), run ?? ""],
        );
        if (r === -1) throw new HpoError("NOT_FOUND", `trial "${sweepId}/${trialId}" not found`);
        return r === 1;
      }),

    getTrial: (sweepId, trialId) =>
      guard(`get trial "${sweepId}/${trialId}"`, async () => {
        const [trial] = await readTrials(sweepId, [trialId]);
        if (!trial) return undefined;
        const curve = (await redis.lrange(k.curve(sweepId, trialId), 0, -1)).map((s) => JSON.parse(s) as EpochReport);
        return { ...trial, curve };
      }),

    listTrials: (sweepId, opts = {}) =>
      guard(`list trials of sweep "${sweepId}"`, async () => {
        const page = clampPage(opts.offset, opts.limit);
        const sort = opts.sort ?? "score";
        // ids and hashes of the page in one script: one round trip whatever the page or offset
        let keys: [string, string];
        let mode: "one" | "concat" | "state";
        if (opts.state) {
          const stateKey = k.state(sweepId, opts.state);
          keys = [opts.state === "completed" && sort === "score" ? k.scores(sweepId) : stateKey, stateKey];
          mode = "state";
        } else if (sort === "index") {
          keys = [k.trials(sweepId), k.trials(sweepId)];
          mode = "one";
        } else {
          keys = [k.scores(sweepId), k.unscored(sweepId)];
          mode = "concat";
        }
        const [total, ...hashes] = (await evalScript(LIST_TRIALS, keys, [
          mode,
          page.offset,
          page.limit,
          `${p}trial:${sweepId}:`,
        ])) as unknown as [number, ...string[][]];
        const items = hashes.flatMap((flat) => {
          const h: Record<string, string> = {};
          for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i] as string] = flat[i + 1] as string;
          const rec = decodeTrial(h);
          return rec ? [rec] : [];
        });
        return { items, total, ...page };
      }),

    trialIdsInState: (sweepId, state, limit = 10_000) =>
      guard(`list ${state} trials of sweep "${sweepId}"`, () => range(k.state(sweepId, state), 0, limit)),

    stepValues: (sweepId, epoch) =>
      guard(`read epoch ${epoch} values of sweep "${sweepId}"`, async () => {
        const h = await redis.hgetall(k.step(sweepId, epoch));
        return new Map(Object.entries(h).map(([id, v]) => [id, Number(v)]));
      }),

    reportStep: (sweepId, trialId, epoch, value, opts = {}) =>
      guard(`report epoch ${epoch} of trial "${sweepId}/${trialId}"`, async () =>
        decodeStepReport(
          await evalScript(
            REPORT_STEP,
            [k.trial(sweepId, trialId), k.step(sweepId, epoch), k.sweep(sweepId)],
            [trialId, finite(value), opts.run ?? "", epoch, `${p}sweep:${sweepId}:step:`, opts.history ? "1" : "0"],
          ),
        ),
      ),

    resumeSweep: (sweepId) => guard(`resume sweep "${sweepId}"`, () => reopen(sweepId, "resume", {})),

    extendSweep: (sweepId, add) =>
      guard(`extend sweep "${sweepId}"`, async () => (await reopen(sweepId, "extend", add)).sweep),

    publishCancel: (sweepId) =>
      guard(`publish cancel of sweep "${sweepId}"`, async () => {
        await redis.publish(cancelChannel, sweepId);
      }),

    subscribeCancel: (onCancel) =>
      guard("subscribe to cancels", async () => {
        const sub = redis.duplicate({ enableAutoPipelining: false });
        subscribers.add(sub);
        sub.on("message", (channel: string, message: string) => {
          if (channel === cancelChannel) onCancel(message);
        });
        sub.on("error", () => {}); // reconnects by itself; errors are not fatal for a subscriber
        await sub.subscribe(cancelChannel);
        return async () => {
          if (!subscribers.delete(sub)) return;
          await sub.quit().catch(() => sub.disconnect());
        };
      }),

    async close() {
      await Promise.all(
        [...subscribers].map((s) => {
          subscribers.delete(s);
          return s.quit().catch(() => s.disconnect());
        }),
      );
      if (owned) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
