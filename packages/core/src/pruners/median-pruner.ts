import type { MedianOptions } from "../spec-early-terminate.ts";
import { median } from "../stats.ts";
import { isUsable, isWorse } from "./is-worse.ts";
import type { PruneContext, Pruner } from "./pruner.ts";

/**
 * Median stopping rule (Optuna's MedianPruner, Golovin et al. 2017): stop a trial whose best
 * K-fold mean so far is worse than the median of the other trials' values at the same step.
 * Unlike Optuna, which compares with completed trials only, `others` holds every trial that
 * reached the step (as Ray Tune does), so trials can be pruned while the first ones still run.
 */
export class MedianPruner implements Pruner {
  readonly name = "median";
  readonly #opts: Omit<MedianOptions, "type">;

  /** Defaults: n_startup_trials 5, n_warmup_steps 0, interval_steps 1, n_min_trials 1. */
  constructor(options: Partial<Omit<MedianOptions, "type">> = {}) {
    this.#opts = {
      n_startup_trials: options.n_startup_trials ?? 5,
      n_warmup_steps: options.n_warmup_steps ?? 0,
      interval_steps: options.interval_steps ?? 1,
      n_min_trials: options.n_min_trials ?? 1,
    };
  }

  groupOf(): string {
    return "all";
  }

  shouldPrune(ctx: PruneContext): boolean {
    const o = this.#opts;
    if (!isUsable(ctx.value)) return true;
    if ((ctx.finishedTrials ?? ctx.others.length) < o.n_startup_trials) return false;
    if (ctx.step <= o.n_warmup_steps) return false;
    if ((ctx.step - o.n_warmup_steps - 1) % o.interval_steps !== 0) return false;
    const others = ctx.others.filter(isUsable);
    if (others.length < o.n_min_trials || others.length === 0) return false;
    return isWorse(ctx.best ?? ctx.value, median(others), ctx.goal);
  }
}
