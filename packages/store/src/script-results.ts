import { HpoError } from "@hpo/core";

/**
 * The result codes of the store's Lua scripts (BullMQ's enums/error-code.ts): one table, which the
 * scripts see as `RESULT` (generated into them by lua-scripts.ts, `--- @include "results"`). A
 * script returns one of these or data (a count ≥ 0, a list); each script's header says which.
 */
export const SCRIPT_RESULT = {
  /** The change was made. */
  DONE: 1,
  /** Nothing to do: already in that state, not running, a stale run, a duplicate epoch. */
  IGNORED: 0,
  /** The sweep or trial does not exist. */
  MISSING: -1,
  /** The sweep's spec changed since the caller read it (compare-and-set lost; read and retry). */
  SPEC_CHANGED: -2,
  /** The sweep's status does not allow the operation. */
  NOT_ALLOWED: -3,
} as const;

export type ScriptResult = (typeof SCRIPT_RESULT)[keyof typeof SCRIPT_RESULT];

/** What a script call was, for the messages of its errors. */
export interface ScriptCall {
  /** What the call does, e.g. `resume sweep "s1"`; every message starts with it. */
  readonly operation: string;
  /** What MISSING says is missing, e.g. `sweep "s1"`. */
  readonly subject: string;
  /** Why NOT_ALLOWED, e.g. "the sweep is running; only a cancelled sweep can be resumed". */
  readonly notAllowed?: string;
}

/**
 * The HpoError a script's result stands for (BullMQ's finished-errors.ts): MISSING → NOT_FOUND,
 * SPEC_CHANGED and NOT_ALLOWED → CONFLICT; undefined for every other result (DONE, IGNORED, a
 * count, data). The one place script results become errors.
 */
export function scriptError(result: unknown, call: ScriptCall): HpoError | undefined {
  switch (result) {
    case SCRIPT_RESULT.MISSING:
      return new HpoError("NOT_FOUND", `${call.operation}: ${call.subject} not found`);
    case SCRIPT_RESULT.SPEC_CHANGED:
      return new HpoError("CONFLICT", `${call.operation}: the spec kept changing while it was written`);
    case SCRIPT_RESULT.NOT_ALLOWED:
      return new HpoError("CONFLICT", `${call.operation}: ${call.notAllowed ?? "the state does not allow it"}`);
    default:
      return undefined;
  }
}

/** `result` when it is no error; throws `scriptError(result, call)` otherwise. */
export function checkScriptResult<T>(result: T, call: ScriptCall): T {
  const error = scriptError(result, call);
  if (error) throw error;
  return result;
}
