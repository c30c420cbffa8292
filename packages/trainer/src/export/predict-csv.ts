import { readFileSync } from "node:fs";
import { join } from "node:path";
import { HpoError } from "@hpo/core";
import { parse } from "csv-parse/sync";
import { isNumeric } from "../datasets/csv-cells.ts";
import type { CategoricalColumn, Dataset } from "../datasets/dataset.ts";
import type { ModelCard, Preprocessing } from "./exported-model.ts";
import { loadModelFromFiles } from "./refit.ts";
import { encodeForModel, modelOutputs, type Prediction, predictionsOf, scoreOutputs } from "./scoring.ts";

/** What `predictCsv` found: one prediction per data row, and the metrics when the file has the label column. */
export interface CsvPredictions {
  readonly predictions: readonly Prediction[];
  /** The label column's values when the file has it (class names, or numbers for regression). */
  readonly labels?: readonly Prediction[];
  /** The sweep metrics on the file's rows (`val_accuracy`, … as `scoreOutputs`), when labelled. */
  readonly metrics?: Readonly<Record<string, number>>;
}

/** An export read back from its folder (what `hpo export` wrote). */
export interface ExportDir {
  readonly modelJson: Readonly<Record<string, unknown>>;
  readonly weights: Uint8Array;
  readonly preprocessing: Preprocessing;
  /** Absent when the folder has no model-card.json. */
  readonly card?: ModelCard;
}

function readJson(dir: string, file: string, required: boolean): unknown {
  let text: string;
  try {
    text = readFileSync(join(dir, file), "utf8");
  } catch (e) {
    if (!required && (e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new HpoError("INVALID_REQUEST", `export "${dir}": cannot read ${file} (${(e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HpoError("INVALID_REQUEST", `export "${dir}": ${file} is not JSON (${(e as Error).message})`);
  }
}

/**
 * Reads an export folder: `model.json`, `weights.bin`, `preprocessing.json` and, if present, `model-card.json`.
 * @throws HpoError INVALID_REQUEST naming the folder and the file that is missing or unreadable.
 */
export function readExportDir(dir: string): ExportDir {
  const modelJson = readJson(dir, "model.json", true) as Record<string, unknown>;
  const preprocessing = readJson(dir, "preprocessing.json", true) as Preprocessing;
  const card = readJson(dir, "model-card.json", false) as ModelCard | undefined;
  let weights: Uint8Array;
  try {
    weights = new Uint8Array(readFileSync(join(dir, "weights.bin")));
  } catch (e) {
    throw new HpoError("INVALID_REQUEST", `export "${dir}": cannot read weights.bin (${(e as Error).message})`);
  }
  if (!Array.isArray(preprocessing.inputs) || !Array.isArray(preprocessing.mean))
    throw new HpoError("INVALID_REQUEST", `export "${dir}": preprocessing.json has no inputs or mean`);
  return { modelJson, weights, preprocessing, ...(card && { card }) };
}

/** A parsed CSV record with the line csv-parse ended it on. */
interface InfoRecord {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

/**
 * The rows of a CSV file (header row required) as a Dataset laid out for `pre`: its numeric and
 * categorical columns by header name (other columns ignored), the label column when present.
 * @throws HpoError INVALID_DATASET naming the file, the line and the column: a column the model
 *   needs is missing, a numeric cell is not a number, a label is not one of the model's classes.
 */
export function csvRowsFor(pre: Preprocessing, text: string, name: string): { data: Dataset; labelled: boolean } {
  const fail = (problem: string, line?: number): never => {
    throw new HpoError("INVALID_DATASET", `file "${name}"${line === undefined ? "" : `, line ${line}`}: ${problem}`);
  };
  let records: InfoRecord[];
  try {
    records = (
      parse(text, {
        relax_column_count: true,
        trim: true,
        bom: true,
        skip_empty_lines: true,
        info: true,
      }) as unknown as InfoRecord[]
    ).filter((r) => !(r.record.length === 1 && r.record[0] === ""));
  } catch (e) {
    return fail(`malformed CSV: ${(e as Error).message.split("\n")[0]}`);
  }
  const [head, ...rows] = records;
  if (!head) return fail("file is empty");
  const header = head.record;
  const column = (col: string) => header.indexOf(col);
  const needed = [...pre.numeric.map((n) => n.name), ...pre.categorical.map((c) => c.name)];
  const absent = needed.filter((col) => column(col) < 0);
  if (absent.length > 0)
    fail(
      `no column ${absent.map((a) => JSON.stringify(a)).join(", ")} in the header; the model needs ${needed.join(", ")}`,
      head.info.lines,
    );
  const missing = new Set(pre.missing);
  rows.forEach((r) => {
    if (r.record.length !== header.length)
      fail(`ragged row: ${r.record.length} cells, expected ${header.length} like the header`, r.info.lines);
  });
  const nRows = rows.length;
  const nFeatures = pre.numeric.length;
  const features = new Float32Array(nRows * nFeatures);
  pre.numeric.forEach((n, f) => {
    const j = column(n.name);
    rows.forEach((r, i) => {
      const cell = r.record[j] as string;
      if (missing.has(cell)) features[i * nFeatures + f] = Number.NaN;
      else if (isNumeric(cell) && Number.isFinite(Number(cell))) features[i * nFeatures + f] = Number(cell);
      else fail(`non-numeric cell ${JSON.stringify(cell.slice(0, 40))} in numeric column "${n.name}"`, r.info.lines);
    });
  });
  const categorical: CategoricalColumn[] = pre.categorical.map((c) => {
    const j = column(c.name);
    const levels: string[] = [];
    const index = new Map<string, number>();
    const codes = Int32Array.from(rows, (r) => {
      const cell = r.record[j] as string;
      if (missing.has(cell)) return -1;
      let code = index.get(cell);
      if (code === undefined) {
        code = levels.push(cell) - 1;
        index.set(cell, code);
      }
      return code;
    });
    return { name: c.name, codes, levels };
  });
  const labelAt = column(pre.label);
  const labels = new Float32Array(nRows);
  if (labelAt >= 0) {
    const classIds = new Map(pre.classes.map((c, k) => [c, k]));
    rows.forEach((r, i) => {
      const cell = r.record[labelAt] as string;
      const v = pre.task === "regression" ? (isNumeric(cell) ? Number(cell) : undefined) : classIds.get(cell);
      if (v === undefined || !Number.isFinite(v))
        fail(
          pre.task === "regression"
            ? `non-numeric target ${JSON.stringify(cell.slice(0, 40))} in label column "${pre.label}"`
            : `label ${JSON.stringify(cell.slice(0, 40))} in column "${pre.label}" is not a class of the model (${pre.classes.join(", ")})`,
          r.info.lines,
        );
      labels[i] = v as number;
    });
  }
  const data: Dataset = {
    name,
    task: pre.task,
    features,
    labels,
    classes: pre.classes,
    nRows,
    nFeatures,
    featureNames: pre.numeric.map((n) => n.name),
    categorical,
    ignored: [],
  };
  return { data, labelled: labelAt >= 0 };
}

/**
 * Scores the CSV text `text` (named `name` in errors) with an export: each row encoded and scaled
 * with its preprocessing, then the model loaded with `tf.loadLayersModel`. The active tfjs backend
 * is used (select the card's backend first to reproduce its test score bit for bit).
 */
export async function predictCsv(exported: ExportDir, text: string, name: string): Promise<CsvPredictions> {
  const { data, labelled } = csvRowsFor(exported.preprocessing, text, name);
  return predictRows(exported, data, labelled);
}

/**
 * Scores every row of `data` (laid out for the export's preprocessing: `csvRowsFor`,
 * `idxRowsFor`) with the model loaded by `tf.loadLayersModel`; with `labelled`, the metrics too.
 */
export async function predictRows(exported: ExportDir, data: Dataset, labelled: boolean): Promise<CsvPredictions> {
  const pre = exported.preprocessing;
  const rows = Array.from({ length: data.nRows }, (_, i) => i);
  const model = await loadModelFromFiles(exported.modelJson, exported.weights);
  try {
    const outputs = modelOutputs(model, encodeForModel(pre, data, rows), data.nRows, pre.inputs.length);
    const predictions = predictionsOf(pre, outputs, data.nRows);
    if (!labelled) return { predictions };
    const labels = Array.from(data.labels, (v) => (pre.task === "regression" ? v : (pre.classes[v] as string)));
    return { predictions, labels, metrics: scoreOutputs(pre, outputs, data.labels, data.nRows) };
  } finally {
    model.dispose();
  }
}
