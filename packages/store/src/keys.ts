/**
 * Redis key layout of the store. Every key starts with `${prefix}:` (the same prefix as the
 * BullMQ queue, whose keys are `${prefix}:trials:*`; ours never start with `trials:`).
 *
 * | key                                  | type   | content                                            |
 * | ------------------------------------ | ------ | -------------------------------------------------- |
 * | `P:sweeps`                           | ZSET   | sweep id → createdAt (list newest first)           |
 * | `P:sweeps:running`                   | SET    | ids of sweeps whose status is `running`            |
 * | `P:sweep:{sid}`                      | HASH   | spec (JSON), name, status, createdAt, finishedAt,  |
 * |                                      |        | reason, proposed, goal, best{Trial,Mean,Std},      |
 * |                                      |        | `c:{state}` = number of trials in that state,      |
 * |                                      |        | test (SweepTest JSON, the winner's test score)     |
 * | `P:sweeps:testing`                   | SET    | ids of sweeps whose test refit is pending          |
 * | `P:sweep:{sid}:refit:{tid}`          | STRING | a trial's refit model as JSON (coordinator refits) |
 * | `P:sweep:{sid}:trials`               | ZSET   | trial id → index (every trial)                     |
 * | `P:sweep:{sid}:state:{state}`        | ZSET   | trial id → index, one set per trial state          |
 * | `P:sweep:{sid}:scores`               | ZSET   | trial id → rank (−mean when maximizing, else mean);|
 * |                                      |        | completed trials with a K-fold mean only           |
 * | `P:sweep:{sid}:unscored`             | ZSET   | trial id → index, trials not in `scores`           |
 * | `P:sweep:{sid}:step:{epoch}`         | HASH   | trial id → K-fold mean at that epoch (pruners)     |
 * | `P:trial:{sid}:{tid}`                | HASH   | the TrialRecord fields; params/folds/flags as JSON;|
 * |                                      |        | lastEpoch (last curve entry written), run (token   |
 * |                                      |        | of the run that marked it running; stale runs'     |
 * |                                      |        | late writes are ignored)                           |
 * | `P:trial:{sid}:{tid}:curve`          | LIST   | EpochReport JSON, one per epoch, in order          |
 * | `P:trial:{sid}:{tid}:log`            | LIST   | TrialLogLine JSON, oldest first, capped (trial-log)|
 * | `P:worker:{name}`                    | HASH   | a worker's status for the fleet view (host,        |
 * |                                      |        | backend, busy, slots, samplesPerSec, updatedAt),   |
 * |                                      |        | expires unless refreshed (@hpo/metrics worker-status)|
 *
 * Scripts build some keys from the prefix (`state:*`, `step:*`). That is safe on Redis Cluster
 * only with a hash-tagged prefix such as `{hpo}`, which BullMQ needs there anyway.
 */
export interface Keys {
  readonly prefix: string;
  readonly sweeps: string;
  readonly running: string;
  sweep(sweepId: string): string;
  trials(sweepId: string): string;
  state(sweepId: string, state: string): string;
  scores(sweepId: string): string;
  unscored(sweepId: string): string;
  step(sweepId: string, epoch: number): string;
  trial(sweepId: string, trialId: string): string;
  curve(sweepId: string, trialId: string): string;
  trialLog(sweepId: string, trialId: string): string;
  workerStatus(workerName: string): string;
  testing: string;
  refit(sweepId: string, trialId: string): string;
}

export function keysFor(prefix: string): Keys {
  const p = `${prefix}:`;
  return {
    prefix,
    sweeps: `${p}sweeps`,
    running: `${p}sweeps:running`,
    sweep: (s) => `${p}sweep:${s}`,
    trials: (s) => `${p}sweep:${s}:trials`,
    state: (s, state) => `${p}sweep:${s}:state:${state}`,
    scores: (s) => `${p}sweep:${s}:scores`,
    unscored: (s) => `${p}sweep:${s}:unscored`,
    step: (s, epoch) => `${p}sweep:${s}:step:${epoch}`,
    trial: (s, t) => `${p}trial:${s}:${t}`,
    curve: (s, t) => `${p}trial:${s}:${t}:curve`,
    trialLog: (s, t) => `${p}trial:${s}:${t}:log`,
    workerStatus: (name) => `${p}worker:${name}`,
    testing: `${p}sweeps:testing`,
    refit: (s, t) => `${p}sweep:${s}:refit:${t}`,
  };
}

/** Stable trial id of a 0-based index: `t` + at least 4 digits, e.g. 7 → "t0007". */
export function trialIdOf(index: number): string {
  return `t${String(index).padStart(4, "0")}`;
}
