/** A categorical feature column: each row's category as an index into `levels`. */
export interface CategoricalColumn {
  readonly name: string;
  /** Category of each row (index into `levels`); -1 marks a missing cell. */
  readonly codes: Int32Array;
  /** Distinct values as written in the file, in order of first appearance. */
  readonly levels: readonly string[];
}

/**
 * A dataset in memory, ready for K-fold training: numeric feature columns as one row-major matrix,
 * categorical ones as codes. Nothing here is fitted to the data (no medians, no category lists
 * beyond what the file holds): that happens per fold, on the training rows (see fold-encoder.ts).
 * Immutable by convention: callers never write to it.
 */
export interface Dataset {
  /** Display name: the built-in/synthetic name or the CSV path as given. */
  readonly name: string;
  readonly task: "classification" | "regression";
  /** Numeric feature columns, row-major `nRows × nFeatures`; NaN marks a missing cell. */
  readonly features: Float32Array;
  /** Class ids (0..classes.length-1) for classification; targets for regression. */
  readonly labels: Float32Array;
  /** Class names in id order (classification); empty for regression. */
  readonly classes: readonly string[];
  readonly nRows: number;
  /** Numeric feature columns. */
  readonly nFeatures: number;
  /** Names of the numeric feature columns. */
  readonly featureNames: readonly string[];
  /** Categorical feature columns (after the numeric ones in the encoded inputs). */
  readonly categorical: readonly CategoricalColumn[];
  /** Header of the label column (CSV files); undefined for synthetic datasets. */
  readonly labelName?: string;
  /** Columns left out (`dataset.columns: { name: ignore }`). */
  readonly ignored: readonly string[];
  /** [height, width, channels] when each row is an image (what a layer list's conv2d sees). */
  readonly image?: readonly [number, number, number];
  /** [timesteps, features] when each row is a sequence (what a layer list's recurrent layers see). */
  readonly sequence?: readonly [number, number];
}
