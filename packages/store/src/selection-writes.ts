import { aggregate, type FoldResult } from "@hpo/core";
import { SCRIPTS } from "./lua-scripts.ts";
import { checkScriptResult, SCRIPT_RESULT } from "./script-results.ts";
import type { StoreContext } from "./store-context.ts";
import type { Store } from "./store-types.ts";
import { finishedChannel } from "./trial-writes.ts";

type SelectionWrites = Pick<Store, "startSelection" | "finishSelection">;

/** The final selection phase's writes (SweepSpec.select): which trials, and each one's result. */
export function selectionWrites(ctx: StoreContext): SelectionWrites {
  const { keys, keyPrefix, guard, evalScript, readTrials, redis } = ctx;
  const finished = finishedChannel(ctx.prefix);
  const finishSelection: Store["finishSelection"] = (sweepId, trialId, result) =>
    guard(`record the selection result of trial "${sweepId}/${trialId}"`, async () => {
      let fields: string[];
      let mean = "";
      if ("error" in result) fields = ["selectionError", result.error];
      else {
        const [trial] = await readTrials(sweepId, [trialId]);
        if (!trial) return false;
        // the new folds go on from the trial's own (fold indices past its repeats): merged by index
        const byFold = new Map<number, FoldResult>(trial.folds.map((f) => [f.fold, f]));
        const overlap = result.folds.filter((f) => byFold.has(f.fold)).map((f) => f.fold);
        // a runner that ignored the job's repeatRange, or scores that cannot be averaged: keep
        // the trial's folds and say why
        const bad =
          result.folds.length === 0
            ? "no folds"
            : overlap.length > 0
              ? `folds the trial already has (${overlap.join(", ")})`
              : result.folds.some((f) => !Number.isFinite(f.score))
                ? "a non-finite fold score"
                : undefined;
        if (bad) return finishSelection(sweepId, trialId, { error: `the selection run returned ${bad}` });
        for (const f of result.folds) byFold.set(f.fold, f);
        const folds = [...byFold.values()].sort((a, b) => a.fold - b.fold);
        const agg = aggregate(folds.map((f) => f.score));
        mean = String(agg.mean);
        fields = [
          "folds",
          JSON.stringify(folds),
          "mean",
          mean,
          "std",
          String(agg.std),
          "sem",
          String(agg.sem),
          "selected",
          String(result.repeats),
        ];
      }
      const r = await evalScript(
        SCRIPTS.finishSelection,
        [keys.trial(sweepId, trialId), keys.sweep(sweepId)],
        [keyPrefix, sweepId, trialId, JSON.stringify(fields), mean, finished],
      );
      checkScriptResult(r, {
        operation: `record the selection of trial "${sweepId}/${trialId}"`,
        subject: "the trial",
      });
      return r === SCRIPT_RESULT.DONE;
    });
  return {
    startSelection: (sweepId, trialIds) =>
      guard(`start the selection phase of sweep "${sweepId}"`, async () => {
        await redis.hsetnx(keys.sweep(sweepId), "selection", JSON.stringify(trialIds));
        return JSON.parse((await redis.hget(keys.sweep(sweepId), "selection")) ?? "[]") as string[];
      }),

    finishSelection,
  };
}
