import type { Goal, TrialRecord } from "../types.ts";

/** Optuna's default γ: the good set holds min(⌈0.1·n⌉, 25) trials. */
export function defaultGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

export interface TpeSplit {
  /** The good trials, oldest first. */
  readonly below: readonly TrialRecord[];
  /** Every other usable trial (running and queued ones too: constant liar), oldest first. */
  readonly above: readonly TrialRecord[];
  /** Completed, pruned and diverged trials: what counts towards the start-up trials. */
  readonly finished: number;
}

/**
 * Splits the history into good (below) and bad (above) trials as Optuna's TPE does. Ranking:
 * completed trials by their K-fold mean; then pruned trials, later rungs first (then by `mean`
 * if the record has one); diverged,
 * running and queued trials (the constant liar) can only be bad. Failed and cancelled trials
 * are ignored. The good set is the best γ(n) of the n usable trials.
 */
export function splitTrials(
  trials: readonly TrialRecord[],
  goal: Goal,
  gamma = defaultGamma,
  constantLiar = true,
): TpeSplit {
  const usable: TrialRecord[] = [];
  let finished = 0;
  for (const t of trials) {
    const s = t.state;
    if (s === "completed" && Number.isFinite(t.mean)) {
      usable.push(t);
      finished++;
    } else if (s === "pruned" || s === "diverged") {
      usable.push(t);
      finished++;
    } else if (constantLiar && (s === "running" || s === "queued")) usable.push(t);
  }
  const nBelow = gamma(usable.length);
  const sign = goal === "maximize" ? -1 : 1;
  // A pruned trial's mean (its K-fold mean where it stopped, when the store keeps one) ranks it
  // among trials pruned at the same rung, as Optuna ranks pruned trials by their last value.
  const scoreKey = (t: TrialRecord) => (Number.isFinite(t.mean) ? sign * (t.mean as number) : Number.POSITIVE_INFINITY);
  // Partial selection of the best nBelow completed trials (keys ascending = better first).
  const best: { key: number; pos: number }[] = [];
  usable.forEach((t, pos) => {
    if (t.state !== "completed" || nBelow === 0) return;
    const key = sign * (t.mean as number);
    if (best.length === nBelow && key >= (best[nBelow - 1] as { key: number }).key) return;
    let i = best.length;
    while (i > 0 && (best[i - 1] as { key: number }).key > key) i--;
    best.splice(i, 0, { key, pos });
    if (best.length > nBelow) best.pop();
  });
  const isBelow = new Uint8Array(usable.length);
  for (const b of best) isBelow[b.pos] = 1;
  if (best.length < nBelow) {
    const pruned = usable
      .map((t, pos) => ({ t, pos }))
      .filter(({ t }) => t.state === "pruned")
      .sort((a, b) => (b.t.prunedAt ?? 0) - (a.t.prunedAt ?? 0) || scoreKey(a.t) - scoreKey(b.t) || a.pos - b.pos);
    for (const { pos } of pruned.slice(0, nBelow - best.length)) isBelow[pos] = 1;
  }
  const below: TrialRecord[] = [];
  const above: TrialRecord[] = [];
  usable.forEach((t, pos) => {
    (isBelow[pos] ? below : above).push(t);
  });
  return { below, above, finished };
}
