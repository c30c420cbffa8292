import { type CvSpec, type Fold, HpoError, kFoldSplit } from "@hpo/core";
import type { Dataset } from "./datasets/dataset.ts";

/**
 * Checks that `data` can be split into `cv.folds` folds: at least one row per fold, and with
 * stratification (classification) at least `cv.folds` rows of every class.
 * @throws HpoError("INVALID_DATASET") naming the dataset and the class.
 */
export function checkFoldable(data: Dataset, cv: CvSpec): void {
  if (data.nRows < cv.folds) {
    throw new HpoError(
      "INVALID_DATASET",
      `dataset "${data.name}": ${data.nRows} rows, fewer than cv.folds (${cv.folds})`,
    );
  }
  if (!(cv.stratified && data.task === "classification")) return;
  const counts = new Array<number>(data.classes.length).fill(0);
  for (const y of data.labels) counts[y] = (counts[y] as number) + 1;
  counts.forEach((c, id) => {
    if (c < cv.folds) {
      throw new HpoError(
        "INVALID_DATASET",
        `dataset "${data.name}": class "${data.classes[id]}" has ${c} rows, fewer than cv.folds (${cv.folds}); use fewer folds or cv.stratified: false${data.classes.length > 20 ? ` (${data.classes.length} classes: if the label is a number to predict, set dataset.task: regression)` : ""}`,
      );
    }
  });
}

/**
 * The K folds of a trial: stratified by class when `cv.stratified` and the task is classification,
 * shuffled with `cv.seed` (core's `kFoldSplit`).
 * @throws HpoError("INVALID_DATASET") as `checkFoldable`.
 */
export function splitFolds(data: Dataset, cv: CvSpec): Fold[] {
  checkFoldable(data, cv);
  const stratified = cv.stratified && data.task === "classification";
  return kFoldSplit(data.nRows, cv.folds, cv.seed, stratified ? Array.from(data.labels) : undefined);
}
