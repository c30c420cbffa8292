import { HpoError } from "@hpo/core";

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(Infinity|inf)$/i;

/** True when `cell` reads as a number (finite or not). */
export function isNumeric(cell: string): boolean {
  return NUMERIC.test(cell.trim());
}

/** Throws the CSV loader's error, `dataset "name", line N: problem` (HpoError INVALID_DATASET). */
export function failCsv(name: string, problem: string, line?: number): never {
  throw new HpoError("INVALID_DATASET", `dataset "${name}"${line === undefined ? "" : `, line ${line}`}: ${problem}`);
}
