import { type CvSpec, type Fold, HpoError, kFoldSplit } from "@hpo/core";
import type { Dataset } from "./datasets/dataset.ts";

/**
 * The K folds of a trial: stratified by class when `cv.stratified` and the task is classification,
 * shuffled with `cv.seed` (core's `kFoldSplit`).
 * @throws HpoError("INVALID_DATASET") naming the dataset when a class has fewer rows than folds.
 */
export function splitFolds(data: Dataset, cv: CvSpec): Fold[] {
  const stratified = cv.stratified && data.task === "classification";
  if (stratified) {
    const counts = new Array<number>(data.classes.length).fill(0);
    for (const y of data.labels) counts[y] = (counts[y] as number) + 1;
    counts.forEach((c, id) => {
      if (c < cv.folds) {
        throw new HpoError(
          "INVALID_DATASET",
          `dataset "${data.name}": class "${data.classes[id]}" has ${c} rows, fewer than cv.folds (${cv.folds}); use fewer folds or cv.stratified: false`,
        );
      }
    });
  }
  return kFoldSplit(data.nRows, cv.folds, cv.seed, stratified ? Array.from(data.labels) : undefined);
}
