import type { Issue } from "./errors.ts";
import type { BudgetSpec } from "./types.ts";

/** Options of `early_terminate` after parsing (see spec-schema.ts), before defaults. */
type RawEarlyTerminate =
  | { type: "none" }
  | {
      type: "median";
      n_startup_trials?: number;
      n_warmup_steps?: number;
      interval_steps?: number;
      n_min_trials?: number;
    }
  | {
      type: "asha" | "hyperband";
      min_resource?: number;
      max_resource?: number;
      reduction_factor?: number;
      min_iter?: number;
      max_iter?: number;
      eta?: number;
      grace_period?: number;
    };

/** Median stopping rule (Optuna's MedianPruner). */
export type MedianOptions = {
  readonly type: "median";
  /** Finished trials needed before any pruning; default 5. */
  readonly n_startup_trials: number;
  /** Epochs a trial runs before it may be pruned; default 0. */
  readonly n_warmup_steps: number;
  /** Prune checks happen every this many epochs (after warm-up); default 1. */
  readonly interval_steps: number;
  /** Other trials that must have reported at the step; default 1. */
  readonly n_min_trials: number;
};

/** ASHA, stopping variant (W&B `min_iter`/`max_iter`/`eta` are aliases). */
export type AshaOptions = {
  readonly type: "asha";
  /** First rung, in epochs; default 1. Rungs are min_resource·η^k ≤ max_resource. */
  readonly min_resource: number;
  /** Last rung; default budget.max_epochs. */
  readonly max_resource: number;
  /** η: the top 1/η of a rung goes on; default 3. */
  readonly reduction_factor: number;
  /** No pruning before this epoch; default 0. */
  readonly grace_period: number;
};

/** Hyperband (Li et al.) as brackets of ASHA with growing first rungs. */
export type HyperbandOptions = {
  readonly type: "hyperband";
  readonly min_resource: number;
  readonly max_resource: number;
  readonly reduction_factor: number;
};

export type EarlyTerminateOptions = { readonly type: "none" } | MedianOptions | AshaOptions | HyperbandOptions;

/** Fills in defaults and resolves W&B aliases; pushes issues for conflicting or unreachable settings. */
export function normaliseEarlyTerminate(
  raw: RawEarlyTerminate,
  budget: BudgetSpec,
  issues: Issue[],
): EarlyTerminateOptions {
  switch (raw.type) {
    case "none":
      return { type: "none" };
    case "median":
      return {
        type: "median",
        n_startup_trials: raw.n_startup_trials ?? 5,
        n_warmup_steps: raw.n_warmup_steps ?? 0,
        interval_steps: raw.interval_steps ?? 1,
        n_min_trials: raw.n_min_trials ?? 1,
      };
    case "asha":
    case "hyperband": {
      const pick = (
        name: string,
        alias: string,
        a: number | undefined,
        b: number | undefined,
        fallback: number,
      ): number => {
        if (a !== undefined && b !== undefined)
          issues.push({ path: `early_terminate.${alias}`, message: `is an alias of ${name}; give only one` });
        return a ?? b ?? fallback;
      };
      const min = pick("min_resource", "min_iter", raw.min_resource, raw.min_iter, 1);
      const max = pick("max_resource", "max_iter", raw.max_resource, raw.max_iter, budget.max_epochs);
      const eta = pick("reduction_factor", "eta", raw.reduction_factor, raw.eta, 3);
      if (min > budget.max_epochs)
        issues.push({
          path: "early_terminate.min_resource",
          message: `must be <= budget.max_epochs (${budget.max_epochs}), got ${min}`,
        });
      else if (max < min)
        issues.push({ path: "early_terminate.max_resource", message: `must be >= min_resource (${min}), got ${max}` });
      if (raw.type === "hyperband")
        return { type: "hyperband", min_resource: min, max_resource: max, reduction_factor: eta };
      return {
        type: "asha",
        min_resource: min,
        max_resource: max,
        reduction_factor: eta,
        grace_period: raw.grace_period ?? 0,
      };
    }
  }
}
