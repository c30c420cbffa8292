import { mixSeed } from "../rng.ts";
import type { HyperbandOptions } from "../spec-early-terminate.ts";
import { AshaPruner } from "./asha-pruner.ts";
import type { PruneContext, Pruner } from "./pruner.ts";

/**
 * Hyperband (Li et al. 2018) as Optuna runs it: S = ⌊log_η(max/min)⌋ + 1 brackets; bracket s is
 * ASHA whose first rung is min_resource·η^s, so bracket 0 prunes hardest and the last bracket
 * (almost) never. A trial's bracket is a hash of its id, weighted by Optuna's bracket budgets
 * ⌈S·η^(S−1−s)/(S−s)⌉; trials compete only within their bracket (groupOf = "b<s>").
 */
export class HyperbandPruner implements Pruner {
  readonly name = "hyperband";
  readonly brackets: readonly AshaPruner[];
  readonly #budgets: readonly number[];
  readonly #total: number;

  /** Defaults: min_resource 1, max_resource 20, reduction_factor 3. */
  constructor(options: Partial<Omit<HyperbandOptions, "type">> = {}) {
    const min = options.min_resource ?? 1;
    const max = options.max_resource ?? 20;
    const eta = options.reduction_factor ?? 3;
    const count = Math.max(1, Math.floor(Math.log(max / min) / Math.log(eta) + 1e-9) + 1);
    this.brackets = Array.from(
      { length: count },
      (_, s) =>
        new AshaPruner({
          min_resource: min,
          max_resource: max,
          reduction_factor: eta,
          min_early_stopping_rate: s,
          group: `b${s}`,
        }),
    );
    this.#budgets = Array.from({ length: count }, (_, s) => Math.ceil((count * eta ** (count - 1 - s)) / (count - s)));
    this.#total = this.#budgets.reduce((a, b) => a + b, 0);
  }

  /** The bracket index of a trial: deterministic in its id. */
  bracketOf(trialId: string): number {
    let h = mixSeed("hyperband", trialId) % this.#total;
    for (let s = 0; s < this.#budgets.length; s++) {
      h -= this.#budgets[s] as number;
      if (h < 0) return s;
    }
    return this.#budgets.length - 1;
  }

  groupOf(trialId: string): string {
    return `b${this.bracketOf(trialId)}`;
  }

  shouldPrune(ctx: PruneContext): boolean {
    return (this.brackets[this.bracketOf(ctx.trialId)] as AshaPruner).shouldPrune(ctx);
  }
}
