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
      s?: number;
      strict?: boolean;
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

/**
 * Hyperband (Li et al.) as brackets of ASHA with growing first rungs; or, when written with W&B's
 * keys (`min_iter`, `max_iter` + `s`, `strict`), W&B's rule: one set of `rungs` (W&B's "bands")
 * where a trial goes on only among the top 1/η of the trials that reached the rung.
 */
export type HyperbandOptions = {
  readonly type: "hyperband";
  readonly min_resource: number;
  readonly max_resource: number;
  readonly reduction_factor: number;
  /** W&B's bands, ascending epochs: one bracket with exactly these rungs (see wandbBands). */
  readonly rungs?: readonly number[];
};

export type EarlyTerminateOptions = { readonly type: "none" } | MedianOptions | AshaOptions | HyperbandOptions;

/** Fills in defaults and resolves W&B aliases; pushes issues for conflicting or unreachable settings. */
export function normaliseEarlyTerminate(
  raw: RawEarlyTerminate,
  budget: BudgetSpec,
  issues: Issue[],
  warnings: Issue[] = [],
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
      if (raw.type === "hyperband" && (raw.min_iter !== undefined || raw.max_iter !== undefined || raw.s !== undefined))
        return wandbHyperband(raw, { max, eta }, issues, warnings);
      if (min > budget.max_epochs)
        issues.push({
          path: "early_terminate.min_resource",
          message: `must be <= budget.max_epochs (${budget.max_epochs}), got ${min}`,
        });
      else if (max < min)
        issues.push({ path: "early_terminate.max_resource", message: `must be >= min_resource (${min}), got ${max}` });
      if (raw.type === "hyperband") {
        if (raw.strict !== undefined) warnings.push(STRICT_IGNORED);
        return { type: "hyperband", min_resource: min, max_resource: max, reduction_factor: eta };
      }
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

const STRICT_IGNORED: Issue = {
  path: "early_terminate.strict",
  message: "is ignored: W&B's own sweeps controller does not read it either",
};

/**
 * A hyperband written with W&B's keys: W&B's bands as the one bracket's rungs. A run's length is
 * its program's business in W&B, so a min_iter past budget.max_epochs is not an error: that band
 * comes only if the program runs that long.
 */
function wandbHyperband(
  raw: Extract<RawEarlyTerminate, { type: "asha" | "hyperband" }>,
  o: { readonly max: number; readonly eta: number },
  issues: Issue[],
  warnings: Issue[],
): HyperbandOptions {
  if (raw.strict !== undefined) warnings.push(STRICT_IGNORED);
  const hb = { type: "hyperband", min_resource: 1, max_resource: o.max, reduction_factor: o.eta } as const;
  if (raw.s !== undefined && raw.max_iter === undefined) {
    issues.push({ path: "early_terminate.s", message: "needs max_iter (W&B: bands are max_iter/eta^i, i = 1..s)" });
    return hb;
  }
  const rungs = wandbBands({
    min_iter: raw.min_iter,
    max_iter: raw.max_iter,
    s: raw.s,
    eta: o.eta,
    limit: Math.max(o.max, raw.min_iter ?? 1) + 1,
  });
  if (rungs.length === 0) {
    issues.push({
      path: "early_terminate",
      message: `makes no band of at least 1 epoch (max_iter ${raw.max_iter}, eta ${o.eta}, s ${raw.s}): raise max_iter or lower s or eta`,
    });
    return hb;
  }
  const first = rungs[0] as number;
  return { ...hb, min_resource: first, max_resource: Math.max(o.max, rungs.at(-1) as number), rungs };
}

/**
 * W&B's hyperband bands (sweeps' hyperband_stopping.py), ascending and distinct: with `max_iter`
 * and `s`, ⌊max_iter/η^i⌋ for i = 1..s while ≥ 1; with `min_iter`, ⌊min_iter·η^i⌋ for i = 0, 1, …
 * below `limit` (W&B's list is unbounded; epochs past the sweep's last one never come).
 */
export function wandbBands(o: {
  readonly min_iter?: number | undefined;
  readonly max_iter?: number | undefined;
  readonly s?: number | undefined;
  readonly eta: number;
  readonly limit: number;
}): number[] {
  const bands = new Set<number>();
  if (o.max_iter !== undefined && o.s !== undefined) {
    let band = o.max_iter;
    for (let i = 0; i < o.s; i++) {
      band /= o.eta;
      if (band < 1) break;
      bands.add(Math.floor(band));
    }
  } else {
    const start = o.min_iter ?? 1;
    for (let band = start; band < o.limit && bands.size < 64; band *= o.eta) bands.add(Math.floor(band));
    if (bands.size === 0) bands.add(Math.floor(start));
  }
  return [...bands].sort((a, b) => a - b);
}
