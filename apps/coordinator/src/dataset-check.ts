import { type ErrorCode, HpoError, type SweepSpec, smallestEmbeddingInputDim } from "@hpo/core";
import { checkDataset, type DatasetSummary } from "@hpo/trainer/datasets";
import { createRequestThread } from "./request-thread.ts";

/** One submit-time check, as sent to the dataset-check thread. */
export interface DatasetCheckRequest {
  readonly dataset: NonNullable<SweepSpec["dataset"]>;
  readonly cv: SweepSpec["cv"];
  readonly dataDirs: readonly string[];
  /** The smallest input_dim of the embedding the sweep's layer list starts with, if it does. */
  readonly embeddingInputDim?: number;
}

/** A check's outcome as it crosses the thread boundary: the summary, or the HpoError's parts. */
export type DatasetCheckOutcome =
  | { readonly summary: DatasetSummary | undefined }
  | { readonly error: { readonly code: ErrorCode; readonly message: string; readonly details?: unknown } };

/**
 * Runs `checkDataset` (it reads and parses the whole file; `pnpm exec tsx bench/dataset-cache.ts`
 * measures that cost, docs/performance.md) and turns an HpoError into data, so that its code and
 * message survive the trip back from the thread. Other errors are thrown.
 */
export function runDatasetCheck(req: DatasetCheckRequest): DatasetCheckOutcome {
  try {
    return { summary: checkDataset(req.dataset, req.cv, req.dataDirs, req.embeddingInputDim) };
  } catch (e) {
    if (!(e instanceof HpoError)) throw e;
    return { error: { code: e.code, message: e.message, ...(e.details !== undefined && { details: e.details }) } };
  }
}

/** Checks submitted sweeps' CSV files off the event loop. */
export interface DatasetChecker {
  /**
   * Checks `spec`'s CSV file when the coordinator can read it (the same data directories as the
   * workers, HPO_DATA_DIRS), before anything is stored or queued: see `checkDataset`. The file is
   * read and parsed in a worker thread (dataset-check-thread.ts), started at the first CSV sweep
   * and awaited until ready; when it cannot start or dies, on the main thread.
   * @returns the file's summary, or undefined when the sweep names no CSV path or the file is not
   *          in the data directories here.
   * When the layer list starts with an embedding, every input must be a token id below its
   * smallest input_dim (`checkTokenIds`).
   * @throws HpoError INVALID_SPEC (400) with one issue at `dataset`, whose message names the file,
   *         and the line and column where the problem is, or at `model.layers[0].input_dim` for
   *         ids too large; other HpoErrors of the check as they are.
   */
  check(spec: SweepSpec): Promise<DatasetSummary | undefined>;
  /** Terminates the thread; later checks run on the main thread. */
  close(): Promise<void>;
}

/** A checker for the data directories `dataDirs` (none: no file is checked). */
export function createDatasetChecker(dataDirs: readonly string[]): DatasetChecker {
  const thread = createRequestThread<DatasetCheckRequest, DatasetCheckOutcome>({
    callerUrl: import.meta.url,
    name: "dataset-check-thread",
    inline: (req) => new Promise((resolve) => setImmediate(() => resolve(runDatasetCheck(req)))),
  });
  return {
    async check(spec) {
      if (dataDirs.length === 0 || !spec.dataset?.path) return undefined;
      thread.start();
      await thread.whenReady();
      const embeddingInputDim = smallestEmbeddingInputDim(spec.model?.layers, spec.parameters);
      const outcome = await thread.request({
        dataset: spec.dataset,
        cv: spec.cv,
        dataDirs,
        ...(embeddingInputDim !== undefined && { embeddingInputDim }),
      });
      if ("summary" in outcome) return outcome.summary;
      const { code, message, details } = outcome.error;
      if (code === "INVALID_SPEC") throw new HpoError(code, `sweep ${JSON.stringify(spec.name)}: ${message}`, details);
      if (code !== "INVALID_DATASET") throw new HpoError(code, message, details);
      throw new HpoError("INVALID_SPEC", `sweep ${JSON.stringify(spec.name)}: ${message}`, [
        { path: "dataset", message },
      ]);
    },
    close: thread.close,
  };
}
