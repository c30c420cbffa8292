import { HpoError, isTrialState, TRIAL_STATES, type TrialState } from "@hpo/core";
import type { TrialSort } from "@hpo/store";

type Query = Readonly<Record<string, unknown>>;

function intParam(query: Query, name: string, fallback: number, max: number): number {
  const raw = query[name];
  if (raw === undefined || raw === "") return fallback;
  const n = typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n > max) {
    throw new HpoError(
      "INVALID_REQUEST",
      `query parameter ${name} must be an integer from 0 to ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

/** `offset` (default 0) and `limit` (default 50, at most 1000). @throws INVALID_REQUEST */
export function pageQuery(query: Query): { offset: number; limit: number } {
  return { offset: intParam(query, "offset", 0, Number.MAX_SAFE_INTEGER), limit: intParam(query, "limit", 50, 1000) };
}

/** `sort` (score | index, default score) and `state` (a trial state). @throws INVALID_REQUEST */
export function trialQuery(query: Query): { sort: TrialSort; state?: TrialState } {
  const sort = query.sort ?? "score";
  if (sort !== "score" && sort !== "index") {
    throw new HpoError(
      "INVALID_REQUEST",
      `query parameter sort must be "score" or "index", got ${JSON.stringify(sort)}`,
    );
  }
  const state = query.state;
  if (state === undefined || state === "") return { sort };
  if (typeof state !== "string" || !isTrialState(state)) {
    throw new HpoError(
      "INVALID_REQUEST",
      `query parameter state must be one of ${TRIAL_STATES.join(", ")}, got ${JSON.stringify(state)}`,
    );
  }
  return { sort, state };
}
