import { HpoError } from "@hpo/core";
import { parse } from "csv-parse/sync";
import type { Dataset } from "./dataset.ts";

/** Options of `parseCsvDataset`. */
export interface CsvOptions {
  /** Name used in error messages and as the dataset name (usually the path as the user gave it). */
  readonly name: string;
  /** Label column by header name or 0-based index (negative counts from the end); default: the last column. */
  readonly label?: string | number;
  readonly task: "classification" | "regression";
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(Infinity|inf)$/i;

function isNumeric(cell: string): boolean {
  return NUMERIC.test(cell.trim());
}

function fail(name: string, problem: string, line?: number): never {
  throw new HpoError("INVALID_DATASET", `dataset "${name}"${line === undefined ? "" : `, line ${line}`}: ${problem}`);
}

/**
 * Parses CSV text into a Dataset. The first row is a header when it holds a non-numeric cell above
 * a numeric one (or only non-numeric cells). Features must be finite numbers; classification labels
 * may be any strings (mapped to ids in sorted order, numerically when all are numbers); regression
 * labels must be numbers. A constant feature is fine.
 * @throws HpoError("INVALID_DATASET") naming the file, the line and the problem: empty file, no data
 *         rows, ragged row, empty or non-numeric cell, unknown label column, fewer than two classes.
 */
export function parseCsvDataset(text: string, opts: CsvOptions): Dataset {
  const { name } = opts;
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
      bom: true,
    }) as unknown as typeof records;
  } catch (e) {
    const lines = (e as { lines?: number }).lines;
    fail(name, `malformed CSV: ${(e as Error).message.split("\n")[0]}`, lines);
  }
  records = records.filter((r) => !(r.record.length === 1 && r.record[0] === ""));
  const first = records[0];
  if (!first) fail(name, "file is empty");
  const second = records[1];
  const width = first.record.length;
  const hasHeader =
    first.record.every((c) => !isNumeric(c)) ||
    (second !== undefined &&
      first.record.some(
        (c, j) => !isNumeric(c) && second.record[j] !== undefined && isNumeric(second.record[j] as string),
      ));
  const header = hasHeader ? first.record : first.record.map((_, j) => `col${j}`);
  const rows = hasHeader ? records.slice(1) : records;
  if (rows.length === 0) fail(name, "no data rows (only a header)");
  if (width < 2) fail(name, `needs at least 2 columns (features and a label), found ${width}`, first.info.lines);

  let labelCol: number;
  if (opts.label === undefined) labelCol = width - 1;
  else if (typeof opts.label === "number") {
    labelCol = opts.label < 0 ? width + opts.label : opts.label;
    if (!Number.isInteger(opts.label) || labelCol < 0 || labelCol >= width)
      fail(name, `label column index ${opts.label} is out of range for ${width} columns`);
  } else {
    labelCol = header.indexOf(opts.label);
    if (labelCol < 0) {
      fail(
        name,
        hasHeader
          ? `label column "${opts.label}" not found; columns: ${header.join(", ")}`
          : `label column "${opts.label}" given by name but the file has no header row`,
      );
    }
  }

  const nRows = rows.length;
  const nFeatures = width - 1;
  const features = new Float32Array(nRows * nFeatures);
  const rawLabels: string[] = new Array(nRows);
  rows.forEach(({ record, info }, i) => {
    const line = info.lines;
    if (record.length !== width)
      fail(name, `ragged row: ${record.length} cells, expected ${width} like the first row`, line);
    let f = 0;
    for (let j = 0; j < width; j++) {
      const cell = record[j] as string;
      const column = header[j] ?? `col${j}`;
      if (j === labelCol) {
        if (cell === "") fail(name, `empty label in column "${column}"`, line);
        rawLabels[i] = cell;
        continue;
      }
      if (cell === "") fail(name, `empty cell in column "${column}" (missing values are not supported)`, line);
      const v = Number(cell);
      if (!isNumeric(cell) || !Number.isFinite(v))
        fail(name, `non-numeric cell ${JSON.stringify(cell.slice(0, 40))} in feature column "${column}"`, line);
      features[i * nFeatures + f++] = v;
    }
  });

  const featureNames = header.filter((_, j) => j !== labelCol);
  const labels = new Float32Array(nRows);
  let classes: string[] = [];
  if (opts.task === "regression") {
    rawLabels.forEach((cell, i) => {
      const v = Number(cell);
      if (!isNumeric(cell) || !Number.isFinite(v))
        fail(
          name,
          `non-numeric regression target ${JSON.stringify(cell.slice(0, 40))} in column "${header[labelCol]}"`,
          rows[i]?.info.lines,
        );
      labels[i] = v;
    });
  } else {
    const unique = [...new Set(rawLabels)];
    const numeric = unique.every(isNumeric);
    classes = unique.sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
    if (classes.length < 2)
      fail(name, `classification needs at least 2 classes, found ${classes.length} in column "${header[labelCol]}"`);
    const ids = new Map(classes.map((c, k) => [c, k]));
    rawLabels.forEach((cell, i) => {
      labels[i] = ids.get(cell) as number;
    });
  }
  return { name, task: opts.task, features, labels, classes, nRows, nFeatures, featureNames };
}
