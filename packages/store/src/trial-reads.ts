import type { EpochReport } from "@hpo/core";
import { decodeTrial } from "./codec.ts";
import { SCRIPTS } from "./lua-scripts.ts";
import type { StoreContext } from "./store-context.ts";
import type { Store } from "./store-types.ts";
import { clampPage } from "./sweep-ops.ts";

type TrialReads = Pick<Store, "getTrial" | "listTrials" | "trialIdsInState">;

/** Reads of trials: one trial with its curve, pages of trials, ids by state. */
export function trialReads(ctx: StoreContext): TrialReads {
  const { redis, keys, keyPrefix, guard, evalScript, readTrials } = ctx;

  return {
    getTrial: (sweepId, trialId) =>
      guard(`get trial "${sweepId}/${trialId}"`, async () => {
        const [trial] = await readTrials(sweepId, [trialId]);
        if (!trial) return undefined;
        const curve = (await redis.lrange(keys.curve(sweepId, trialId), 0, -1)).map(
          (s) => JSON.parse(s) as EpochReport,
        );
        return { ...trial, curve };
      }),

    listTrials: (sweepId, opts = {}) =>
      guard(`list trials of sweep "${sweepId}"`, async () => {
        const page = clampPage(opts.offset, opts.limit);
        const sort = opts.sort ?? "score";
        // ids and hashes of the page in one script: one round trip whatever the page or offset
        let sets: [string, string];
        let mode: "one" | "concat" | "state";
        if (opts.state) {
          const stateKey = keys.state(sweepId, opts.state);
          sets = [opts.state === "completed" && sort === "score" ? keys.scores(sweepId) : stateKey, stateKey];
          mode = "state";
        } else if (sort === "index") {
          sets = [keys.trials(sweepId), keys.trials(sweepId)];
          mode = "one";
        } else {
          sets = [keys.scores(sweepId), keys.unscored(sweepId)];
          mode = "concat";
        }
        const [total, ...hashes] = (await evalScript(SCRIPTS.listTrials, sets, [
          mode,
          page.offset,
          page.limit,
          `${keyPrefix}trial:${sweepId}:`,
        ])) as [number, ...string[][]];
        const items = hashes.flatMap((flat) => {
          const h: Record<string, string> = {};
          for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i] as string] = flat[i + 1] as string;
          const rec = decodeTrial(h);
          return rec ? [rec] : [];
        });
        return { items, total, ...page };
      }),

    trialIdsInState: (sweepId, state, limit = 10_000) =>
      guard(`list ${state} trials of sweep "${sweepId}"`, async () =>
        limit <= 0 ? [] : redis.zrange(keys.state(sweepId, state), 0, limit - 1),
      ),
  };
}
