import { checkOption } from "../check-option.ts";
import type { Goal } from "../types.ts";
import { isUsable } from "./is-worse.ts";
import type { PruneContext, Pruner } from "./pruner.ts";

/** Options of AshaPruner (a spec's `early_terminate` in camelCase; createPruner maps them). */
export interface AshaPrunerOptions {
  /** First rung in epochs, > 0; default 1. */
  readonly minResource?: number;
  /** No rung at or past this epoch (the trial is done there anyway), >= minResource; default Infinity. */
  readonly maxResource?: number;
  /** η, > 1; default 3. */
  readonly reductionFactor?: number;
  /** No pruning before this epoch, >= 0; default 0. */
  readonly gracePeriod?: number;
  /** Hyperband's bracket s (an integer >= 0): rungs start at minResource·η^s; default 0. */
  readonly minEarlyStoppingRate?: number;
  /** Group name reported by groupOf; default "all". */
  readonly group?: string;
  /** Explicit rung epochs, ascending (W&B's hyperband bands); replace the geometric rungs. */
  readonly rungs?: readonly number[];
}

/**
 * Asynchronous successive halving, stopping variant (Li et al. 2020; Optuna's
 * SuccessiveHalvingPruner). Rungs sit at epochs round(min_resource·η^(s+k)), k = 0, 1, …. A trial
 * reaching a rung goes on only if its K-fold mean is among the top ⌊n/η⌋ of the n values
 * recorded at that rung (itself included; with n < η only the best goes on). Other epochs never prune.
 * @throws RangeError from the constructor when an option is out of range (e.g. reductionFactor 1).
 */
export class AshaPruner implements Pruner {
  readonly name: string = "asha";
  readonly #min: number;
  readonly #max: number;
  readonly #eta: number;
  readonly #grace: number;
  readonly #rate: number;
  readonly #group: string;
  readonly #rungs: readonly number[] | undefined;

  constructor(options: AshaPrunerOptions = {}) {
    const check = (name: string, value: number, rule: Parameters<typeof checkOption>[3]) =>
      checkOption("AshaPruner", name, value, rule);
    this.#min = check("minResource", options.minResource ?? 1, { above: 0 });
    this.#max = check("maxResource", options.maxResource ?? Number.POSITIVE_INFINITY, { min: this.#min });
    this.#eta = check("reductionFactor", options.reductionFactor ?? 3, { above: 1 });
    this.#grace = check("gracePeriod", options.gracePeriod ?? 0, { min: 0 });
    this.#rate = check("minEarlyStoppingRate", options.minEarlyStoppingRate ?? 0, { integer: true, min: 0 });
    this.#group = options.group ?? "all";
    this.#rungs = options.rungs;
  }

  groupOf(): string {
    return this.#group;
  }

  /** The rung number of `step`, or undefined when `step` is not a rung. */
  rungOf(step: number): number | undefined {
    if (this.#rungs) {
      const k = this.#rungs.indexOf(step);
      return k >= 0 ? k : undefined;
    }
    if (step >= this.#max) return undefined;
    for (let k = 0; ; k++) {
      const r = Math.round(this.#min * this.#eta ** (this.#rate + k));
      if (r === step) return k;
      if (r > step) return undefined;
    }
  }

  shouldPrune(ctx: PruneContext): boolean {
    if (!isUsable(ctx.value)) return true;
    if (ctx.step < this.#grace || this.rungOf(ctx.step) === undefined) return false;
    return !isPromotable(ctx.value, ctx.others.filter(isUsable), this.#eta, ctx.goal);
  }
}

/** Whether `value` is in the top ⌊n/η⌋ (at least 1) of the rung's values plus itself. */
export function isPromotable(value: number, others: readonly number[], eta: number, goal: Goal): boolean {
  const n = others.length + 1;
  const keep = Math.max(1, Math.floor(n / eta));
  // Count values strictly better than ours; we go on if fewer than `keep` beat us.
  let better = 0;
  for (const v of others) if (goal === "maximize" ? v > value : v < value) better++;
  return better < keep;
}
