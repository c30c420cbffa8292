/**
 * Bulk, read-only scan of a sweep's trials for analytics (the dashboard's leaderboard over
 * 100,000 trials): reads only the fields a leaderboard shows, with HMGET in pipelines, and
 * decodes the fold list to its scores. Writes always go through `Store`.
 */
import type { Params, TrialState } from "@hpo/core";
import type { Redis } from "ioredis";
import { keysFor } from "./keys.ts";

/** A trial as the leaderboard needs it. `foldScores[k]` is fold k's score (undefined when missing). */
export interface TrialScanRow {
  readonly id: string;
  readonly index: number;
  readonly state: TrialState;
  readonly params: Params;
  readonly foldScores: readonly (number | undefined)[];
  readonly mean?: number;
  readonly std?: number;
  readonly sem?: number;
  readonly flags: readonly string[];
  readonly prunedAt?: number;
  readonly durationMs?: number;
  readonly worker?: string;
}

export interface TrialScan {
  /** Trials by index order, ranks `offset` … `offset + count − 1` of the sweep's trial set. */
  range(sweepId: string, offset: number, count: number): Promise<TrialScanRow[]>;
  /** The given trials (missing ones skipped). */
  byIds(sweepId: string, ids: readonly string[]): Promise<TrialScanRow[]>;
  /** Ids of the sweep's trials in `state`, by index. */
  idsInState(sweepId: string, state: TrialState): Promise<string[]>;
}

const FIELDS = [
  "id",
  "index",
  "state",
  "params",
  "folds",
  "mean",
  "std",
  "sem",
  "flags",
  "prunedAt",
  "durationMs",
  "worker",
] as const;

const num = (v: string | null | undefined): number | undefined => {
  if (v === null || v === undefined || v === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

function decode(values: readonly (string | null)[]): TrialScanRow | undefined {
  const [id, index, state, params, folds, mean, std, sem, flags, prunedAt, durationMs, worker] = values;
  if (!id) return undefined;
  const scores: (number | undefined)[] = [];
  for (const f of JSON.parse(folds ?? "[]") as { fold: number; score: number }[]) scores[f.fold] = f.score;
  return {
    id,
    index: num(index) ?? 0,
    state: (state ?? "queued") as TrialState,
    params: JSON.parse(params ?? "{}") as Params,
    foldScores: scores,
    mean: num(mean),
    std: num(std),
    sem: num(sem),
    flags: flags && flags !== "[]" ? (JSON.parse(flags) as string[]) : [],
    prunedAt: num(prunedAt),
    durationMs: num(durationMs),
    worker: worker ?? undefined,
  };
}

/** A scan over `redis` (the caller's connection: it opens and closes it) with key prefix `prefix`. */
export function createTrialScan(redis: Redis, prefix: string): TrialScan {
  const k = keysFor(prefix);
  const read = async (sweepId: string, ids: readonly string[]): Promise<TrialScanRow[]> => {
    if (ids.length === 0) return [];
    const pipe = redis.pipeline();
    for (const id of ids) pipe.hmget(k.trial(sweepId, id), ...FIELDS);
    const res = (await pipe.exec()) ?? [];
    const out: TrialScanRow[] = [];
    for (const [err, values] of res) {
      if (err) throw err;
      const row = decode(values as (string | null)[]);
      if (row) out.push(row);
    }
    return out;
  };
  return {
    async range(sweepId, offset, count) {
      if (count <= 0) return [];
      return read(sweepId, await redis.zrange(k.trials(sweepId), offset, offset + count - 1));
    },
    byIds: read,
    idsInState: (sweepId, state) => redis.zrange(k.state(sweepId, state), 0, -1),
  };
}
