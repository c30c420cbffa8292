import type { Aggregate, Goal } from "./types.ts";

/**
 * Mean, sample standard deviation (n − 1) and standard error of the mean of fold scores.
 * With one value std and sem are 0. Throws on an empty list or a non-finite value.
 */
export function aggregate(values: readonly number[]): Aggregate {
  const n = values.length;
  if (n === 0) throw new RangeError("aggregate: no values");
  if (values.some((v) => !Number.isFinite(v))) throw new RangeError("aggregate: non-finite value");
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  const std = Math.sqrt(variance);
  return { n, mean, std, sem: std / Math.sqrt(n) };
}

/** True when score `a` is better than `b` under `goal`. */
export function isBetter(a: number, b: number, goal: Goal): boolean {
  return goal === "maximize" ? a > b : a < b;
}

/** Comparator that sorts best first under `goal`; undefined scores go last. */
export function compareScores(goal: Goal) {
  return (a: number | undefined, b: number | undefined): number => {
    if (a === undefined) return b === undefined ? 0 : 1;
    if (b === undefined) return -1;
    return goal === "maximize" ? b - a : a - b;
  };
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median: no values");
  const s = values.slice().sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
