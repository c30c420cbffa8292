import {
  aggregate,
  type EpochReport,
  type Params,
  type TrialLogLine,
  type TrialOutcome,
  type TrialRecord,
} from "@hpo/core";
import { trialIdOf } from "./keys.ts";
import { SCRIPTS } from "./lua-scripts.ts";
import { decodeStepReport } from "./rungs.ts";
import { checkScriptResult, SCRIPT_RESULT } from "./script-results.ts";
import { finite, type StoreContext } from "./store-context.ts";
import type { Store } from "./store-types.ts";
import { encodeTrialLogLine, TRIAL_LOG_MAX_LINES } from "./trial-log.ts";

type TrialWrites = Pick<Store, "proposeTrials" | "markRunning" | "appendEpochs" | "finishTrial" | "reportStep">;

/** The epochs argument of the scripts, JSON: [[epoch, value ('' when none), report JSON], ...]. */
function epochsArg(reports: readonly EpochReport[]): string {
  const rows: [number, string, string][] = [];
  for (const r of reports) rows.push([r.epoch, finite(r.value), JSON.stringify(r)]);
  return JSON.stringify(rows);
}

/**
 * ARGV of lua/finishTrial-4.lua, built with plain pushes: this runs once per trial on every
 * worker, and small loops are cheaper to run and to optimise than spreads of mapped arrays.
 */
function finishArgs(
  keyPrefix: string,
  sweepId: string,
  trialId: string,
  outcome: TrialOutcome,
  run: string,
  channel: string,
  finishedAt: number,
  extras: { readonly epochs?: readonly EpochReport[]; readonly log?: readonly TrialLogLine[] },
): (string | number)[] {
  let agg: ReturnType<typeof aggregate> | undefined;
  if (outcome.folds.length > 0) {
    const scores: number[] = [];
    for (const f of outcome.folds) scores.push(f.score);
    try {
      agg = aggregate(scores);
    } catch {
      agg = undefined; // a non-finite fold score: no aggregate, the trial stays off the leaderboard
    }
  }
  const epochs = extras.epochs ?? [];
  const log = extras.log ?? [];
  const fields: string[] = [
    "folds",
    JSON.stringify(outcome.folds),
    "flags",
    JSON.stringify(outcome.flags),
    "finishedAt",
    String(finishedAt),
  ];
  if (agg) fields.push("mean", String(agg.mean), "std", String(agg.std), "sem", String(agg.sem));
  if (outcome.error) fields.push("error", outcome.error);
  if (outcome.errorCode) fields.push("errorCode", outcome.errorCode);
  if (outcome.prunedAt !== undefined) fields.push("prunedAt", String(outcome.prunedAt));
  const lines: string[] = [];
  for (const line of log) lines.push(encodeTrialLogLine(line));
  return [
    keyPrefix,
    sweepId,
    trialId,
    outcome.state,
    finite(agg?.mean),
    finite(agg?.std),
    run,
    channel,
    TRIAL_LOG_MAX_LINES,
    JSON.stringify(fields),
    epochsArg(epochs),
    JSON.stringify(lines),
  ];
}

/** Name of the channel `finishTrial` broadcasts on (see Store.subscribeFinished). */
export const finishedChannel = (prefix: string) => `${prefix}:finished`;

/** The trial transitions of the store, one Lua script each (lua/, loaded by lua-scripts.ts). */
export function trialWrites(ctx: StoreContext): TrialWrites {
  const { keys, keyPrefix, now, guard, evalScript, readTrials, redis, waitReplicas } = ctx;
  const finished = finishedChannel(ctx.prefix);

  /** Creates the trials that do not exist yet; true per trial when it was created. */
  const propose = async (sweepId: string, rows: readonly { index: number; id: string; json: string }[]) => {
    const createdAt = now();
    const res = await evalScript(
      SCRIPTS.proposeTrials,
      [keys.sweep(sweepId)],
      [keyPrefix, sweepId, createdAt, JSON.stringify(rows.map((r) => [r.id, r.index, r.json]))],
    );
    checkScriptResult(res, { operation: `propose trials of sweep "${sweepId}"`, subject: `sweep "${sweepId}"` });
    return { created: (res as number[]).map((v) => v === 1), createdAt };
  };

  const rowsOf = (trials: readonly { readonly index: number; readonly params: Params }[], what: string) =>
    trials.map(({ index, params }) => {
      if (!Number.isInteger(index) || index < 0) throw new RangeError(`${what}: bad index ${index}`);
      return { index, id: trialIdOf(index), json: JSON.stringify(params) };
    });

  return {
    proposeTrials: (sweepId, trials) =>
      guard(`propose ${trials.length} trials of sweep "${sweepId}"`, async () => {
        if (trials.length === 0) return [];
        const rows = rowsOf(trials, "proposeTrials");
        // one script call for the whole top-up, however many trials it adds
        const { created, createdAt } = await propose(sweepId, rows);
        // new trials are exactly what the script wrote; only pre-existing ones are read back
        const existing = await readTrials(
          sweepId,
          rows.filter((_, i) => !created[i]).map((r) => r.id),
        );
        const byId = new Map(existing.map((t) => [t.id, t]));
        return rows.map((r, i): TrialRecord => {
          if (!created[i]) return byId.get(r.id) as TrialRecord;
          const params = trials[i]?.params as Params;
          return { sweepId, id: r.id, index: r.index, params, state: "queued", folds: [], createdAt, flags: [] };
        });
      }),

    markRunning: (sweepId, trialId, worker, attempt, run) =>
      guard(`mark trial "${sweepId}/${trialId}" running`, async () => {
        const r = await evalScript(
          SCRIPTS.markRunning,
          [keys.trial(sweepId, trialId), keys.curve(sweepId, trialId)],
          [keyPrefix, sweepId, trialId, worker, attempt, now(), run ?? ""],
        );
        checkScriptResult(r, { operation: `mark trial "${sweepId}/${trialId}" running`, subject: "the trial" });
        return r === SCRIPT_RESULT.DONE;
      }),

    appendEpochs: (sweepId, trialId, reports, run) =>
      guard(`append ${reports.length} epochs of trial "${sweepId}/${trialId}"`, async () => {
        if (reports.length === 0) return 0;
        const trialKeys = [keys.trial(sweepId, trialId), keys.curve(sweepId, trialId)];
        const r = (await evalScript(SCRIPTS.appendEpochs, trialKeys, [
          keyPrefix,
          sweepId,
          trialId,
          run ?? "",
          epochsArg(reports),
        ])) as number;
        return Math.max(0, r); // a missing trial appended nothing
      }),

    finishTrial: (sweepId, trialId, outcome, run, extras = {}) =>
      guard(`finish trial "${sweepId}/${trialId}"`, async () => {
        const r = await evalScript(
          SCRIPTS.finishTrial,
          [
            keys.trial(sweepId, trialId),
            keys.sweep(sweepId),
            keys.curve(sweepId, trialId),
            keys.trialLog(sweepId, trialId),
          ],
          finishArgs(keyPrefix, sweepId, trialId, outcome, run ?? "", finished, now(), extras),
        );
        checkScriptResult(r, { operation: `finish trial "${sweepId}/${trialId}"`, subject: "the trial" });
        // WAIT covers every earlier write of this connection, the script's included.
        if (r === SCRIPT_RESULT.DONE && waitReplicas) await redis.wait(waitReplicas.replicas, waitReplicas.timeoutMs);
        return r === SCRIPT_RESULT.DONE;
      }),

    reportStep: (sweepId, trialId, epoch, value, opts = {}) =>
      guard(`report epoch ${epoch} of trial "${sweepId}/${trialId}"`, async () =>
        decodeStepReport(
          await evalScript(
            SCRIPTS.reportStep,
            [keys.trial(sweepId, trialId), keys.step(sweepId, epoch), keys.sweep(sweepId)],
            [
              trialId,
              finite(value),
              opts.run ?? "",
              epoch,
              `${keyPrefix}sweep:${sweepId}:step:`,
              opts.history ? "1" : "0",
            ],
          ),
        ),
      ),
  };
}
