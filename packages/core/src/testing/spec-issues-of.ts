import { HpoError } from "../errors.ts";
import { parseSweepSpec } from "../spec.ts";

/** The message `parseSweepSpec(spec)` refuses `spec` with (its issues, one a line), or "" when it accepts it. */
export function specIssuesOf(spec: unknown): string {
  try {
    parseSweepSpec(spec);
  } catch (e) {
    if (e instanceof HpoError) return e.message;
    throw e;
  }
  return "";
}
