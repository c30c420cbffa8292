/**
 * A bounded sample of a sweep's completed trials for the scatter-type plots (parallel
 * coordinates, slice): the best `top` trials plus an even spread of the rest, at most `limit`.
 */
import type { Goal, Params } from "@hpo/core";
import type { TableTrial } from "./sweep-table.ts";

export interface TrialSample {
  readonly params: readonly string[];
  readonly rows: readonly { readonly id: string; readonly score: number; readonly params: Params }[];
  readonly completed: number;
}

export function trialSample(
  trials: readonly (TableTrial | undefined)[],
  paramNames: readonly string[],
  goal: Goal,
  limit = 1500,
  top = 200,
): TrialSample {
  const done = trials.filter((t): t is TableTrial => !!t && t.state === "completed" && t.mean !== undefined);
  const row = (t: TableTrial) => ({ id: t.id, score: t.mean as number, params: t.params });
  if (done.length <= limit) return { params: paramNames, rows: done.map(row), completed: done.length };
  const ranked = done
    .slice()
    .sort((a, b) =>
      goal === "maximize" ? (b.mean as number) - (a.mean as number) : (a.mean as number) - (b.mean as number),
    );
  const best = ranked.slice(0, Math.min(top, Math.floor(limit / 2)));
  const rest = ranked.slice(best.length);
  const want = Math.min(limit - best.length, rest.length);
  const stride = rest.length / want;
  const spread: TableTrial[] = [];
  for (let i = 0; i < want; i++) spread.push(rest[Math.floor(i * stride)] as TableTrial);
  // by index, so the plot draws the best lines last (on top) via their order below
  return { params: paramNames, rows: [...spread.reverse(), ...best.reverse()].map(row), completed: done.length };
}
