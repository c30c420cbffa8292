import type { Goal } from "../types.ts";

/** A value that can be compared at all (NaN and ±Infinity from a diverging trial cannot). */
export function isUsable(value: number): boolean {
  return Number.isFinite(value);
}

/** True when `a` is strictly worse than `b` under `goal`. */
export function isWorse(a: number, b: number, goal: Goal): boolean {
  return goal === "maximize" ? a < b : a > b;
}
