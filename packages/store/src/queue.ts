/**
 * Names shared by every process that touches the BullMQ queue (coordinator, workers, tests).
 * The queue is `TRIALS_QUEUE` with `prefix: HPO_PREFIX`; one job per trial.
 */
export const TRIALS_QUEUE = "trials";

/** Deterministic job id of a trial: `${sweepId}__${trialId}` (no ':', never all digits). */
export function jobIdOf(sweepId: string, trialId: string): string {
  return `${sweepId}__${trialId}`;
}

/** Inverse of `jobIdOf`; undefined for ids that are not trial job ids. */
export function parseJobId(jobId: string | undefined): { sweepId: string; trialId: string } | undefined {
  if (!jobId) return undefined;
  const at = jobId.lastIndexOf("__");
  if (at <= 0) return undefined;
  return { sweepId: jobId.slice(0, at), trialId: jobId.slice(at + 2) };
}
