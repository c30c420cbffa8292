/**
 * Optimization history of a sweep, downsampled on the server: at most `points` trial scores
 * (in each index bucket the best and the worst trial, so outliers survive) and the exact
 * best-so-far staircase (it only has a point where the best improves).
 */
import type { Goal, History, HistoryPoint } from "@hpo/core";
import { trialIdOf } from "@hpo/store";
import type { SweepTable } from "./sweep-table.ts";

export function history(table: SweepTable, goal: Goal, points = 600): History {
  // completed trials' slots in index order (no per-trial objects: 100,000 of them are garbage)
  const slots = new Uint32Array(table.size);
  let n = 0;
  for (let i = 0; i < table.size; i++)
    if (table.has(i) && table.state(i) === "completed" && !Number.isNaN(table.mean(i))) slots[n++] = i;
  const done = slots.subarray(0, n);
  const point = (i: number): HistoryPoint => ({ index: i, score: table.mean(i), trialId: trialIdOf(i) });
  const better = (a: number, b: number) => (goal === "maximize" ? a > b : a < b);
  const best: [number, number][] = [];
  let cur: number | undefined;
  for (const i of done) {
    const score = table.mean(i);
    if (cur === undefined || better(score, cur)) {
      cur = score;
      best.push([i, cur]);
    }
  }
  const last = done[n - 1];
  if (last !== undefined && cur !== undefined && best[best.length - 1]?.[0] !== last) best.push([last, cur]);
  if (n <= points) return { points: Array.from(done, point), best, completed: n };
  const buckets = Math.max(1, Math.floor(points / 2));
  const size = n / buckets;
  const out: HistoryPoint[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    const to = Math.min(n, Math.floor((b + 1) * size));
    let hi = -1;
    let lo = -1;
    for (let j = from; j < to; j++) {
      const i = done[j] as number;
      if (hi < 0 || better(table.mean(i), table.mean(hi))) hi = i;
      if (lo < 0 || better(table.mean(lo), table.mean(i))) lo = i;
    }
    if (lo >= 0 && hi >= 0 && lo !== hi) out.push(point(Math.min(lo, hi)), point(Math.max(lo, hi)));
    else if (hi >= 0) out.push(point(hi));
  }
  return { points: out, best, completed: n };
}
