import type { TrialLogLevel, TrialLogLine } from "@hpo/core";
import type { Logger } from "pino";

/**
 * A job's logger: logs through the worker's pino logger as before and also keeps each line, so
 * the worker can append them to the trial's log in the store when the job ends (one round trip
 * per job; see packages/store/src/trial-log.ts). Only info/warn/error lines are kept; fields must
 * be plain data (an Error is kept as its message).
 */
export interface RecordingLogger {
  info(fieldsOrMessage: Record<string, unknown> | string, message?: string): void;
  warn(fieldsOrMessage: Record<string, unknown> | string, message?: string): void;
  error(fieldsOrMessage: Record<string, unknown> | string, message?: string): void;
  /** Takes the lines recorded since the last call (oldest first) and forgets them. */
  drain(): TrialLogLine[];
}

/** Plain-data copy of pino-style fields: Errors become their message, the rest goes through JSON. */
function plainFields(fields: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = v instanceof Error ? v.message : v;
  try {
    return JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
  } catch {
    return undefined; // cyclic or BigInt: keep the message only
  }
}

/** Wraps `log` (a pino child with the job's bindings) for a worker named `worker`. */
export function recordingLogger(log: Logger, worker: string, now: () => number = Date.now): RecordingLogger {
  let lines: TrialLogLine[] = [];
  const record =
    (level: TrialLogLevel) =>
    (fieldsOrMessage: Record<string, unknown> | string, message?: string): void => {
      if (typeof fieldsOrMessage === "string") {
        log[level](fieldsOrMessage);
        lines.push({ time: now(), level, worker, message: fieldsOrMessage });
        return;
      }
      log[level](fieldsOrMessage, message);
      const fields = plainFields(fieldsOrMessage);
      lines.push({ time: now(), level, worker, message: message ?? "", ...(fields ? { fields } : {}) });
    };
  return {
    info: record("info"),
    warn: record("warn"),
    error: record("error"),
    drain() {
      const out = lines;
      lines = [];
      return out;
    },
  };
}
