/** Types of hpo.mjs, hpo's helper for training programs (see that file for the protocol). */

/** A parameter value as hpo passes it: nested parameters are nested objects. */
export type ParamValue = string | number | boolean | null | ParamValue[] | { [name: string]: ParamValue };

/** The trial's parameters (`HPO_PARAMS`) merged over `defaults` (nested objects merge too). */
export function params<T extends Record<string, unknown> = Record<string, ParamValue>>(defaults?: Partial<T>): T;

/** True in a trial's refit run (`HPO_REFIT=1`, `hpo export`): one run on every row, its HPO_OUTPUT_DIR exported. */
export function refit(): boolean;

/** This process's fold, 0-based (`HPO_FOLD`; 0 outside hpo). */
export function fold(): number;

/** The number of folds of the trial (`HPO_FOLDS`; 5 outside hpo). */
export function folds(): number;

/** A directory for this fold's files (`HPO_OUTPUT_DIR`, created if missing; "." outside hpo). */
export function outputDir(): string;

/**
 * Writes `{"hpo":{"step":step,...metrics}}` to stdout.
 * @throws Error for a step that is not a non-negative integer, no metric, a name "" or "step", or a non-finite value.
 */
export function report(step: number, metrics: Readonly<Record<string, number>>): void;

/** Row indices of one fold. */
export interface FoldIndices {
  readonly train: number[];
  readonly validation: number[];
}

/**
 * Row indices of fold `fold` (default: this process's fold) in the split hpo's built-in K-fold
 * makes for this sweep: stratified by `labels` when the sweep is (`HPO_CV_STRATIFIED`), with `HPO_CV_SEED`.
 */
export function kfoldIndices(n: number, labels?: ArrayLike<number | string> | null, fold?: number): FoldIndices;
