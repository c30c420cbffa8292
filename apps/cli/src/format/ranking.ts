import type { Goal, TrialRecord } from "@hpo/core";

/**
 * Trials best first: trials with a K-fold mean, ordered by the goal (ties: smaller std, then
 * lower index); then trials without a mean (running, queued, failed ...) by index.
 * Returns a new array; the input is not mutated.
 */
export function rankTrials(trials: readonly TrialRecord[], goal: Goal): TrialRecord[] {
  const scored = trials.filter((t) => t.mean !== undefined && Number.isFinite(t.mean));
  const rest = trials.filter((t) => !(t.mean !== undefined && Number.isFinite(t.mean)));
  const sign = goal === "maximize" ? -1 : 1;
  scored.sort(
    (a, b) =>
      sign * ((a.mean as number) - (b.mean as number)) ||
      (a.std ?? Number.POSITIVE_INFINITY) - (b.std ?? Number.POSITIVE_INFINITY) ||
      a.index - b.index,
  );
  rest.sort((a, b) => a.index - b.index);
  return [...scored, ...rest];
}

/** The per-fold scores of a trial, ordered by fold number. */
export function foldScores(trial: TrialRecord): number[] {
  return [...trial.folds].sort((a, b) => a.fold - b.fold).map((f) => f.score);
}
