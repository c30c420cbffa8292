/**
 * Suites that need something from the machine (root and `ip netns`, a Chromium): they run when it
 * is there, and never go quietly green when it is not.
 */
import { describe, it } from "vitest";

/**
 * True when the environment says this is a CI run: `CI` set to anything but "", "0" or "false"
 * (CI services set CI=true; `.ci/run` sets it too).
 */
export function inCi(): boolean {
  const ci = (process.env.CI ?? "").trim().toLowerCase();
  return ci !== "" && ci !== "0" && ci !== "false";
}

/**
 * A `describe` for a suite that needs `what`: plain `describe` when `missing` is undefined.
 * Otherwise the suite is replaced by one test, "needs <what>", that under CI (see `inCi`) fails
 * with `missing` (a suite may not skip there), and elsewhere is skipped with the note
 * "<what> missing: <missing>", which test/helpers/skip-summary-reporter.ts prints after the run.
 * @param what what the suite needs, e.g. "root and ip netns"
 * @param missing why it is not available here (from a probe), or undefined when it is
 */
export function describeNeeding(what: string, missing: string | undefined): (name: string, fn: () => void) => void {
  if (missing === undefined) return (name, fn) => describe(name, fn);
  return (name) =>
    describe(name, () => {
      it(`needs ${what}`, (ctx) => {
        if (inCi()) throw new Error(`${what} missing, and CI=${process.env.CI} does not allow skipping: ${missing}`);
        ctx.skip(`${what} missing: ${missing}`);
      });
    });
}
