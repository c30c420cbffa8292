import { isFinalTrialState, type SweepRecord } from "@hpo/core";
import type { ApiClient } from "./api-client.ts";
import type { CliContext } from "./context.ts";
import { endEvent, progressEvent, trialEvent, type WatchEvent } from "./json-output.ts";
import { followSweep, type WatchOptions } from "./watch-sweep.ts";

/**
 * `watch --json`: follows a sweep as `watchSweep` does, printing one JSON object per line on
 * stdout for each event (schemas: docs/openapi.yaml CliWatchEvent):
 *   - `trial` for every trial seen in a final state, once each (those already final when
 *     watching starts come first);
 *   - `progress` when trials done/total/running/queued, the best trial or the status change;
 *   - `end` once, when the sweep is no longer running.
 * Trials are read again only when the number of finished trials changed. Resolves with the last
 * snapshot (no `end` when `signal` stopped watching first); throws as `followSweep`.
 */
export async function watchEvents(
  ctx: CliContext,
  client: ApiClient,
  id: string,
  options: WatchOptions = {},
): Promise<SweepRecord> {
  const emit = (event: WatchEvent) => ctx.out(JSON.stringify(event));
  const reported = new Set<string>();
  let finishedSeen = -1;
  let lastKey = "";
  const sweep = await followSweep(client, id, options, async (snapshot) => {
    const progress = progressEvent(snapshot, Date.now());
    if (progress.done !== finishedSeen) {
      const trials = await client.listAllTrials(id, { sort: "index" });
      const now = Date.now();
      for (const t of trials) {
        if (isFinalTrialState(t.state) && !reported.has(t.id)) {
          reported.add(t.id);
          emit(trialEvent(id, t, now));
        }
      }
      finishedSeen = progress.done;
    }
    const key = [
      progress.status,
      progress.done,
      progress.total,
      progress.running,
      progress.queued,
      progress.best?.trialId,
      progress.best?.mean,
    ].join("|");
    if (key !== lastKey) emit(progress);
    lastKey = key;
  });
  if (sweep.status !== "running") emit(endEvent(sweep, Date.now()));
  return sweep;
}
