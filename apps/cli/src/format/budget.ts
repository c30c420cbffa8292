import { foldRunsOf, type SweepSpec } from "@hpo/core";
import { expectedTrials } from "./progress.ts";

/**
 * The work a sweep asks for, stated before it runs: trials × folds per trial, and the final
 * selection phase's share on top (spec.select: the top N trials × R more repeats × K folds), and the
 * test split's one refit at the end (cv.test_fraction), e.g.
 * "up to 16 trials × 5 folds = 80 fold runs; final selection: top 3 × 2 more repeats × 5 folds = 30 more (+38%)".
 */
export function budgetSummary(spec: SweepSpec): string {
  const trials = expectedTrials(spec);
  const perTrial = foldRunsOf(spec.cv);
  const search = trials * perTrial;
  const parts = [`up to ${trials} trials × ${perTrial} folds = ${search} fold runs`];
  if (spec.select) {
    const { top, repeats } = spec.select;
    const more = Math.min(top, trials) * repeats * spec.cv.folds;
    parts.push(
      `final selection: top ${top} × ${repeats} more repeat${repeats === 1 ? "" : "s"} × ${spec.cv.folds} folds = ${more} more (+${Math.round((100 * more) / search)}%)`,
    );
  }
  if (spec.cv.test_fraction !== undefined) {
    parts.push(
      `test split: ${Math.round(spec.cv.test_fraction * 100)}% of the rows held out, the winner refit once on the rest and scored on them`,
    );
  }
  return parts.join("; ");
}
