import { HpoError, type SweepSpec } from "@hpo/core";
import { checkDataset, type DatasetSummary } from "@hpo/trainer/datasets";

/**
 * Checks a submitted sweep's CSV file when the coordinator can read it (the same data directories
 * as the workers, HPO_DATA_DIRS), before anything is stored or queued: see `checkDataset`.
 * @returns the file's summary, or undefined when the file is not in `dataDirs` here.
 * @throws HpoError INVALID_SPEC (400) with one issue at `dataset`, whose message names the file,
 *         and the line and column where the problem is.
 */
export function checkSweepDataset(spec: SweepSpec, dataDirs: readonly string[]): DatasetSummary | undefined {
  try {
    return checkDataset(spec.dataset, spec.cv, dataDirs);
  } catch (e) {
    if (!(e instanceof HpoError) || e.code !== "INVALID_DATASET") throw e;
    throw new HpoError("INVALID_SPEC", `sweep ${JSON.stringify(spec.name)}: ${e.message}`, [
      { path: "dataset", message: e.message },
    ]);
  }
}
