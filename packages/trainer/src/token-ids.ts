import { HpoError } from "@hpo/core";
import type { Dataset } from "./datasets/dataset.ts";

/**
 * Checks that every input of `data` is a token id an embedding of `inputDim` ids can read: an
 * integer in [0, inputDim), in a numeric column, never missing (the fold encoder would otherwise
 * impute medians, add "was missing" and one-hot inputs, and the embedding would read those as ids).
 * One pass over the inputs, once per trial or refit; the forward pass does not check again.
 * @throws HpoError naming the first offending cell (column, row of the file) and how many there
 *   are: INVALID_DATASET for cells that are no id at all (text, missing, negative, not an
 *   integer), which no input_dim fixes; INVALID_SPEC for ids ≥ `inputDim` (a larger input_dim fits).
 */
export function checkTokenIds(data: Dataset, inputDim: number): void {
  const where = (column: string, row?: number) =>
    `(column "${column}"${row === undefined ? "" : `, row ${row + 1}`} of ${data.name})`;
  const what = `model.layers[0] (embedding) reads integer token ids in [0, ${inputDim})`;
  const text = data.categorical[0];
  if (text)
    throw new HpoError(
      "INVALID_DATASET",
      `${what} but the data has text ${where(text.name)}: give each token as its id`,
    );
  const { features, nFeatures, featureNames } = data;
  let bad = -1;
  let nBad = 0;
  let high = -1;
  let nHigh = 0;
  for (let i = 0; i < features.length; i++) {
    const v = features[i] as number;
    if (v >= 0 && Number.isInteger(v)) {
      if (v < inputDim) continue;
      if (nHigh++ === 0) high = i;
    } else if (nBad++ === 0) bad = i;
  }
  const cell = (i: number) => where(featureNames[i % nFeatures] as string, Math.floor(i / nFeatures));
  const more = (n: number, one: string, many: string) =>
    n > 2 ? `, and ${n - 1} more ${many}` : n > 1 ? `, and 1 more ${one}` : "";
  if (nBad > 0) {
    const v = features[bad] as number;
    const shown = Number.isNaN(v) ? "a missing cell" : `${v}`;
    throw new HpoError(
      "INVALID_DATASET",
      `${what} but the data has ${shown} ${cell(bad)}${more(nBad, "such cell", "such cells")}`,
    );
  }
  if (nHigh > 0) {
    const problem = `is ${inputDim} but the data has id ${features[high]} ${cell(high)}${more(nHigh, `id ≥ ${inputDim}`, `ids ≥ ${inputDim}; the largest is ${maxOf(features)}`)}`;
    throw new HpoError("INVALID_SPEC", `model.layers[0].input_dim ${problem}`, [
      { path: "model.layers[0].input_dim", message: problem },
    ]);
  }
}

function maxOf(values: Float32Array): number {
  let m = Number.NEGATIVE_INFINITY;
  for (const v of values) if (v > m) m = v;
  return m;
}
