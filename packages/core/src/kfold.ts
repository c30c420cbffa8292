import { compareClassLabels } from "./class-labels.ts";
import { HpoError } from "./errors.ts";
import { createRng, mixSeed, shuffled } from "./rng.ts";
import type { CvSpec, RepeatRange } from "./types.ts";

/** One fold: row indices for training and validation (disjoint, together all rows). */
export interface Fold {
  readonly train: readonly number[];
  readonly validation: readonly number[];
}

/**
 * K-fold split of `n` rows, shuffled with `seed`. When `labels` is given the split is
 * stratified: each class is dealt round-robin over the folds, so every fold holds each class in
 * proportion (sizes differ by at most one per class). Classes are dealt in `compareClassLabels`
 * order (class-labels.ts), which has no locale rules, so that packages/program-kit's Python and JS
 * helpers reproduce this split exactly (test/program-kit/kfold-parity.test.ts): change this
 * function and those helpers together. Throws INVALID_DATASET when k < 2, k > n, or (stratified)
 * a class has fewer rows than folds; RangeError when the labels do not match `n` or one is NaN.
 */
export function kFoldSplit(n: number, k: number, seed: number, labels?: readonly (number | string)[]): Fold[] {
  if (!Number.isInteger(k) || k < 2)
    throw new HpoError("INVALID_DATASET", `cv.folds must be an integer >= 2, got ${k}`);
  if (k > n) throw new HpoError("INVALID_DATASET", `cv.folds (${k}) exceeds the number of rows (${n})`);
  const rng = createRng(seed);
  const assignment = new Array<number>(n);
  if (labels) {
    if (labels.length !== n) throw new RangeError(`kFoldSplit: ${labels.length} labels for ${n} rows`);
    const byClass = new Map<number | string, number[]>();
    labels.forEach((label, i) => {
      if (Number.isNaN(label)) throw new RangeError(`kFoldSplit: label of row ${i} is NaN`);
      const rows = byClass.get(label) ?? [];
      rows.push(i);
      byClass.set(label, rows);
    });
    let offset = 0;
    const classes = [...byClass.keys()].sort(compareClassLabels);
    for (const label of classes) {
      const rows = byClass.get(label) as number[];
      if (rows.length < k) {
        throw new HpoError(
          "INVALID_DATASET",
          `class ${JSON.stringify(label)} has ${rows.length} rows, fewer than cv.folds (${k}); use fewer folds or cv.stratified: false`,
        );
      }
      // Continue the round-robin where the previous class stopped so fold sizes stay balanced.
      shuffled(rows, rng).forEach((row, j) => {
        assignment[row] = (offset + j) % k;
      });
      offset = (offset + rows.length) % k;
    }
  } else {
    shuffled([...Array(n).keys()], rng).forEach((row, j) => {
      assignment[row] = j % k;
    });
  }
  return Array.from({ length: k }, (_, f) => {
    const train: number[] = [];
    const validation: number[] = [];
    for (let i = 0; i < n; i++) (assignment[i] === f ? validation : train).push(i);
    return { train, validation };
  });
}

/** Most folds a trial trains (cv.folds × cv.repeats): they train at once, so memory grows with it. */
export const MAX_CV_FOLD_RUNS = 100;

/**
 * The shuffle seed of repeat `repeat` of a repeated K-fold with `cv.seed` = `seed`: `seed` itself
 * for repeat 0 (so `repeats: 1` is the plain K-fold of `seed`), a seed mixed from both after.
 */
export function repeatSeed(seed: number, repeat: number): number {
  return repeat === 0 ? seed : mixSeed(seed, "repeat", repeat);
}

/** The repeats a trial runs by default: all of `cv.repeats` (1 when absent). */
export function repeatRangeOf(cv: Pick<CvSpec, "repeats">): RepeatRange {
  return { from: 0, count: cv.repeats ?? 1 };
}

/** Folds a trial trains: K × the repeats of `range` (default all of `cv.repeats`). */
export function foldRunsOf(cv: Pick<CvSpec, "folds" | "repeats">, range: RepeatRange = repeatRangeOf(cv)): number {
  return cv.folds * range.count;
}

/** Most folds a trial of `spec` can end with: K × (cv.repeats + select.repeats of the selection phase). */
export function maxFoldRunsOf(spec: {
  readonly cv: Pick<CvSpec, "folds" | "repeats">;
  readonly select?: { readonly repeats: number };
}): number {
  return spec.cv.folds * ((spec.cv.repeats ?? 1) + (spec.select?.repeats ?? 0));
}
