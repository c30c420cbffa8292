import { type ErrorCode, isHpoError } from "@hpo/core";

/** Exit codes of the `hpo` binary. */
export const EXIT = {
  OK: 0,
  /** Server errors, unreachable coordinator, failed sweeps, anything unexpected. */
  FAILURE: 1,
  /** Usage errors and invalid input: bad flags, an invalid sweep file, an unknown id, a conflict. */
  USAGE: 2,
} as const;

const USAGE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "INVALID_SPEC",
  "INVALID_REQUEST",
  "INVALID_DATASET",
  "PAYLOAD_TOO_LARGE",
  "NOT_FOUND",
  // e.g. cancelling a sweep that already completed, or `hpo up` on a port in use.
  "CONFLICT",
]);

/** The exit code for an error thrown by a command. */
export function exitCodeFor(e: unknown): number {
  return isHpoError(e) && USAGE_CODES.has(e.code) ? EXIT.USAGE : EXIT.FAILURE;
}

/**
 * One human-readable report of an error for stderr: `hpo: CODE: message`, then one line per
 * issue (`  - path: message`) when the error carries `details: Issue[]`, then a hint for codes
 * the user can act on.
 */
export function formatError(e: unknown): string {
  if (!isHpoError(e)) {
    const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
    return `hpo: unexpected error: ${msg}`;
  }
  const lines = [`hpo: ${e.code}: ${e.message}`];
  if (Array.isArray(e.details)) {
    for (const d of e.details as unknown[]) {
      if (d && typeof d === "object" && "path" in d && "message" in d) {
        const issue = d as { path: unknown; message: unknown };
        // parseSweepSpec's messages already list every issue; add only the ones missing.
        if (!e.message.includes(String(issue.message))) {
          lines.push(`  - ${String(issue.path) || "(root)"}: ${String(issue.message)}`);
        }
      }
    }
  }
  if (e.code === "UNAUTHORIZED" || e.code === "FORBIDDEN") {
    lines.push("  hint: set HPO_TOKEN (or --token), or run from the folder whose .hpo/token `hpo up` wrote");
  }
  return lines.join("\n");
}
