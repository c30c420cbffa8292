import type { ColumnType } from "@hpo/core";
import { failCsv, isNumeric } from "./csv-cells.ts";
import type { CategoricalColumn, Dataset } from "./dataset.ts";

/** A data row of the file: its cells. */
type CsvRow = readonly string[];

/** Options of `typeColumns`. */
export interface TypeColumnsOptions {
  /** Dataset name for error messages. */
  readonly name: string;
  /** Cells read as missing. */
  readonly missing: ReadonlySet<string>;
  /** 1-based line in the file of data row `row` (for error messages). */
  readonly lineOf: (row: number) => number;
  /** Declared column types by header name (`dataset.columns`). */
  readonly types?: Readonly<Record<string, ColumnType>>;
}

type Columns = Pick<Dataset, "features" | "nFeatures" | "featureNames" | "categorical" | "ignored">;

/**
 * Types and fills the feature columns (every column but `labelCol`). A declared type wins;
 * otherwise a column with any cell that is neither a number nor a missing token is categorical,
 * else numeric (an integer column with few distinct values stays numeric: declare it categorical
 * to one-hot it). Types are a property of the file (the same for every fold); nothing is fitted
 * here. Missing cells become NaN (numeric) or code -1 (categorical).
 * @throws HpoError("INVALID_DATASET") for a `types` entry naming no column, and for a text or
 *         non-finite cell in a numeric column (naming its line and column).
 */
export function typeColumns(
  rows: readonly CsvRow[],
  header: readonly string[],
  labelCol: number,
  opts: TypeColumnsOptions,
): Columns {
  const { name, missing } = opts;
  const declared = opts.types ?? {};
  for (const column of Object.keys(declared)) {
    if (!header.includes(column))
      failCsv(name, `dataset.columns names "${column}", which is not a column; columns: ${header.join(", ")}`);
  }
  const numeric: number[] = [];
  const categorical: number[] = [];
  const ignored: string[] = [];
  header.forEach((column, j) => {
    if (j === labelCol) return;
    const type = Object.hasOwn(declared, column) ? declared[column] : inferType(rows, j, missing);
    if (type === "ignore") ignored.push(column);
    else if (type === "categorical") categorical.push(j);
    else numeric.push(j);
  });

  const nRows = rows.length;
  const nFeatures = numeric.length;
  const features = new Float32Array(nRows * nFeatures);
  rows.forEach((record, i) => {
    numeric.forEach((j, f) => {
      const cell = record[j] as string;
      if (missing.has(cell)) {
        features[i * nFeatures + f] = Number.NaN;
        return;
      }
      const v = Number(cell);
      if (!isNumeric(cell) || !Number.isFinite(v)) {
        const column = header[j] as string;
        const why = Object.hasOwn(declared, column)
          ? "declared numeric in dataset.columns"
          : `not a missing token (${[...missing].map((m) => JSON.stringify(m)).join(", ")})`;
        failCsv(
          name,
          `${isNumeric(cell) ? "non-finite" : "non-numeric"} cell ${JSON.stringify(cell.slice(0, 40))} in numeric column "${column}" (${why})`,
          opts.lineOf(i),
        );
      }
      features[i * nFeatures + f] = v;
    });
  });
  return {
    features,
    nFeatures,
    featureNames: numeric.map((j) => header[j] as string),
    categorical: categorical.map((j) => categoricalColumn(rows, j, header[j] as string, missing)),
    ignored,
  };
}

function inferType(rows: readonly CsvRow[], j: number, missing: ReadonlySet<string>): ColumnType {
  for (const record of rows) {
    const cell = record[j] as string;
    if (!missing.has(cell) && !isNumeric(cell)) return "categorical";
  }
  return "numeric";
}

function categoricalColumn(
  rows: readonly CsvRow[],
  j: number,
  name: string,
  missing: ReadonlySet<string>,
): CategoricalColumn {
  const codes = new Int32Array(rows.length);
  const ids = new Map<string, number>();
  rows.forEach((record, i) => {
    const cell = record[j] as string;
    if (missing.has(cell)) {
      codes[i] = -1;
      return;
    }
    let id = ids.get(cell);
    if (id === undefined) {
      id = ids.size;
      ids.set(cell, id);
    }
    codes[i] = id;
  });
  return { name, codes, levels: [...ids.keys()] };
}
