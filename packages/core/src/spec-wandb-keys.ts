import type { z } from "zod";
import type { Issue } from "./errors.ts";
import type { wandbKeysShape } from "./spec-schema.ts";

/**
 * W&B's top-level sweep keys that hpo reads beyond its own (W&B's sweep config schema), and what
 * each does here (their schemas: `wandbKeysShape` in spec-schema.ts). `program` and `command` (a trial is the user's program) live with the program
 * runner's part of the spec; this file holds the rest:
 *
 *   key           here
 *   description   kept in the spec (`description`), shown with the sweep
 *   run_cap       = budget.max_trials (both given: they must agree)
 *   project       ignored, with a warning (hpo has no W&B projects)
 *   entity        ignored, with a warning (hpo has no W&B entities)
 *   controller    ignored, with a warning (hpo's coordinator always schedules)
 *   apiVersion    ignored, with a warning
 *   kind          ignored, with a warning (W&B allows only "sweep")
 *   job, image_uri, scheduler  refused: W&B Launch jobs need W&B Launch; hpo runs a `program`
 */
type WandbKeys = { [K in keyof typeof wandbKeysShape]?: z.output<(typeof wandbKeysShape)[K]> };

const IGNORED: Readonly<Record<string, string>> = {
  project: "hpo has no W&B projects; the sweep runs on this hpo coordinator",
  entity: "hpo has no W&B entities; the sweep runs on this hpo coordinator",
  controller: "hpo's coordinator always schedules the trials (W&B's local and cloud controllers do not apply)",
  apiVersion: "hpo reads W&B's sweep keys whatever the version",
  kind: "a sweep file is always a sweep",
};

/**
 * Checks W&B's top-level keys of a parsed sweep: pushes an issue for what hpo refuses (`job`,
 * `image_uri`, `run_cap` that contradicts `budget.max_trials`) and a warning for each key it
 * ignores. Returns the max_trials that `run_cap` sets, if any.
 */
export function checkWandbKeys(
  data: WandbKeys & { budget?: { max_trials?: number | undefined } | undefined },
  issues: Issue[],
  warnings: Issue[],
): number | undefined {
  for (const key of ["job", "image_uri", "scheduler"] as const) {
    if (data[key] !== undefined)
      issues.push({
        path: key,
        message: "is a W&B Launch job, which needs W&B Launch: hpo runs a program (`program: train.py`) instead",
      });
  }
  for (const [key, why] of Object.entries(IGNORED)) {
    if (data[key as keyof WandbKeys] !== undefined) warnings.push({ path: key, message: `is ignored: ${why}` });
  }
  const cap = data.run_cap;
  const max = data.budget?.max_trials;
  if (cap !== undefined && max !== undefined && cap !== max)
    issues.push({
      path: "run_cap",
      message: `is W&B's name for budget.max_trials, which says ${max}; give one, or the same number, got ${cap}`,
    });
  return cap;
}
