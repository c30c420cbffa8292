/** Trials resource: one trial with its per-epoch curve, and leaderboard pages. */
import type { EpochReport, TrialRecord } from "@hpo/core";
import { query, request } from "./client.ts";
import { toTrialDetail, toTrialRow } from "./convert.ts";
import type { LeaderboardPage, LeaderboardQuery, TrialDetail } from "./types.ts";

export async function getTrial(sweepId: string, trialId: string): Promise<TrialDetail> {
  const w = await request<TrialRecord & { curve?: EpochReport[] }>(
    `/api/sweeps/${encodeURIComponent(sweepId)}/trials/${encodeURIComponent(trialId)}`,
  );
  return toTrialDetail(w);
}

interface LeaderboardWire {
  readonly items: readonly TrialRecord[];
  readonly total: number;
  readonly offset: number;
  readonly unfiltered: number;
  readonly loading?: { readonly loaded: number; readonly of: number };
}

/** A page of the leaderboard, sorted and filtered on the server. */
export async function getLeaderboard(
  sweepId: string,
  q: LeaderboardQuery,
  offset: number,
  limit: number,
  signal?: AbortSignal,
): Promise<LeaderboardPage> {
  const w = await request<LeaderboardWire>(
    `/api/dashboard/sweeps/${encodeURIComponent(sweepId)}/leaderboard${query({
      offset,
      limit,
      sort: q.sort,
      dir: q.dir,
      state: q.states.join(","),
      flag: q.flag,
      filter: q.filter,
    })}`,
    { signal },
  );
  return {
    items: w.items.map(toTrialRow),
    total: w.total,
    offset: w.offset,
    unfiltered: w.unfiltered,
    ...(w.loading && { loading: w.loading }),
  };
}
