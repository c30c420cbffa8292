import { describe, expect, it } from "vitest";
import {
  correctedInterval,
  correctedPairedTest,
  kFoldTestTrainRatio,
  studentTQuantile,
  tieWithBest,
  trialStatsOf,
  twoSidedP,
} from "./cv-stats.ts";

/*
 * Reference figures computed once with scipy 1.17.1 (python3), by this script:
 *
 *   import numpy as np
 *   from scipy import stats
 *   def ci(x, ratio, alpha=0.05):
 *       x = np.asarray(x); J = len(x); m = x.mean(); se = np.sqrt((1/J + ratio) * x.var(ddof=1))
 *       h = stats.t.ppf(1 - alpha/2, J - 1) * se
 *       return m, se, m - h, m + h
 *   def paired(a, b, ratio):
 *       d = np.asarray(a) - np.asarray(b); J = len(d); se = np.sqrt((1/J + ratio) * d.var(ddof=1))
 *       t = d.mean() / se
 *       return d.mean(), t, 2 * stats.t.sf(abs(t), J - 1)
 *   a = [0.969, 0.981, 0.967, 0.975, 0.981]; b = [0.981, 0.983, 0.969, 0.969, 0.969]
 *   c = [0.981, 0.981, 0.961, 0.967, 0.964]; d = [0.214, 0.369, 0.348, 0.231, 0.267]
 *   print(ci(a, 1/4), ci(d, 1/4), paired(a, b, 1/4), paired(a, c, 1/4), paired(a, d, 1/4))
 *   rng = np.random.default_rng(7)
 *   x = np.round(0.9 + 0.02 * rng.standard_normal(20), 4); y = np.round(x - 0.01 + 0.01 * rng.standard_normal(20), 4)
 *   print(list(x), list(y), ci(x, 1/9), paired(x, y, 1/9), stats.ttest_rel(x, y))
 *   for df, p in [(4, .975), (9, .975), (19, .975), (29, .99)]: print(df, p, stats.t.ppf(p, df))
 *
 * a–d are the fold scores of the README demo's ranks 1, 2, 3 and 16 (5-fold CV: ratio 1/4);
 * x, y are 2 repeats × 10 folds (ratio 1/9).
 */
const A = [0.969, 0.981, 0.967, 0.975, 0.981];
const B = [0.981, 0.983, 0.969, 0.969, 0.969];
const C = [0.981, 0.981, 0.961, 0.967, 0.964];
const D = [0.214, 0.369, 0.348, 0.231, 0.267];
const X = [
  0.9, 0.906, 0.8945, 0.8822, 0.8909, 0.8802, 0.9012, 0.9268, 0.8902, 0.8876, 0.9098, 0.9071, 0.9021, 0.8814, 0.8994,
  0.9139, 0.8731, 0.8908, 0.862, 0.8742,
];
const Y = [
  0.8716, 0.8936, 0.8718, 0.8749, 0.8825, 0.8683, 0.866, 0.9114, 0.8797, 0.8787, 0.8845, 0.8923, 0.8823, 0.8633, 0.9,
  0.8958, 0.8628, 0.8896, 0.8462, 0.8631,
];
/** jStat's t quantile agrees with scipy to a relative 1e-7; the figures below are checked to 1e-7. */
const TOL = 7;

describe("Student's t", () => {
  it("matches scipy's quantiles", () => {
    expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.7764451051977934, TOL);
    expect(studentTQuantile(0.975, 9)).toBeCloseTo(2.262157162798205, TOL);
    expect(studentTQuantile(0.975, 19)).toBeCloseTo(2.0930240544083087, TOL);
    expect(studentTQuantile(0.99, 29)).toBeCloseTo(2.4620213601504126, TOL);
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.7764451051977934, TOL);
  });

  it("gives two-sided p-values: 1 at t = 0, 0 at infinity, α at the quantile", () => {
    expect(twoSidedP(0, 4)).toBeCloseTo(1, 12);
    expect(twoSidedP(Infinity, 4)).toBe(0);
    expect(twoSidedP(-2.7764451051977934, 4)).toBeCloseTo(0.05, TOL);
    // df = 1 is the Cauchy distribution: P(|T| ≥ 1) = 1/2 exactly
    expect(twoSidedP(1, 1)).toBeCloseTo(0.5, TOL);
  });

  it("refuses p outside (0, 1), df <= 0 and NaN", () => {
    expect(() => studentTQuantile(1, 4)).toThrow(/p must be in \(0, 1\), got 1/);
    expect(() => studentTQuantile(0.5, 0)).toThrow(/df must be > 0, got 0/);
    expect(() => twoSidedP(Number.NaN, 3)).toThrow(/NaN/);
  });
});

describe("kFoldTestTrainRatio", () => {
  it("is 1/(K - 1) and refuses fewer than 2 folds", () => {
    expect(kFoldTestTrainRatio(5)).toBe(0.25);
    expect(kFoldTestTrainRatio(10)).toBeCloseTo(1 / 9, 15);
    expect(() => kFoldTestTrainRatio(1)).toThrow(/folds must be an integer >= 2, got 1/);
  });
});

describe("correctedInterval", () => {
  it("matches a hand-worked interval", () => {
    // scores .90 .92 .94 .96 .98: mean .94, Σ(x - mean)² = .004, σ² = .001;
    // 5-fold: (1/5 + 1/4) σ² = .00045, se = √.00045 = .0212132…; t(.975, 4) = 2.7764451…;
    // half width = 2.7764451 × .0212132 = .0588973 (the naive σ/√5 one: 2.7764451 × .0141421 = .0392649)
    const ci = correctedInterval([0.9, 0.92, 0.94, 0.96, 0.98], 0.25);
    expect(ci.n).toBe(5);
    expect(ci.mean).toBeCloseTo(0.94, 12);
    expect(ci.se).toBeCloseTo(Math.sqrt(0.00045), 12);
    expect(ci.high - ci.mean).toBeCloseTo(0.0588973, 6);
    expect(ci.mean - ci.low).toBeCloseTo(0.0588973, 6);
  });

  it("matches scipy's figures (5 folds and 2 × 10 folds)", () => {
    const a = correctedInterval(A, 0.25);
    expect(a.mean).toBeCloseTo(0.9746, 12);
    expect(a.se).toBeCloseTo(0.004388621651498342, 12);
    expect(a.low).toBeCloseTo(0.9624152328971324, TOL);
    expect(a.high).toBeCloseTo(0.9867847671028677, TOL);
    const d = correctedInterval(D, 0.25);
    expect(d.low).toBeCloseTo(0.15641750914695085, TOL);
    expect(d.high).toBeCloseTo(0.41518249085304904, TOL);
    const x = correctedInterval(X, 1 / 9);
    expect(x.n).toBe(20);
    expect(x.se).toBeCloseTo(0.0062687225537696595, 12);
    expect(x.low).toBeCloseTo(0.880549412904548, TOL);
    expect(x.high).toBeCloseTo(0.9067905870954517, TOL);
  });

  it("is a point when every score is the same, and narrower at a higher α", () => {
    const flat = correctedInterval([0.8, 0.8, 0.8], 0.5);
    expect(flat.se).toBeCloseTo(0, 12);
    expect(flat.low).toBeCloseTo(0.8, 12);
    expect(flat.high).toBeCloseTo(0.8, 12);
    expect(correctedInterval([0.5, 0.5], 0.5)).toEqual({ n: 2, mean: 0.5, se: 0, low: 0.5, high: 0.5 });
    const wide = correctedInterval(A, 0.25, 0.01);
    const narrow = correctedInterval(A, 0.25, 0.2);
    expect(wide.high - wide.low).toBeGreaterThan(narrow.high - narrow.low);
  });

  it("refuses fewer than 2 scores, non-finite scores, a negative ratio and a bad α", () => {
    expect(() => correctedInterval([0.9], 0.25)).toThrow(/at least 2 values, got 1/);
    expect(() => correctedInterval([0.9, Number.NaN], 0.25)).toThrow(/non-finite/);
    expect(() => correctedInterval(A, -1)).toThrow(/ratio must be >= 0, got -1/);
    expect(() => correctedInterval(A, 0.25, 1.5)).toThrow(/alpha must be in \(0, 1\), got 1.5/);
  });
});

describe("correctedPairedTest", () => {
  it("matches scipy's figures", () => {
    const ab = correctedPairedTest(A, B, 0.25);
    expect(ab.meanDiff).toBeCloseTo(0.0004, 12);
    expect(ab.t).toBeCloseTo(0.06552975829106539, 10);
    expect(ab.p).toBeCloseTo(0.9508965996774897, TOL);
    const ac = correctedPairedTest(A, C, 0.25);
    expect(ac.t).toBeCloseTo(0.5277777777777778, 10);
    expect(ac.p).toBeCloseTo(0.6255743510123015, TOL);
    const ad = correctedPairedTest(A, D, 0.25);
    expect(ad.t).toBeCloseTo(14.963609662061707, 8);
    expect(ad.p).toBeCloseTo(0.00011619422099650017, TOL);
    const xy = correctedPairedTest(X, Y, 1 / 9);
    expect(xy.n).toBe(20);
    expect(xy.t).toBeCloseTo(4.217271929654239, 9);
    expect(xy.p).toBeCloseTo(0.0004665673889471951, TOL);
  });

  it("is scipy's plain paired t-test (ttest_rel) with ratio 0", () => {
    const xy = correctedPairedTest(X, Y, 0);
    expect(xy.t).toBeCloseTo(7.57023479256341, 9);
    expect(xy.p).toBeCloseTo(3.7680703568224633e-7, 12);
  });

  it("handles constant differences and refuses unpaired lists", () => {
    expect(correctedPairedTest([0.5, 0.6], [0.5, 0.6], 0.25)).toEqual({ n: 2, meanDiff: 0, t: 0, p: 1 });
    const shifted = correctedPairedTest([0.6, 0.7], [0.5, 0.6], 0.25);
    expect(shifted.t).toBe(Infinity);
    expect(shifted.p).toBe(0);
    expect(() => correctedPairedTest([0.5, 0.6], [0.5], 0.25)).toThrow(/2 scores against 1/);
  });
});

describe("tieWithBest", () => {
  const folds = (scores: readonly number[], from = 0) => scores.map((score, i) => ({ fold: from + i, score }));

  it("ties the demo's top three and not its last trial", () => {
    const best = folds(A);
    expect(tieWithBest(best, best, 0.25)).toMatchObject({ p: 1, tied: true, mean: 0.9746 });
    expect(tieWithBest(folds(B), best, 0.25)?.tied).toBe(true);
    expect(tieWithBest(folds(C), best, 0.25)?.tied).toBe(true);
    const last = tieWithBest(folds(D), best, 0.25);
    expect(last?.tied).toBe(false);
    expect(last?.p).toBeCloseTo(0.00011619422099650017, TOL);
    expect(last?.high).toBeCloseTo(0.41518249085304904, TOL);
  });

  it("pairs by fold index: extra folds of either trial widen only the interval", () => {
    // the best has 2 repeats (folds 0–9, e.g. re-evaluated in a selection phase), the trial one
    const best = folds([...A, ...B]);
    const trial = folds(D).reverse(); // listed in another order: pairing is by fold
    const r = tieWithBest(trial, best, 0.25);
    expect(r?.n).toBe(5);
    expect(r?.p).toBeCloseTo(correctedPairedTest(D, A, 0.25).p, 12);
    // a trial with folds the best lacks: the interval uses all 10, the test the 5 shared
    const wide = tieWithBest(folds([...X.slice(0, 10)]), folds(X.slice(0, 5)), 1 / 4);
    expect(wide?.n).toBe(10);
    expect(wide?.p).toBe(1);
  });

  it("has nothing to say with fewer than 2 scores or 2 shared folds", () => {
    expect(tieWithBest(folds([0.9]), folds(A), 0.25)).toBeUndefined();
    expect(tieWithBest(folds(A, 10), folds(A), 0.25)).toBeUndefined();
  });
});

describe("trialStatsOf", () => {
  const trial = (scores: readonly number[], state: "completed" | "pruned" = "completed") => ({
    state,
    folds: scores.map((score, fold) => ({ fold, score, metrics: {}, epochs: 1, durationMs: 1 })),
  });

  it("gives a completed trial its interval and tie with the best, with the ratio of cv.folds", () => {
    expect(trialStatsOf(trial(A), trial(A), { folds: 5 })).toEqual({
      ciLow: expect.closeTo(0.9624152328971324, TOL),
      ciHigh: expect.closeTo(0.9867847671028677, TOL),
      pBest: 1,
      tied: true,
    });
    const last = trialStatsOf(trial(D), trial(A), { folds: 5 });
    expect(last?.tied).toBe(false);
    expect(last?.pBest).toBeCloseTo(0.00011619422099650017, TOL);
  });

  it("has none for a trial that did not complete, without a best or with a non-finite score", () => {
    expect(trialStatsOf(trial(D, "pruned"), trial(A), { folds: 5 })).toBeUndefined();
    expect(trialStatsOf(trial(D), undefined, { folds: 5 })).toBeUndefined();
    expect(trialStatsOf(trial([0.5, Number.NaN]), trial(A), { folds: 5 })).toBeUndefined();
    // a program sweep's cv.folds 1: one run per trial, no interval (and no throw)
    expect(trialStatsOf(trial([0.5]), trial([0.6]), { folds: 1 })).toBeUndefined();
  });
});
