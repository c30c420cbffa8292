/** A dataset in memory, ready for K-fold training. Immutable by convention: callers never write to it. */
export interface Dataset {
  /** Display name: the built-in/synthetic name or the CSV path as given. */
  readonly name: string;
  readonly task: "classification" | "regression";
  /** Row-major features, `nRows × nFeatures`. */
  readonly features: Float32Array;
  /** Class ids (0..classes.length-1) for classification; targets for regression. */
  readonly labels: Float32Array;
  /** Class names in id order (classification); empty for regression. */
  readonly classes: readonly string[];
  readonly nRows: number;
  readonly nFeatures: number;
  readonly featureNames: readonly string[];
}
