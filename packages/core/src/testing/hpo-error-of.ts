import { HpoError } from "../errors.ts";

/**
 * Runs `fn` and returns the HpoError it throws, for tests of refusals. Rethrows any other error;
 * throws "expected an HpoError" when `fn` returns.
 */
export function hpoErrorOf(fn: () => unknown): HpoError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HpoError) return e;
    throw e;
  }
  throw new Error("expected an HpoError");
}
