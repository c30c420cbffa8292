import { IMAGE_DATASETS, SEQUENCE_DATASETS, SYNTHETIC_DATASETS } from "./dataset-shape.ts";
import type { Issue } from "./errors.ts";
import { joinPath } from "./spec-issues.ts";
import type { ColumnType, DatasetSpec } from "./types.ts";

/** What `dataset.columns` may say about a column. */
export const COLUMN_TYPES = ["numeric", "categorical", "ignore"] as const satisfies readonly ColumnType[];

/** Cells read as missing when `dataset.missing` is not given (compared after trimming). */
export const DEFAULT_MISSING_TOKENS: readonly string[] = ["", "NA", "NaN", "null", "?"];

/** One-hot cap when `dataset.max_categories` is not given. */
export const DEFAULT_MAX_CATEGORIES = 20;

/** `dataset` as the shape schema passed it (before defaults). */
export interface DatasetInput {
  name?: string | undefined;
  path?: string | undefined;
  label?: string | number | undefined;
  task?: "classification" | "regression" | undefined;
  columns?: Record<string, ColumnType> | undefined;
  missing?: string[] | undefined;
  max_categories?: number | undefined;
  images?: number | undefined;
  rows?: number | undefined;
  timesteps?: number | undefined;
}

/**
 * Checks what spans the fields of `dataset` and fills in `task` (regression when a built-in name
 * holds "regression", else classification). Column options (`columns`, `missing`,
 * `max_categories`) apply to CSV files only; the label column takes no column type (its type
 * follows `task`). Issues are appended to `issues`.
 */
export function normaliseDataset(d: DatasetInput, issues: Issue[]): DatasetSpec {
  if (d.name === undefined && d.path === undefined)
    issues.push({
      path: "dataset",
      message: "needs a name (built-in: iris, wine, digits, fashion_mnist) or a path to a CSV file",
    });
  if (d.name !== undefined && d.path !== undefined)
    issues.push({ path: "dataset", message: "takes a name or a path, not both" });
  if (d.path === undefined) {
    for (const key of ["columns", "missing", "max_categories"] as const) {
      if (d[key] !== undefined)
        issues.push({ path: `dataset.${key}`, message: "applies to CSV files only (dataset.path)" });
    }
  }
  if (d.images !== undefined && d.name !== undefined && !IMAGE_DATASETS.includes(d.name))
    issues.push({ path: "dataset.images", message: `applies to image datasets (${IMAGE_DATASETS.join(", ")}) only` });
  const sequence = d.name === undefined ? undefined : SEQUENCE_DATASETS[d.name.split(":")[0] as string];
  if (d.rows !== undefined && (d.name === undefined || !SYNTHETIC_DATASETS.includes(d.name)))
    issues.push({
      path: "dataset.rows",
      message: `applies to synthetic datasets (${SYNTHETIC_DATASETS.join(", ")}) only`,
    });
  if (d.timesteps !== undefined && !sequence)
    issues.push({
      path: "dataset.timesteps",
      message: `applies to sequence datasets (${Object.keys(SEQUENCE_DATASETS).join(", ")}) only`,
    });
  if (typeof d.label === "string" && d.columns && Object.hasOwn(d.columns, d.label)) {
    issues.push({
      path: joinPath(["dataset", "columns", d.label]),
      message: "is the label column: its type follows dataset.task, it takes no column type",
    });
  }
  const task = d.task ?? sequence?.task ?? (d.name && /regression/i.test(d.name) ? "regression" : "classification");
  return {
    ...(d.name !== undefined ? { name: d.name } : {}),
    ...(d.path !== undefined ? { path: d.path } : {}),
    ...(d.label !== undefined ? { label: d.label } : {}),
    task,
    ...(d.columns !== undefined ? { columns: { ...d.columns } } : {}),
    ...(d.missing !== undefined ? { missing: [...d.missing] } : {}),
    ...(d.max_categories !== undefined ? { max_categories: d.max_categories } : {}),
    ...(d.images !== undefined ? { images: d.images } : {}),
    ...(d.rows !== undefined ? { rows: d.rows } : {}),
    ...(d.timesteps !== undefined ? { timesteps: d.timesteps } : {}),
  };
}
