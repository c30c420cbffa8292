/**
 * A `TrialScan` over the `Store` API, for a dashboard created without its own Redis URL: the
 * same rows, read through `listTrials`/`getTrial` (slower: full records, curves for re-reads).
 */
import type { TrialRecord } from "@hpo/core";
import type { Store, TrialScan, TrialScanRow } from "@hpo/store";

const toRow = (t: TrialRecord): TrialScanRow => {
  const foldScores: (number | undefined)[] = [];
  for (const f of t.folds) foldScores[f.fold] = f.score;
  return { ...t, foldScores };
};

export function storeScan(store: Store): TrialScan {
  return {
    async range(sweepId, offset, count) {
      const out: TrialScanRow[] = [];
      for (let o = offset; o < offset + count; o += 1000) {
        const page = await store.listTrials(sweepId, {
          sort: "index",
          offset: o,
          limit: Math.min(1000, offset + count - o),
        });
        out.push(...page.items.map(toRow));
        if (page.items.length < 1000) break;
      }
      return out;
    },
    async byIds(sweepId, ids) {
      const got = await Promise.all(ids.map((id) => store.getTrial(sweepId, id)));
      return got.flatMap((t) => (t ? [toRow(t)] : []));
    },
    idsInState: (sweepId, state) => store.trialIdsInState(sweepId, state, 1_000_000),
  };
}
