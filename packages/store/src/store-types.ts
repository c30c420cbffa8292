import type {
  EpochReport,
  FoldResult,
  Page,
  Params,
  SweepRecord,
  SweepSpec,
  SweepStatus,
  SweepTest,
  TrialLogLine,
  TrialOutcome,
  TrialRecord,
  TrialState,
} from "@hpo/core";
import type { Redis } from "ioredis";
import type { ReopenOptions } from "./reopen.ts";
import type { ReportStepOptions, StepReport } from "./rungs.ts";

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

/** What a worker writes together with a trial's outcome (see Store.finishTrial). */
export interface FinishExtras {
  readonly epochs?: readonly EpochReport[];
  readonly log?: readonly TrialLogLine[];
}

export interface StoreOptions {
  /** Redis URL; used when `redis` is not given. Default "redis://127.0.0.1:6379". */
  readonly url?: string;
  /** An existing connection; the store never closes a connection it did not open. */
  readonly redis?: Redis;
  /** Key prefix (the same as the BullMQ queue prefix), e.g. "hpo". */
  readonly prefix: string;
  /** Clock for timestamps (ms). Default Date.now. */
  readonly now?: () => number;
  /**
   * Make `finishTrial` wait (Redis `WAIT`) until `replicas` replicas have the trial's result, at
   * most `timeoutMs`, before it resolves; default off. Replication is asynchronous: without it a
   * result the primary acknowledged can be lost in a failover (its trial is then run again, see
   * docs/operations.md). After the timeout it resolves anyway (the result is on the primary).
   * Never set it without replicas: every trial would wait `timeoutMs`.
   */
  readonly waitReplicas?: { readonly replicas: number; readonly timeoutMs: number };
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
   * Creates trials `index` (ids `trialIdOf(index)`) in state queued, or returns the existing ones
   * unchanged: proposing the same index twice never makes a duplicate. One script call for all
   * (what a scheduler top-up does). Returns the records in the order given. Throws NOT_FOUND when
   * the sweep does not exist, RangeError for an index that is not an integer ≥ 0.
   */
  proposeTrials(
    sweepId: string,
    trials: readonly { readonly index: number; readonly params: Params }[],
  ): Promise<TrialRecord[]>;
  /**
   * Marks a trial running on `worker` (attempt is 1-based), clearing the curve of an earlier
   * attempt. `run` names this run (a worker passes its BullMQ job token): `appendEpochs` and
   * `finishTrial` given another `run` are then ignored, so a worker that lost its lock (cut off,
   * stalled) cannot write into the run that replaced it. Returns false when the trial is already final: the caller must not train it.
   * Throws NOT_FOUND for an unknown trial.
   */
  markRunning(sweepId: string, trialId: string, worker: string, attempt: number, run?: string): Promise<boolean>;
  /**
   * Appends epochs (in order) to the trial's curve in one atomic call and records their K-fold
   * means for pruners: what a worker that buffers epochs writes. Epochs at or before the last one
   * written are skipped. Returns how many were appended (0 when the trial is missing or not
   * running, or `run` is stale).
   */
  appendEpochs(sweepId: string, trialId: string, reports: readonly EpochReport[], run?: string): Promise<number>;
  /**
   * Writes a trial's final outcome atomically: state, folds, K-fold aggregate (mean/std/sem of
   * fold scores), flags, duration; moves the per-state counts; updates the sweep's best trial
   * when the trial completed; broadcasts the sweep id on `${prefix}:finished` (see
   * `subscribeFinished`). In the same script (a worker's last writes cost no extra round trip):
   * `extras.epochs`, the trial's last epochs not written yet, are appended first as
   * `appendEpochs` would, and `extras.log` lines are appended to the trial's log as
   * `appendTrialLog` would (those even when the outcome itself is ignored).
   * A trial already final, or a stale `run`, is not changed again (returns false).
   */
  finishTrial(
    sweepId: string,
    trialId: string,
    outcome: TrialOutcome,
    run?: string,
    extras?: FinishExtras,
  ): Promise<boolean>;
  /**
   * Starts the final selection phase of a sweep (SweepSpec.select) with `trialIds`, the trials to
   * re-evaluate, unless it has started already; returns the trials of the phase as stored (so a
   * restarted coordinator carries on with the same ones). `SweepRecord.selection` shows them.
   */
  startSelection(sweepId: string, trialIds: readonly string[]): Promise<readonly string[]>;
  /**
   * Records the selection phase's result for a completed trial, once: `folds` (the repeats it
   * trained, fold indices past its own) join its folds, its mean/std/sem are recomputed,
   * `selected` = `repeats`, and the sweep's best is re-read from the leaderboard; or, with
   * `error`, `selectionError` is set and the folds stay. Broadcasts on `${prefix}:finished` like
   * finishTrial. Returns false when the trial is not completed or already has a result.
   */
  finishSelection(
    sweepId: string,
    trialId: string,
    result: { readonly folds: readonly FoldResult[]; readonly repeats: number } | { readonly error: string },
  ): Promise<boolean>;
  /** The trial with its per-epoch curve; undefined when missing. */
  getTrial(sweepId: string, trialId: string): Promise<TrialWithCurve | undefined>;
  /** A page of trials; reads only the page (a ZSET range), whatever the number of trials. */
  listTrials(sweepId: string, options?: ListTrialsOptions): Promise<Page<TrialRecord>>;
  /** Ids of trials currently in `state`, by index (at most `limit`, default 10 000). */
  trialIdsInState(sweepId: string, state: TrialState, limit?: number): Promise<string[]>;
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
  /**
   * Appends lines to the trial's log (capped at TRIAL_LOG_MAX_LINES, oldest dropped first) in one
   * round trip; see trial-log.ts.
   */
  appendTrialLog(sweepId: string, trialId: string, lines: readonly TrialLogLine[]): Promise<void>;
  /** The trial's log, oldest line first (empty when nothing was logged). */
  getTrialLog(sweepId: string, trialId: string): Promise<TrialLogLine[]>;
  /**
   * The status hash each named worker publishes (host, backend, busy, slots, samplesPerSec,
   * updatedAt, all strings; see keys.ts), in the order of `names`; {} for a worker without one
   * (not publishing, or its hash expired or could not be read). One pipelined round trip.
   */
  getWorkerStatuses(names: readonly string[]): Promise<Readonly<Record<string, string>>[]>;
  /** Broadcasts a cancel of `sweepId` on `${prefix}:cancel`. */
  /**
   * Records the winner's test score (`SweepRecord.test`); a `pending` one also enters the set
   * `pendingTestSweeps` reads, so a restarted coordinator finishes it.
   */
  setSweepTest(sweepId: string, test: SweepTest): Promise<void>;
  /** Sweeps whose test refit was started and not finished. */
  pendingTestSweeps(): Promise<string[]>;
  /** Keeps a trial's refit model (opaque JSON written by the coordinator's refits). */
  putRefit(sweepId: string, trialId: string, json: string): Promise<void>;
  /** A refit model kept by `putRefit`, or undefined. */
  getRefit(sweepId: string, trialId: string): Promise<string | undefined>;
  publishCancel(sweepId: string): Promise<void>;
  /**
   * Calls `onCancel(sweepId)` for every cancel broadcast, on a dedicated connection that the
   * store owns. Resolves once subscribed, to a function that unsubscribes and closes it.
   */
  subscribeCancel(onCancel: (sweepId: string) => void): Promise<() => Promise<void>>;
  /**
   * Calls `onFinished(sweepId)` each time a trial of that sweep reaches a final state through
   * `finishTrial` (the scheduler's refill signal: it arrives before the job completes in BullMQ).
   * Same connection rules as `subscribeCancel`.
   */
  subscribeFinished(onFinished: (sweepId: string) => void): Promise<() => Promise<void>>;
  /** Closes the connection if the store opened it (and any subscriber it made). */
  close(): Promise<void>;
}
