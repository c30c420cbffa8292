import { HpoError, numberInText } from "@hpo/core";

/** True when `cell` reads as a number (finite or not; core's `numberInText`). */
export function isNumeric(cell: string): boolean {
  return numberInText(cell) !== undefined;
}

/** Throws the CSV loader's error, `dataset "name", line N: problem` (HpoError INVALID_DATASET). */
export function failCsv(name: string, problem: string, line?: number): never {
  throw new HpoError("INVALID_DATASET", `dataset "${name}"${line === undefined ? "" : `, line ${line}`}: ${problem}`);
}
