import { type ErrorCode, HpoError, type TrialJob } from "@hpo/core";
import { type BackendPreference, selectBackend } from "@hpo/trainer";
import { type RefitResult, refitTrial } from "@hpo/trainer/export";

/** One refit, as sent to the refit thread. */
export interface RefitRequest {
  readonly job: TrialJob;
  readonly dataDirs: readonly string[];
  /** Where a model module may be loaded from (the workers' HPO_MODEL_DIRS). */
  readonly modelDirs: readonly string[];
  /** TensorFlow.js backend to refit on (the workers' HPO_BACKEND choice; "auto" picks the best). */
  readonly backend: BackendPreference;
}

/** A refit as kept in Redis and crossing the thread boundary: `RefitResult` with its weights in base64. */
export type StoredRefit = Omit<RefitResult, "weights"> & {
  /** base64 of `weights.bin`. */
  readonly weights: string;
  /** Seed the refit trained with. */
  readonly seed: number;
};

/** A refit's outcome as it crosses the thread boundary: the refit, or the HpoError's parts. */
export type RefitReply =
  | { readonly refit: StoredRefit }
  | { readonly error: { readonly code: ErrorCode; readonly message: string } };

let backend: Promise<unknown> | undefined;

/**
 * Runs `refitTrial` (selecting the backend on the first call) and turns an HpoError into data so
 * that its code survives the trip back from the thread. Other errors are thrown.
 */
export async function runRefit(req: RefitRequest): Promise<RefitReply> {
  try {
    backend ??= selectBackend(req.backend);
    await backend;
    const r = await refitTrial(req.job, { dataDirs: req.dataDirs, modelDirs: req.modelDirs });
    return { refit: { ...r, weights: Buffer.from(r.weights).toString("base64"), seed: req.job.seed } };
  } catch (e) {
    if (!(e instanceof HpoError)) throw e;
    return { error: { code: e.code, message: e.message } };
  }
}
