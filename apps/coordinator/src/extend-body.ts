import { HpoError } from "@hpo/core";

/** Largest budget.max_seconds (as at sweep creation). */
const MAX_SECONDS = 1e9;

/** What `POST /api/sweeps/:id/extend` adds to a sweep's budget. */
export interface ExtendBody {
  readonly trials?: number;
  readonly seconds?: number;
}

/**
 * Validates the body of `POST /api/sweeps/:id/extend`: `{ "trials": n }` (integer 1..100 000)
 * and/or `{ "seconds": s }` (> 0 and at most 1e9, the bound of budget.max_seconds at creation;
 * for sweeps with budget.max_seconds); at least one of them.
 * @throws HpoError INVALID_REQUEST naming the field.
 */
export function extendBody(sweepId: string, body: unknown): ExtendBody {
  const fail = (message: string): never => {
    throw new HpoError("INVALID_REQUEST", `extend sweep "${sweepId}": ${message}`);
  };
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return fail('body must be a JSON object such as { "trials": 10 }');
  }
  const { trials, seconds, ...rest } = body as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) fail(`unknown field ${JSON.stringify(extra[0])} (expected trials, seconds)`);
  if (trials !== undefined && !(Number.isInteger(trials) && (trials as number) >= 1 && (trials as number) <= 100_000)) {
    fail(`trials must be an integer from 1 to 100000, got ${JSON.stringify(trials)}`);
  }
  if (seconds !== undefined && !(typeof seconds === "number" && seconds > 0 && seconds <= MAX_SECONDS)) {
    fail(`seconds must be a number > 0 and at most ${MAX_SECONDS}, got ${JSON.stringify(seconds)}`);
  }
  if (trials === undefined && seconds === undefined) fail("give trials and/or seconds to add");
  return {
    ...(trials !== undefined && { trials: trials as number }),
    ...(seconds !== undefined && { seconds: seconds as number }),
  };
}
