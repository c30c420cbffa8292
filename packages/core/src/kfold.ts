import { compareClassLabels } from "./class-labels.ts";
import { HpoError } from "./errors.ts";
import { createRng, shuffled } from "./rng.ts";

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
