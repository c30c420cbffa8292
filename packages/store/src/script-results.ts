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
