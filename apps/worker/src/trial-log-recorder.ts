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
  /** Records a line for the trial's log without printing it (a program's own output). */
  record(level: TrialLogLevel, fields: Record<string, unknown>, message: string): void;
  /** Takes the lines recorded since the last call (oldest first) and forgets them. */
  drain(): TrialLogLine[];
  /**
   * The line `level(fields, message)` would record, without recording or printing it: for a line
   * that goes to the store with the trial's outcome (store.finishTrial), printed by `logger` after.
   */
  lineOf(level: TrialLogLevel, fields: Record<string, unknown>, message: string): TrialLogLine;
  /** The wrapped pino logger (prints only). */
  readonly logger: Logger;
}

/** A value JSON keeps as it is: string, boolean, null, finite number. */
const isJsonScalar = (v: unknown) =>
  v === null || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));

/** A value whose JSON round trip is itself (minus undefined entries): a scalar or a flat object of scalars. */
const isJsonFlat = (v: unknown): boolean =>
  isJsonScalar(v) ||
  (typeof v === "object" &&
    v !== null &&
    Object.getPrototypeOf(v) === Object.prototype &&
    Object.values(v).every((x) => x === undefined || isJsonScalar(x)));

/** Plain-data copy of pino-style fields: Errors become their message, the rest goes through JSON. */
function plainFields(fields: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let flat = true; // the hot path (trial started/finished): no JSON round trip needed
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    const value = v instanceof Error ? v.message : v;
    out[k] = value;
    if (flat && !isJsonFlat(value)) flat = false;
  }
  if (flat) return out;
  try {
    return JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
  } catch {
    return undefined; // cyclic or BigInt: keep the message only
  }
}

/** Wraps `log` (a pino child with the job's bindings) for a worker named `worker`. */
export function recordingLogger(log: Logger, worker: string, now: () => number = Date.now): RecordingLogger {
  let lines: TrialLogLine[] = [];
  const lineOf = (level: TrialLogLevel, fieldsOrMessage: Record<string, unknown> | string, message?: string) => {
    if (typeof fieldsOrMessage === "string") return { time: now(), level, worker, message: fieldsOrMessage };
    const fields = plainFields(fieldsOrMessage);
    return { time: now(), level, worker, message: message ?? "", ...(fields ? { fields } : {}) };
  };
  const record =
    (level: TrialLogLevel) =>
    (fieldsOrMessage: Record<string, unknown> | string, message?: string): void => {
      if (typeof fieldsOrMessage === "string") log[level](fieldsOrMessage);
      else log[level](fieldsOrMessage, message);
      lines.push(lineOf(level, fieldsOrMessage, message));
    };
  return {
    logger: log,
    lineOf,
    info: record("info"),
    warn: record("warn"),
    error: record("error"),
    record(level, fields, message) {
      lines.push(lineOf(level, fields, message));
    },
    drain() {
      const out = lines;
      lines = [];
      return out;
    },
  };
}
