import { checkOption } from "../check-option.ts";
import { mixSeed } from "../rng.ts";
import { AshaPruner } from "./asha-pruner.ts";
import type { PruneContext, Pruner } from "./pruner.ts";

/** Options of HyperbandPruner (a spec's `early_terminate` in camelCase; createPruner maps them). */
export interface HyperbandPrunerOptions {
  /** First rung of bracket 0 in epochs, a finite number > 0; default 1. */
  readonly minResource?: number;
  /** Last rung, a finite number >= minResource; default 20. */
  readonly maxResource?: number;
  /** η, a finite number > 1; default 3. */
  readonly reductionFactor?: number;
  /** W&B's bands (ascending epochs): one bracket with exactly these rungs instead of the brackets. */
  readonly rungs?: readonly number[];
}

/**
 * Hyperband (Li et al. 2018) as Optuna runs it: S = ⌊log_η(max/min)⌋ + 1 brackets; bracket s is
 * ASHA whose first rung is min_resource·η^s, so bracket 0 prunes hardest and the last bracket
 * (almost) never. A trial's bracket is a hash of its id, weighted by Optuna's bracket budgets
 * ⌈S·η^(S−1−s)/(S−s)⌉; trials compete only within their bracket (groupOf = "b<s>").
 * With `rungs` (a W&B hyperband), there is one bracket whose rungs are exactly those epochs.
 */
export class HyperbandPruner implements Pruner {
  readonly name = "hyperband";
  readonly brackets: readonly AshaPruner[];
  readonly #budgets: readonly number[];
  readonly #total: number;

  /** @throws RangeError when an option is out of range (e.g. reductionFactor 1). */
  constructor(options: HyperbandPrunerOptions = {}) {
    const check = (name: string, value: number, rule: Parameters<typeof checkOption>[3]) =>
      checkOption("HyperbandPruner", name, value, rule);
    const min = check("minResource", options.minResource ?? 1, { finite: true, above: 0 });
    const max = check("maxResource", options.maxResource ?? 20, { finite: true, min });
    const eta = check("reductionFactor", options.reductionFactor ?? 3, { finite: true, above: 1 });
    const count = options.rungs ? 1 : Math.max(1, Math.floor(Math.log(max / min) / Math.log(eta) + 1e-9) + 1);
    this.brackets = Array.from(
      { length: count },
      (_, s) =>
        new AshaPruner({
          minResource: min,
          maxResource: max,
          reductionFactor: eta,
          minEarlyStoppingRate: s,
          group: `b${s}`,
          ...(options.rungs ? { rungs: options.rungs } : {}),
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
