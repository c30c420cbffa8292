export { deleteKeysUnder } from "./delete-prefix.ts";
export { type Keys, keysFor, trialIdOf } from "./keys.ts";
export { jobIdOf, parseJobId, TRIALS_QUEUE } from "./queue.ts";
export {
  createRedis,
  isSentinelUrl,
  parseSentinelUrl,
  redactRedisUrl,
  redisOptionsOf,
  type SentinelUrl,
} from "./redis-url.ts";
export type { ReportStepOptions, StepReport } from "./rungs.ts";
export * from "./store.ts";
export { isSweepId, newSweepId } from "./sweep-id.ts";
export { createPackedTrialScan } from "./sweep-table-scan.ts";
export {
  appendTrialLog,
  readTrialLog,
  TRIAL_LOG_MAX_LINES,
} from "./trial-log.ts";
export type { TrialScan, TrialScanRow } from "./trial-scan.ts";
