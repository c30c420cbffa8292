import { type ColumnType, compareClassLabels, DEFAULT_MISSING_TOKENS } from "@hpo/core";
import { parse } from "csv-parse/sync";
import { failCsv, isNumeric } from "./csv-cells.ts";
import { typeColumns } from "./csv-columns.ts";
import type { Dataset } from "./dataset.ts";

/** csv-parse options: cells trimmed, rows of any width (checked here, naming the line), BOM dropped. */
const CSV_OPTIONS = { relax_column_count: true, skip_empty_lines: true, trim: true, bom: true } as const;

/** A record as csv-parse gives it with `info: true`: `info.lines` is its last line in the file. */
interface InfoRecord {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

const notBlank = (record: readonly string[]) => !(record.length === 1 && record[0] === "");

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
 * allowed). Classification labels may be any strings (mapped to ids in core's `compareClassLabels`
 * order: numbers by value first, then text in code-unit order); regression labels must be numbers;
 * a missing label is an error.
 * @throws HpoError("INVALID_DATASET") naming the file, the line, the column and the problem: empty
 *         file, no data rows, ragged row, a text cell in a column declared numeric, unknown label or
 *         `columns` entry, missing label, fewer than two classes.
 */
export function parseCsvDataset(text: string, opts: CsvOptions): Dataset {
  const { name } = opts;
  const missing = new Set(opts.missing ?? DEFAULT_MISSING_TOKENS);
  let records: string[][];
  try {
    records = parse(text, CSV_OPTIONS) as string[][];
  } catch (e) {
    const lines = (e as { lines?: number }).lines;
    failCsv(name, `malformed CSV: ${(e as Error).message.split("\n")[0]}`, lines);
  }
  records = records.filter(notBlank);
  // line numbers only for error messages: parsed again, with csv-parse's info (3x the cost), when needed
  let lines: number[] | undefined;
  const lineOfRecord = (i: number): number => {
    lines ??= (parse(text, { ...CSV_OPTIONS, info: true }) as unknown as InfoRecord[])
      .filter((r) => notBlank(r.record))
      .map((r) => r.info.lines);
    return lines[i] as number;
  };
  const first = records[0];
  if (!first) failCsv(name, "file is empty");
  const second = records[1];
  const width = first.length;
  const isText = (c: string) => !missing.has(c) && !isNumeric(c);
  const hasHeader =
    first.every(isText) ||
    (second !== undefined &&
      first.some((c, j) => isText(c) && second[j] !== undefined && isNumeric(second[j] as string)));
  const header = hasHeader ? first : first.map((_, j) => `col${j}`);
  const rows = hasHeader ? records.slice(1) : records;
  const lineOf = (row: number) => lineOfRecord(hasHeader ? row + 1 : row);
  if (rows.length === 0) failCsv(name, "no data rows (only a header)");
  if (width < 2) failCsv(name, `needs at least 2 columns (features and a label), found ${width}`, lineOfRecord(0));
  rows.forEach((record, i) => {
    if (record.length !== width)
      failCsv(name, `ragged row: ${record.length} cells, expected ${width} like the first row`, lineOf(i));
  });
  const labelCol = labelColumn(opts, header, hasHeader);
  const labelName = header[labelCol] as string;
  const nRows = rows.length;
  const rawLabels: string[] = new Array(nRows);
  rows.forEach((record, i) => {
    const cell = record[labelCol] as string;
    if (missing.has(cell)) failCsv(name, `missing label ${JSON.stringify(cell)} in column "${labelName}"`, lineOf(i));
    rawLabels[i] = cell;
  });
  const columns = typeColumns(rows, header, labelCol, {
    name,
    missing,
    lineOf,
    ...(opts.columns && { types: opts.columns }),
  });

  const labels = new Float32Array(nRows);
  let classes: string[] = [];
  if (opts.task === "regression") {
    rawLabels.forEach((cell, i) => {
      const v = Number(cell);
      if (!isNumeric(cell) || !Number.isFinite(v))
        failCsv(
          name,
          `non-numeric regression target ${JSON.stringify(cell.slice(0, 40))} in column "${labelName}"`,
          lineOf(i),
        );
      labels[i] = v;
    });
  } else {
    classes = [...new Set(rawLabels)].sort(compareClassLabels);
    if (classes.length < 2)
      failCsv(name, `classification needs at least 2 classes, found ${classes.length} in column "${labelName}"`);
    const ids = new Map(classes.map((c, k) => [c, k]));
    rawLabels.forEach((cell, i) => {
      labels[i] = ids.get(cell) as number;
    });
  }
  return { name, task: opts.task, labels, classes, nRows, labelName, ...columns };
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
