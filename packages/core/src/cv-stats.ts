/// <reference path="./jstat.d.ts" />
import jStat from "jstat";
import type { CvSpec, TrialState } from "./types.ts";

/**
 * Confidence intervals and "tied with best" for cross-validated scores, with the corrected
 * resampled t statistics of Nadeau & Bengio (2003) and Bouckaert & Frank (2004); formulas and
 * references in docs/statistics.md.
 *
 * The J = R × K fold scores of a trial are not independent (their training sets overlap), so the
 * naive variance of their mean, σ²/J, is too small. The corrected variance is
 * (1/J + n_test/n_train) · σ², with σ² the sample variance of the J values; the statistics use
 * Student's t with J − 1 degrees of freedom.
 */

/** Significance level of the intervals and of the tie test unless told otherwise. */
export const DEFAULT_ALPHA = 0.05;

/** The corrected interval of a trial's mean over its J fold scores. */
export interface CorrectedInterval {
  /** Number of fold scores (J = repeats × folds). */
  readonly n: number;
  readonly mean: number;
  /** Corrected standard error: √((1/J + n_test/n_train) · σ²). */
  readonly se: number;
  /** mean ∓ t(1 − α/2, J − 1) · se. */
  readonly low: number;
  readonly high: number;
}

/** The corrected paired t-test of two trials on the same folds. */
export interface PairedTest {
  /** Number of folds both trials were scored on. */
  readonly n: number;
  /** Mean over those folds of a − b. */
  readonly meanDiff: number;
  /** Corrected t statistic (±Infinity when every difference is the same non-zero value). */
  readonly t: number;
  /** Two-sided p-value (1 when every difference is 0). */
  readonly p: number;
}

/** One fold score with the fold it came from (global index: repeat × K + fold). */
export interface FoldScore {
  readonly fold: number;
  readonly score: number;
}

/** Where a trial stands against the best trial of its sweep. */
export interface TieWithBest extends CorrectedInterval {
  /** Two-sided p-value of the paired test against the best (1 for the best itself). */
  readonly p: number;
  /** True when the trial is not distinguishable from the best at α (p ≥ α). */
  readonly tied: boolean;
}

/**
 * n_test / n_train of K-fold cross-validation: each fold validates on 1/K of the rows and trains
 * on the other (K − 1)/K, so the ratio is 1/(K − 1) (exact when K divides the rows).
 * @throws RangeError when `folds` is not an integer ≥ 2.
 */
export function kFoldTestTrainRatio(folds: number): number {
  if (!Number.isInteger(folds) || folds < 2)
    throw new RangeError(`kFoldTestTrainRatio: folds must be an integer >= 2, got ${folds}`);
  return 1 / (folds - 1);
}

/** The p-quantile of Student's t with `df` degrees of freedom (jStat; relative error < 1e-7). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTQuantile: p must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`studentTQuantile: df must be > 0, got ${df}`);
  return jStat.studentt.inv(p, df);
}

/** Two-sided p-value of a t statistic with `df` degrees of freedom: 2 · P(T ≥ |t|). */
export function twoSidedP(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`twoSidedP: df must be > 0, got ${df}`);
  if (Number.isNaN(t)) throw new RangeError("twoSidedP: t is NaN");
  if (!Number.isFinite(t)) return 0;
  return Math.min(1, 2 * (1 - jStat.studentt.cdf(Math.abs(t), df)));
}

function checkInputs(what: string, values: readonly number[], ratio: number, alpha: number): void {
  if (values.length < 2) throw new RangeError(`${what}: needs at least 2 values, got ${values.length}`);
  if (values.some((v) => !Number.isFinite(v))) throw new RangeError(`${what}: non-finite value`);
  if (!(ratio >= 0 && Number.isFinite(ratio)))
    throw new RangeError(`${what}: test/train ratio must be >= 0, got ${ratio}`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`${what}: alpha must be in (0, 1), got ${alpha}`);
}

/** Mean and corrected standard error of J values (the variance is the sample variance, J − 1). */
function correctedMoments(values: readonly number[], ratio: number): { mean: number; se: number } {
  const n = values.length;
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  return { mean, se: Math.sqrt((1 / n + ratio) * (ss / (n - 1))) };
}

/**
 * Corrected confidence interval (level 1 − α) of the mean of `scores`, the J fold scores of one
 * trial; `ratio` is n_test/n_train (`kFoldTestTrainRatio`).
 * @throws RangeError on fewer than 2 scores, a non-finite score, a negative ratio or α outside (0, 1).
 */
export function correctedInterval(scores: readonly number[], ratio: number, alpha = DEFAULT_ALPHA): CorrectedInterval {
  checkInputs("correctedInterval", scores, ratio, alpha);
  const { mean, se } = correctedMoments(scores, ratio);
  const half = se === 0 ? 0 : studentTQuantile(1 - alpha / 2, scores.length - 1) * se;
  return { n: scores.length, mean, se, low: mean - half, high: mean + half };
}

/**
 * Corrected paired t-test of `a` against `b`, two lists of scores on the same folds in the same
 * order (`a[j]`, `b[j]` from fold j); `ratio` is n_test/n_train.
 * @throws RangeError on lists of different lengths, fewer than 2 pairs or a non-finite score.
 */
export function correctedPairedTest(a: readonly number[], b: readonly number[], ratio: number): PairedTest {
  if (a.length !== b.length) throw new RangeError(`correctedPairedTest: ${a.length} scores against ${b.length}`);
  const diffs = a.map((v, j) => v - (b[j] as number));
  checkInputs("correctedPairedTest", diffs, ratio, DEFAULT_ALPHA);
  const { mean, se } = correctedMoments(diffs, ratio);
  const n = diffs.length;
  if (se === 0) return { n, meanDiff: mean, t: mean === 0 ? 0 : Math.sign(mean) * Infinity, p: mean === 0 ? 1 : 0 };
  const t = mean / se;
  return { n, meanDiff: mean, t, p: twoSidedP(t, n - 1) };
}

/**
 * A trial's corrected interval and whether it is tied with the best trial: the paired test runs on
 * the folds both were scored on (matched by fold index: the same cv.seed gives the same splits);
 * the interval uses all of the trial's folds. `best` is the trial itself for the best one.
 * Returns undefined when the trial has fewer than 2 fold scores or shares fewer than 2 folds with
 * the best (nothing to test; trials of one sweep share all their first R × K folds). Two-sided.
 */
export function tieWithBest(
  trial: readonly FoldScore[],
  best: readonly FoldScore[],
  ratio: number,
  alpha = DEFAULT_ALPHA,
): TieWithBest | undefined {
  if (trial.length < 2) return undefined;
  const ci = correctedInterval(
    trial.map((f) => f.score),
    ratio,
    alpha,
  );
  const bestByFold = new Map(best.map((f) => [f.fold, f.score]));
  const a: number[] = [];
  const b: number[] = [];
  for (const f of trial) {
    const other = bestByFold.get(f.fold);
    if (other === undefined) continue;
    a.push(f.score);
    b.push(other);
  }
  if (a.length < 2) return undefined;
  const { p } = correctedPairedTest(a, b, ratio);
  return { ...ci, p, tied: p >= alpha };
}

/** n_test/n_train of a sweep's cross-validation (`kFoldTestTrainRatio` of `cv.folds`). */
export function testTrainRatioOf(cv: Pick<CvSpec, "folds">): number {
  return kFoldTestTrainRatio(cv.folds);
}

/** What the API adds to a completed trial: its corrected interval and its tie with the best. */
export interface TrialStats {
  /** Corrected confidence interval (95 %) of the trial's mean fold score. */
  readonly ciLow: number;
  readonly ciHigh: number;
  /** Two-sided p-value of the paired corrected test against the sweep's best trial (1 for the best). */
  readonly pBest: number;
  /** Not distinguishable from the best at α = 0.05 (pBest ≥ 0.05). */
  readonly tied: boolean;
}

/**
 * The statistics of a trial of a sweep with cross-validation `cv`, against `best` (the sweep's
 * best trial, which may be `trial` itself). Undefined unless the trial completed with at least 2
 * finite fold scores shared with the best, and `cv.folds` ≥ 2.
 */
export function trialStatsOf(
  trial: { readonly state: TrialState; readonly folds: readonly FoldScore[] },
  best: { readonly folds: readonly FoldScore[] } | undefined,
  cv: Pick<CvSpec, "folds">,
): TrialStats | undefined {
  // cv.folds 1 (a program's single run): no resampling, nothing to correct or pair
  if (trial.state !== "completed" || !best || cv.folds < 2) return undefined;
  if (!trial.folds.every((f) => Number.isFinite(f.score)) || !best.folds.every((f) => Number.isFinite(f.score)))
    return undefined;
  const r = tieWithBest(trial.folds, best.folds, testTrainRatioOf(cv));
  return r && { ciLow: r.low, ciHigh: r.high, pBest: r.p, tied: r.tied };
}
