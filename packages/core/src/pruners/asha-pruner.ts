import type { AshaOptions } from "../spec-early-terminate.ts";
import type { Goal } from "../types.ts";
import { isUsable } from "./is-worse.ts";
import type { PruneContext, Pruner } from "./pruner.ts";

export interface AshaPrunerOptions {
  /** First rung in epochs; default 1. */
  readonly min_resource?: number;
  /** No rung at or past this epoch (the trial is done there anyway); default Infinity. */
  readonly max_resource?: number;
  /** η; default 3. */
  readonly reduction_factor?: number;
  /** No pruning before this epoch; default 0. */
  readonly grace_period?: number;
  /** Hyperband's bracket s: rungs start at min_resource·η^s; default 0. */
  readonly min_early_stopping_rate?: number;
  /** Group name reported by groupOf; default "all". */
  readonly group?: string;
}

/**
 * Asynchronous successive halving, stopping variant (Li et al. 2020; Optuna's
 * SuccessiveHalvingPruner). Rungs sit at epochs round(min_resource·η^(s+k)), k = 0, 1, …. A trial
 * reaching a rung goes on only if its K-fold mean is among the top ⌊n/η⌋ of the n values
 * recorded at that rung (itself included; with n < η only the best goes on). Other epochs never prune.
 */
export class AshaPruner implements Pruner {
  readonly name: string = "asha";
  readonly #min: number;
  readonly #max: number;
  readonly #eta: number;
  readonly #grace: number;
  readonly #rate: number;
  readonly #group: string;

  constructor(options: AshaPrunerOptions = {}) {
    this.#min = options.min_resource ?? 1;
    this.#max = options.max_resource ?? Number.POSITIVE_INFINITY;
    this.#eta = options.reduction_factor ?? 3;
    this.#grace = options.grace_period ?? 0;
    this.#rate = options.min_early_stopping_rate ?? 0;
    this.#group = options.group ?? "all";
  }

  static fromSpec(o: AshaOptions): AshaPruner {
    return new AshaPruner(o);
  }

  groupOf(): string {
    return this.#group;
  }

  /** The rung number of `step`, or undefined when `step` is not a rung. */
  rungOf(step: number): number | undefined {
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
