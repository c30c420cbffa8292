import type { Fold } from "@hpo/core";
import type { Dataset } from "./datasets/dataset.ts";
import { applyStandardizer, fitStandardizer } from "./standardize.ts";

/** One fold's standardized arrays (plain JS memory; the fold trainer turns them into tensors). */
export interface FoldData {
  readonly nFeatures: number;
  readonly xTrain: Float32Array;
  readonly xVal: Float32Array;
  /** Class ids, or regression targets in original units. */
  readonly yTrain: Float32Array;
  readonly yVal: Float32Array;
  /** Regression only: targets are standardized with the training rows' mean and std for training. */
  readonly yMean: number;
  readonly yStd: number;
}

function pick(values: Float32Array, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length);
  rows.forEach((r, i) => {
    out[i] = values[r] as number;
  });
  return out;
}

/** Splits and standardizes one fold, fitting every statistic on the training rows only. */
export function prepareFold(data: Dataset, fold: Fold): FoldData {
  const s = fitStandardizer(data.features, data.nFeatures, fold.train);
  const yTrain = pick(data.labels, fold.train);
  let yMean = 0;
  let yStd = 1;
  if (data.task === "regression") {
    yMean = yTrain.reduce((a, b) => a + b, 0) / yTrain.length;
    const v = yTrain.reduce((a, b) => a + (b - yMean) ** 2, 0) / yTrain.length;
    yStd = Math.sqrt(v) > 1e-12 ? Math.sqrt(v) : 1;
  }
  return {
    nFeatures: data.nFeatures,
    xTrain: applyStandardizer(s, data.features, data.nFeatures, fold.train),
    xVal: applyStandardizer(s, data.features, data.nFeatures, fold.validation),
    yTrain,
    yVal: pick(data.labels, fold.validation),
    yMean,
    yStd,
  };
}
