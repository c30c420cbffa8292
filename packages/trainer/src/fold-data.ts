import { DEFAULT_MAX_CATEGORIES, type Fold } from "@hpo/core";
import type { Dataset } from "./datasets/dataset.ts";
import { encodeRows, type FoldEncoder, fitFoldEncoder } from "./fold-encoder.ts";
import { applyStandardizer, fitStandardizer, type Standardizer } from "./standardize.ts";

/** One fold's encoded, standardized arrays (plain JS memory; the fold trainer turns them into tensors). */
export interface FoldData {
  /** Inputs per row (encoded width: numeric columns, missing indicators, one-hot blocks). */
  readonly nFeatures: number;
  readonly xTrain: Float32Array;
  readonly xVal: Float32Array;
  /** Class ids, or regression targets in original units. */
  readonly yTrain: Float32Array;
  readonly yVal: Float32Array;
  /**
   * The inner validation split early stopping watches (rows of the fold's training part that
   * are not trained on), encoded like the validation rows; absent when early stopping watches the
   * fold's validation rows (`cv.early_stopping: fold`) or is off.
   */
  readonly xInner?: Float32Array;
  readonly yInner?: Float32Array;
  /** Regression only: targets are standardized with the training rows' mean and std for training. */
  readonly yMean: number;
  readonly yStd: number;
  /**
   * Classification: the training loss weight of each class (all 1 unless `classWeight` is
   * "balanced": n / (classes present · n_class) over the training rows, as sklearn; 0 for a class
   * absent from them).
   */
  readonly classWeights: Float32Array;
  /** The input layout fitted on the training rows (medians, categories; see fold-encoder.ts). */
  readonly encoder: FoldEncoder;
  /** Scaling of the encoded inputs, fitted on the training rows (mean 0, std 1 when not standardized). */
  readonly standardizer: Standardizer;
}

/** Options of `prepareFold`. */
export interface PrepareFoldOptions {
  /** One-hot cap per categorical column (`dataset.max_categories`); default DEFAULT_MAX_CATEGORIES. */
  readonly maxCategories?: number;
  /** `class_weight` parameter: "none" (default) or "balanced". */
  readonly classWeight?: "none" | "balanced";
  /**
   * Standardize the inputs (default true); false keeps them as they are: token ids for a layer
   * list that starts with an embedding.
   */
  readonly standardize?: boolean;
}

function pick(values: Float32Array, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length);
  rows.forEach((r, i) => {
    out[i] = values[r] as number;
  });
  return out;
}

const allRows = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** A fold to train: `train` rows are trained on, `validation` rows scored, `inner` rows (if any) watched by early stopping. */
export interface TrainingFold extends Fold {
  readonly inner?: readonly number[];
}

/**
 * Splits, encodes and standardizes one fold, fitting every statistic (medians, category lists,
 * means and standard deviations of inputs and regression targets, class weights) on the fold's
 * training rows only (not its inner rows): changing validation or inner rows changes nothing on
 * the training side.
 */
export function prepareFold(data: Dataset, fold: TrainingFold, options: PrepareFoldOptions = {}): FoldData {
  const encoder = fitFoldEncoder(data, fold.train, options.maxCategories ?? DEFAULT_MAX_CATEGORIES);
  const width = encoder.inputs.length;
  const train = encodeRows(encoder, data, fold.train);
  const val = encodeRows(encoder, data, fold.validation);
  const standardizer =
    options.standardize === false
      ? { mean: new Float64Array(width), std: new Float64Array(width).fill(1) }
      : fitStandardizer(train, width, allRows(fold.train.length));
  const yTrain = pick(data.labels, fold.train);
  let yMean = 0;
  let yStd = 1;
  if (data.task === "regression") {
    yMean = yTrain.reduce((a, b) => a + b, 0) / yTrain.length;
    const v = yTrain.reduce((a, b) => a + (b - yMean) ** 2, 0) / yTrain.length;
    yStd = Math.sqrt(v) > 1e-12 ? Math.sqrt(v) : 1;
  }
  return {
    nFeatures: width,
    xTrain: applyStandardizer(standardizer, train, width, allRows(fold.train.length)),
    xVal: applyStandardizer(standardizer, val, width, allRows(fold.validation.length)),
    yTrain,
    yVal: pick(data.labels, fold.validation),
    ...(fold.inner && {
      xInner: applyStandardizer(standardizer, encodeRows(encoder, data, fold.inner), width, allRows(fold.inner.length)),
      yInner: pick(data.labels, fold.inner),
    }),
    yMean,
    yStd,
    classWeights: classWeightsOf(yTrain, data.classes.length, options.classWeight ?? "none"),
    encoder,
    standardizer,
  };
}

/** Per-class loss weights from the training labels (sklearn's "balanced": n / (C · n_c), C the classes present). */
export function classWeightsOf(yTrain: Float32Array, nClasses: number, mode: "none" | "balanced"): Float32Array {
  const weights = new Float32Array(nClasses).fill(1);
  if (mode === "none") return weights;
  const counts = new Array<number>(nClasses).fill(0);
  for (const y of yTrain) counts[y] = (counts[y] as number) + 1;
  const present = counts.filter((c) => c > 0).length;
  counts.forEach((c, k) => {
    weights[k] = c > 0 ? yTrain.length / (present * c) : 0;
  });
  return weights;
}
