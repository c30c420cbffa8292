import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { type ColumnType, type CvSpec, type DatasetShape, type DatasetSpec, DEFAULT_MAX_CATEGORIES } from "@hpo/core";
import { fitFoldEncoder } from "../fold-encoder.ts";
import { checkFoldable } from "../fold-split.ts";
import { checkTokenIds } from "../token-ids.ts";
import { loadDataset } from "./load-dataset.ts";

/** What a CSV dataset holds, as checked at submit time. */
export interface DatasetSummary {
  /** The path as the sweep gives it. */
  readonly path: string;
  readonly rows: number;
  readonly task: "classification" | "regression";
  /** Distinct labels (classification); 0 for regression. */
  readonly classes: number;
  /** Type of every feature column (inferred or declared), in file order within each type. */
  readonly columns: Readonly<Record<string, ColumnType>>;
  /**
   * The data as the memory estimate sees it (`checkSweepMemory`): `features` is the encoded input
   * width (one-hot, "other" and "was missing" inputs) fitted on every row, the widest a fold's
   * encoding (fitted on its training rows) can be; `outputs` the classes, or 1 for regression.
   */
  readonly shape: DatasetShape;
}

/**
 * True when `path` names an existing file in one of `dataDirs` (relative) or is one (absolute):
 * this process can read what the workers will read, given the same data directories.
 */
function reachable(path: string, dataDirs: readonly string[]): boolean {
  if (isAbsolute(path)) return existsSync(path);
  return dataDirs.some((dir) => existsSync(resolve(dir, path)));
}

/**
 * Checks a sweep's CSV dataset where this process can read it (the coordinator at submit time,
 * with the workers' data directories): confinement, header, label column, task (numeric targets
 * for regression, at least two classes), column types (a `dataset.columns` entry naming no
 * column, text in a column declared numeric), row count and folds (rows per fold, rows per class
 * when stratified), and with `embeddingInputDim` (the smallest input_dim of the embedding the
 * layer list starts with) that every input is a token id below it (`checkTokenIds`). Parses the
 * file once (the per-process dataset cache keeps it).
 * @returns the summary, or undefined when the dataset is not a CSV path, or the file is in none of
 *          `dataDirs` here (only the workers may see it: their first trial reports the problem).
 * @throws HpoError("INVALID_DATASET") naming the file, and where it applies the line and column;
 *         HpoError("INVALID_SPEC") at `model.layers[0].input_dim` for ids ≥ `embeddingInputDim`.
 */
export function checkDataset(
  dataset: DatasetSpec,
  cv: CvSpec,
  dataDirs: readonly string[],
  embeddingInputDim?: number,
): DatasetSummary | undefined {
  const path = dataset.path;
  if (path === undefined || path === "") return undefined;
  // ".." is refused wherever the file is: let the loader say so
  if (!path.split(/[\\/]/).includes("..") && !reachable(path, dataDirs)) return undefined;
  const data = loadDataset(dataset, { dataDirs });
  checkFoldable(data, cv);
  if (embeddingInputDim !== undefined) checkTokenIds(data, embeddingInputDim);
  const columns: Record<string, ColumnType> = {};
  for (const name of data.featureNames) columns[name] = "numeric";
  for (const c of data.categorical) columns[c.name] = "categorical";
  for (const name of data.ignored) columns[name] = "ignore";
  const allRows = Array.from({ length: data.nRows }, (_, i) => i);
  const inputs = fitFoldEncoder(data, allRows, dataset.max_categories ?? DEFAULT_MAX_CATEGORIES).inputs.length;
  const outputs = data.task === "classification" ? data.classes.length : 1;
  const shape = { rows: data.nRows, features: inputs, outputs };
  return { path, rows: data.nRows, task: data.task, classes: data.classes.length, columns, shape };
}
