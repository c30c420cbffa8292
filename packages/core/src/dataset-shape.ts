import type { DatasetSpec } from "./types.ts";

/** Size of a dataset as the trainer sees it (what memory estimates need). */
export interface DatasetShape {
  readonly rows: number;
  readonly features: number;
  /** Model outputs: classes for classification, 1 for regression. */
  readonly outputs: number;
}

/**
 * Shapes of the built-in datasets (packages/trainer/datasets; a trainer test checks these against
 * the loaded files) and of the synthetic generators (packages/trainer/src/datasets/synthetic.ts).
 */
const BUILTIN: Readonly<Record<string, DatasetShape>> = {
  iris: { rows: 150, features: 4, outputs: 3 },
  wine: { rows: 178, features: 13, outputs: 3 },
  digits: { rows: 1797, features: 64, outputs: 10 },
};
const SYNTHETIC: Readonly<Record<string, Omit<DatasetShape, "rows">>> = {
  spirals: { features: 2, outputs: 2 },
  moons: { features: 2, outputs: 2 },
  regression: { features: 8, outputs: 1 },
};
/** Rows of a synthetic dataset named without a size (`moons`). */
const SYNTHETIC_DEFAULT_ROWS = 1000;

/**
 * The shape of a built-in or synthetic dataset (`moons:5000:7` has 5,000 rows); undefined for a
 * CSV file (`path`) or an unknown name, whose shape only a worker can know.
 */
export function datasetShapeOf(spec: DatasetSpec | undefined): DatasetShape | undefined {
  if (spec?.name === undefined) return undefined;
  const builtin = BUILTIN[spec.name];
  if (builtin) return builtin;
  const [base = "", size] = spec.name.split(":");
  const synthetic = SYNTHETIC[base];
  if (!synthetic) return undefined;
  const rows = size === undefined || size === "" ? SYNTHETIC_DEFAULT_ROWS : Number(size);
  return Number.isInteger(rows) && rows > 0 ? { rows, ...synthetic } : undefined;
}
