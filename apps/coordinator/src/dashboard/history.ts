/**
 * Optimization history of a sweep, downsampled on the server: at most `points` trial scores
 * (in each index bucket the best and the worst trial, so outliers survive) and the exact
 * best-so-far staircase (it only has a point where the best improves).
 */
import type { Goal, History, HistoryPoint } from "@hpo/core";
import { trialIdOf } from "@hpo/store";
import type { SweepTable } from "./sweep-table.ts";

export function history(table: SweepTable, goal: Goal, points = 600): History {
  const done: HistoryPoint[] = [];
  for (let i = 0; i < table.size; i++) {
    if (!table.has(i) || table.state(i) !== "completed" || Number.isNaN(table.mean(i))) continue;
    done.push({ index: i, score: table.mean(i), trialId: trialIdOf(i) });
  }
  const better = (a: number, b: number) => (goal === "maximize" ? a > b : a < b);
  const best: [number, number][] = [];
  let cur: number | undefined;
  for (const p of done) {
    if (cur === undefined || better(p.score, cur)) {
      cur = p.score;
      best.push([p.index, cur]);
    }
  }
  const last = done[done.length - 1];
  if (last && cur !== undefined && best[best.length - 1]?.[0] !== last.index) best.push([last.index, cur]);
  if (done.length <= points) return { points: done, best, completed: done.length };
  const buckets = Math.max(1, Math.floor(points / 2));
  const size = done.length / buckets;
  const out: HistoryPoint[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    const to = Math.min(done.length, Math.floor((b + 1) * size));
    let hi: HistoryPoint | undefined;
    let lo: HistoryPoint | undefined;
    for (let i = from; i < to; i++) {
      const p = done[i] as HistoryPoint;
      if (!hi || better(p.score, hi.score)) hi = p;
      if (!lo || better(lo.score, p.score)) lo = p;
    }
    if (lo && hi && lo !== hi) out.push(lo.index < hi.index ? lo : hi, lo.index < hi.index ? hi : lo);
    else if (hi) out.push(hi);
  }
  return { points: out, best, completed: done.length };
}
