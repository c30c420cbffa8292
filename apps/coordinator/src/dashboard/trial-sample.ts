/**
 * A bounded sample of a sweep's completed trials for the scatter-type plots (parallel
 * coordinates, slice): the best `top` trials plus an even spread of the rest, at most `limit`.
 */
import type { Goal, TrialSample } from "@hpo/core";
import type { SweepTable } from "./sweep-table.ts";

export function trialSample(table: SweepTable, goal: Goal, limit = 1500, top = 200): TrialSample {
  const { slots, missing } = table.order("score", goal); // best first
  const ranked: number[] = [];
  for (let j = 0; j < slots.length - missing; j++) {
    const i = slots[j] as number;
    if (table.state(i) === "completed") ranked.push(i);
  }
  const row = (i: number) => {
    const r = table.row(i);
    return { id: r.id, score: r.mean as number, params: r.params };
  };
  const params = table.paramNames;
  if (ranked.length <= limit)
    return {
      params,
      rows: ranked
        .slice()
        .sort((a, b) => a - b)
        .map(row),
      completed: ranked.length,
    };
  const best = ranked.slice(0, Math.min(top, Math.floor(limit / 2)));
  const rest = ranked.slice(best.length);
  const want = Math.min(limit - best.length, rest.length);
  const stride = rest.length / want;
  const spread: number[] = [];
  for (let k = 0; k < want; k++) spread.push(rest[Math.floor(k * stride)] as number);
  // worst first, so the best lines are drawn last (on top)
  return { params, rows: [...spread.reverse(), ...best.reverse()].map(row), completed: ranked.length };
}
