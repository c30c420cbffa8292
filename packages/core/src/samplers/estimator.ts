import type { Rng } from "../rng.ts";

/**
 * A density model TPE draws candidates from and scores them with (Optuna's `_ParzenEstimator`):
 * the univariate NumericalParzen and CategoricalParzen and the joint MultivariateParzen. `X` is a
 * point of its space (a number in TPE space, a category index, or one per dimension).
 */
export interface Estimator<X> {
  /** One draw, using `rng` only. */
  sample(rng: Rng): X;
  /** log of the density (or probability mass) at x; only differences between estimators matter. */
  logDensity(x: X): number;
}

/**
 * TPE's acquisition (Optuna's `_sample` → `_compute_acquisition_func` → `_compare`): `n`
 * candidates drawn from `below` (l, the good trials), each scored log l(x) − log g(x) with
 * `above` (g); the best wins, the first drawn on ties, and the first when no score is a number.
 * Scores of a candidate drawn again are reused (discrete spaces repeat points often).
 */
export function bestCandidate<X>(below: Estimator<X>, above: Estimator<X>, n: number, rng: Rng): X {
  const scores = new Map<X, number>();
  let best: X | undefined;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const x = below.sample(rng);
    let score = scores.get(x);
    if (score === undefined) {
      score = below.logDensity(x) - above.logDensity(x);
      scores.set(x, score);
    }
    if (i === 0 || score > bestScore) {
      bestScore = score;
      best = x;
    }
  }
  return best as X;
}
