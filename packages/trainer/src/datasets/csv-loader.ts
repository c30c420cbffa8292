import { type ColumnType, DEFAULT_MISSING_TOKENS } from "@hpo/core";
import { parse } from "csv-parse/sync";
import { failCsv, isNumeric } from "./csv-cells.ts";
import { type CsvRow, typeColumns } from "./csv-columns.ts";
import type { Dataset } from "./dataset.ts";

/** Options of `parseCsvDataset`. */
export interface CsvOptions {
  /** Name used in error messages and as the dataset name (usually the path as the user gave it). */
  readonly name: string;
  /** Label column by header name or 0-based index (negative counts from the end); default: the last column. */
  readonly label?: string | number;
  readonly task: "classification" | "regression";
  /** Column types by header name (`dataset.columns`), overriding inference. */
  readonly columns?: Readonly<Record<string, ColumnType>>;
  /** Cells read as missing (`dataset.missing`); default DEFAULT_MISSING_TOKENS. */
  readonly missing?: readonly string[];
}

/**
 * Parses CSV text (csv-parse: quoted cells, BOM, CRLF) into a Dataset. The first row is a header
 * when it holds a text cell (neither a number nor a missing token) above a number, or only text
 * cells. Feature columns are typed by `typeColumns` (numeric, categorical or ignored; missing cells
 * allowed). Classification labels may be any strings (mapped to ids in sorted order, numerically
 * when all are numbers); regression labels must be numbers; a missing label is an error.
 * @throws HpoError("INVALID_DATASET") naming the file, the line, the column and the problem: empty
 *         file, no data rows, ragged row, a text cell in a column declared numeric, unknown label or
 *         `columns` entry, missing label, fewer than two classes.
 */
export function parseCsvDataset(text: string, opts: CsvOptions): Dataset {
  const { name } = opts;
  const missing = new Set(opts.missing ?? DEFAULT_MISSING_TOKENS);
  let records: CsvRow[];
  try {
    records = parse(text, {
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
      bom: true,
    }) as unknown as CsvRow[];
  } catch (e) {
    const lines = (e as { lines?: number }).lines;
    failCsv(name, `malformed CSV: ${(e as Error).message.split("\n")[0]}`, lines);
  }
  records = records.filter((r) => !(r.record.length === 1 && r.record[0] === ""));
  const first = records[0];
  if (!first) failCsv(name, "file is empty");
  const second = records[1];
  const width = first.record.length;
  const isText = (c: string) => !missing.has(c) && !isNumeric(c);
  const hasHeader =
    first.record.every(isText) ||
    (second !== undefined &&
      first.record.some(
        (c, j) => isText(c) && second.record[j] !== undefined && isNumeric(second.record[j] as string),
      ));
  const header = hasHeader ? first.record : first.record.map((_, j) => `col${j}`);
  const rows = hasHeader ? records.slice(1) : records;
  if (rows.length === 0) failCsv(name, "no data rows (only a header)");
  if (width < 2) failCsv(name, `needs at least 2 columns (features and a label), found ${width}`, first.info.lines);
  for (const { record, info } of rows) {
    if (record.length !== width)
      failCsv(name, `ragged row: ${record.length} cells, expected ${width} like the first row`, info.lines);
  }
  const labelCol = labelColumn(opts, header, hasHeader);
  const labelName = header[labelCol] as string;
  const nRows = rows.length;
  const rawLabels: string[] = new Array(nRows);
  rows.forEach(({ record, info }, i) => {
    const cell = record[labelCol] as string;
    if (missing.has(cell)) failCsv(name, `missing label ${JSON.stringify(cell)} in column "${labelName}"`, info.lines);
    rawLabels[i] = cell;
  });
  const columns = typeColumns(rows, header, labelCol, { name, missing, ...(opts.columns && { types: opts.columns }) });

  const labels = new Float32Array(nRows);
  let classes: string[] = [];
  if (opts.task === "regression") {
    rawLabels.forEach((cell, i) => {
      const v = Number(cell);
      if (!isNumeric(cell) || !Number.isFinite(v))
        failCsv(
          name,
          `non-numeric regression target ${JSON.stringify(cell.slice(0, 40))} in column "${labelName}"`,
          rows[i]?.info.lines,
        );
      labels[i] = v;
    });
  } else {
    const unique = [...new Set(rawLabels)];
    const numeric = unique.every(isNumeric);
    classes = unique.sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
    if (classes.length < 2)
      failCsv(name, `classification needs at least 2 classes, found ${classes.length} in column "${labelName}"`);
    const ids = new Map(classes.map((c, k) => [c, k]));
    rawLabels.forEach((cell, i) => {
      labels[i] = ids.get(cell) as number;
    });
  }
  return { name, task: opts.task, labels, classes, nRows, ...columns };
}

function labelColumn(opts: CsvOptions, header: readonly string[], hasHeader: boolean): number {
  const { name } = opts;
  const width = header.length;
  if (opts.label === undefined) return width - 1;
  if (typeof opts.label === "number") {
    const col = opts.label < 0 ? width + opts.label : opts.label;
    if (!Number.isInteger(opts.label) || col < 0 || col >= width)
      failCsv(name, `label column index ${opts.label} is out of range for ${width} columns`);
    return col;
  }
  const col = header.indexOf(opts.label);
  if (col < 0) {
    failCsv(
      name,
      hasHeader
        ? `label column "${opts.label}" not found; columns: ${header.join(", ")}`
        : `label column "${opts.label}" given by name but the file has no header row`,
    );
  }
  return col;
}
