import { jobIdOf } from "@hpo/store";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";

/** Where a trial's job is, as far as the scheduler's reconcile cares. */
export interface JobState {
  readonly trialId: string;
  /**
   * "missing": no job; "failed" (with BullMQ's reason); "completed" (a kept completed job);
   * "queued": anything else (waiting, delayed, prioritized, active: a worker has it or will).
   */
  readonly state: "missing" | "failed" | "completed" | "queued";
  readonly reason?: string;
}

/**
 * The job states of `trialIds` of a sweep in one pipelined round trip per 500 trials: reads
 * BullMQ's job hash and its failed/completed sets directly (queue.toKey, queue.keys), instead of
 * a getJob + getState pair of round trips per trial.
 */
export async function readJobStates(
  redis: Redis,
  queue: Queue,
  sweepId: string,
  trialIds: readonly string[],
): Promise<JobState[]> {
  const out: JobState[] = [];
  for (let i = 0; i < trialIds.length; i += 500) {
    const chunk = trialIds.slice(i, i + 500);
    const pipe = redis.pipeline();
    for (const trialId of chunk) {
      const jobId = jobIdOf(sweepId, trialId);
      pipe.hget(queue.toKey(jobId), "failedReason");
      pipe.exists(queue.toKey(jobId));
      pipe.zscore(queue.keys.failed as string, jobId);
      pipe.zscore(queue.keys.completed as string, jobId);
    }
    const res = (await pipe.exec()) ?? [];
    chunk.forEach((trialId, j) => {
      const [reason, exists, failed, completed] = res.slice(4 * j, 4 * j + 4).map(([err, v]) => {
        if (err) throw err;
        return v;
      });
      if (!exists) out.push({ trialId, state: "missing" });
      else if (failed !== null) out.push({ trialId, state: "failed", reason: (reason as string | null) ?? "" });
      else if (completed !== null) out.push({ trialId, state: "completed" });
      else out.push({ trialId, state: "queued" });
    });
  }
  return out;
}
