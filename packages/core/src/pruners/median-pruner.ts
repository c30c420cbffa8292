import { checkOption } from "../check-option.ts";
import { median } from "../stats.ts";
import { isUsable, isWorse } from "./is-worse.ts";
import type { PruneContext, Pruner } from "./pruner.ts";

/** Options of MedianPruner (a spec's `early_terminate` in camelCase; createPruner maps them). */
export interface MedianPrunerOptions {
  /** Finished trials needed before any pruning, an integer >= 0; default 5. */
  readonly nStartupTrials?: number;
  /** Epochs a trial runs before it may be pruned, an integer >= 0; default 0. */
  readonly nWarmupSteps?: number;
  /** Checks happen every this many epochs after the warm-up, an integer >= 1; default 1. */
  readonly intervalSteps?: number;
  /** Other trials that must have reported at the step, an integer >= 1; default 1. */
  readonly nMinTrials?: number;
}

/**
 * Median stopping rule (Optuna's MedianPruner, Golovin et al. 2017): stop a trial whose best
 * K-fold mean so far is worse than the median of the other trials' values at the same step.
 * Unlike Optuna, which compares with completed trials only, `others` holds every trial that
 * reached the step (as Ray Tune does), so trials can be pruned while the first ones still run.
 */
export class MedianPruner implements Pruner {
  readonly name = "median";
  readonly #opts: Required<MedianPrunerOptions>;

  /** @throws RangeError when an option is out of range (e.g. intervalSteps 0). */
  constructor(options: MedianPrunerOptions = {}) {
    const count = (name: string, value: number, min: number) =>
      checkOption("MedianPruner", name, value, { integer: true, min });
    this.#opts = {
      nStartupTrials: count("nStartupTrials", options.nStartupTrials ?? 5, 0),
      nWarmupSteps: count("nWarmupSteps", options.nWarmupSteps ?? 0, 0),
      intervalSteps: count("intervalSteps", options.intervalSteps ?? 1, 1),
      nMinTrials: count("nMinTrials", options.nMinTrials ?? 1, 1),
    };
  }

  groupOf(): string {
    return "all";
  }

  shouldPrune(ctx: PruneContext): boolean {
    const o = this.#opts;
    if (!isUsable(ctx.value)) return true;
    if ((ctx.finishedTrials ?? ctx.others.length) < o.nStartupTrials) return false;
    if (ctx.step <= o.nWarmupSteps) return false;
    if ((ctx.step - o.nWarmupSteps - 1) % o.intervalSteps !== 0) return false;
    const others = ctx.others.filter(isUsable);
    if (others.length < o.nMinTrials || others.length === 0) return false;
    return isWorse(ctx.best ?? ctx.value, median(others), ctx.goal);
  }
}
