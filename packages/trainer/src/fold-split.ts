import {
  type CvSpec,
  DEFAULT_INNER_FRACTION,
  type HoldOut,
  HpoError,
  holdOut,
  kFoldSplit,
  mixSeed,
  type RepeatRange,
  repeatRangeOf,
  repeatSeed,
} from "@hpo/core";
import type { Dataset } from "./datasets/dataset.ts";
import type { TrainingFold } from "./fold-data.ts";

const stratifiedBy = (data: Dataset, cv: CvSpec) => cv.stratified && data.task === "classification";

/**
 * Checks that `rows` of `data` can be split into `cv.folds` folds: at least one row per fold, and
 * with stratification (classification) at least `cv.folds` rows of every class. `what` names the
 * rows in messages ("dataset" or "the rows outside the test split").
 * @throws HpoError("INVALID_DATASET") naming the dataset and the class.
 */
function checkFoldableRows(data: Dataset, cv: CvSpec, rows: readonly number[], what: string): void {
  if (rows.length < cv.folds) {
    throw new HpoError(
      "INVALID_DATASET",
      `dataset "${data.name}": ${rows.length} rows${what}, fewer than cv.folds (${cv.folds})`,
    );
  }
  if (!stratifiedBy(data, cv)) return;
  const counts = new Array<number>(data.classes.length).fill(0);
  for (const r of rows) counts[data.labels[r] as number] = (counts[data.labels[r] as number] as number) + 1;
  counts.forEach((c, id) => {
    if (c < cv.folds) {
      throw new HpoError(
        "INVALID_DATASET",
        `dataset "${data.name}": class "${data.classes[id]}" has ${c} rows${what}, fewer than cv.folds (${cv.folds}); use fewer folds or cv.stratified: false${data.classes.length > 20 ? ` (${data.classes.length} classes: if the label is a number to predict, set dataset.task: regression)` : ""}`,
      );
    }
  });
}

/**
 * Checks that `data` can be split into `cv.folds` folds (after the test split, when there is one):
 * at least one row per fold, and with stratification (classification) at least `cv.folds` rows of
 * every class.
 * @throws HpoError("INVALID_DATASET") naming the dataset and the class.
 */
export function checkFoldable(data: Dataset, cv: CvSpec): void {
  const test = testSplit(data, cv);
  checkFoldableRows(data, cv, test?.kept ?? allRows(data.nRows), test ? " outside the test split" : "");
}

const allRows = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * The test split of `cv.test_fraction` (`heldOut`) and the rows left for cross-validation (`kept`),
 * stratified by class like the folds, drawn from `cv.seed`; undefined without a test split.
 */
export function testSplit(data: Dataset, cv: CvSpec): HoldOut | undefined {
  if (cv.test_fraction === undefined) return undefined;
  return holdOut(
    allRows(data.nRows),
    cv.test_fraction,
    cv.seed,
    "test",
    stratifiedBy(data, cv) ? data.labels : undefined,
  );
}

/**
 * The inner validation split of a fold's training rows that early stopping watches (`cv.early_stopping`
 * `inner`, the default, with `patience` > 0): `cv.inner_fraction` of them, stratified like the folds,
 * drawn from `cv.seed` and `seedPart` (the fold). Returns the fold unchanged when there is none.
 */
export function withInnerSplit(
  data: Dataset,
  cv: CvSpec,
  fold: TrainingFold,
  patience: number,
  seedPart: number | string,
): TrainingFold {
  if (patience <= 0 || cv.early_stopping === "fold") return fold;
  const inner = holdOut(
    fold.train,
    cv.inner_fraction ?? DEFAULT_INNER_FRACTION,
    mixSeed(cv.seed, "fold", seedPart),
    "inner",
    stratifiedBy(data, cv) ? data.labels : undefined,
  );
  return { train: inner.kept, validation: fold.validation, inner: inner.heldOut };
}

/**
 * The folds of a trial over the rows outside the test split (all rows without one): K folds per
 * repeat of `range` (default all of `cv.repeats`), repeat r shuffled with `repeatSeed(cv.seed, r)`
 * (core's `kFoldSplit`), stratified by class when `cv.stratified` and the task is classification.
 * Element i is the fold of index range.from × K + i. With one repeat and no test split the folds
 * are those of `kFoldSplit` over every row with `cv.seed`.
 * @throws HpoError("INVALID_DATASET") as `checkFoldable`.
 */
export function splitFolds(data: Dataset, cv: CvSpec, range: RepeatRange = repeatRangeOf(cv)): TrainingFold[] {
  const test = testSplit(data, cv);
  const pool = test?.kept ?? allRows(data.nRows);
  checkFoldableRows(data, cv, pool, test ? " outside the test split" : "");
  const labels = stratifiedBy(data, cv) ? pool.map((r) => data.labels[r] as number) : undefined;
  const row = (i: number) => pool[i] as number;
  const out: TrainingFold[] = [];
  for (let r = range.from; r < range.from + range.count; r++) {
    const folds = kFoldSplit(pool.length, cv.folds, repeatSeed(cv.seed, r), labels);
    for (const f of folds) out.push(test ? { train: f.train.map(row), validation: f.validation.map(row) } : f);
  }
  return out;
}
