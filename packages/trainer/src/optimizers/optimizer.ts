import * as tf from "@tensorflow/tfjs-core";
import { perModel } from "../per-model.ts";

/** What one update step needs besides the gradients. */
export interface StepContext {
  /** Learning rate of this step. */
  readonly lr: number;
  /**
   * Update count per packed model (Adam's t, counting this step); length K. Models of a pack that
   * skipped steps (an empty padded batch) have a smaller t.
   */
  readonly t: readonly number[];
  /** Boolean mask [K] of the packed models that take this step; undefined = all. */
  readonly active?: tf.Tensor;
}

/**
 * A first-order optimizer written to its textbook update rule on tfjs tensors (tfjs's own
 * optimizers differ in places: AdaGrad's initial accumulator, no Nesterov, epsilon placement).
 * `apply` updates `vars` in place from `grads` (same order, same shapes); with `ctx.active`, models
 * of the pack outside the mask keep their weights and optimizer state. It owns its state variables
 * and frees them in `dispose()`.
 */
export interface Optimizer {
  readonly name: string;
  /** Number of `apply` calls so far. */
  readonly iterations: number;
  apply(vars: readonly tf.Variable[], grads: readonly tf.Tensor[], ctx: StepContext): void;
  dispose(): void;
}

/** Per-variable state slots created lazily as zeros; shared plumbing of the optimizers. */
export abstract class SlotOptimizer implements Optimizer {
  abstract readonly name: string;
  iterations = 0;
  private readonly slots = new Map<string, tf.Variable[]>();
  private ctx: StepContext = { lr: 0, t: [0] };

  constructor(private readonly slotsPerVariable: number) {}

  /** The state variables of `v` (all zeros at first). */
  protected state(v: tf.Variable): tf.Variable[] {
    let s = this.slots.get(v.name);
    if (!s) {
      const made: tf.Variable[] = [];
      try {
        for (let i = 0; i < this.slotsPerVariable; i++) made.push(tf.variable(tf.zerosLike(v), false));
      } catch (e) {
        for (const m of made) m.dispose(); // a failed allocation leaves no half-made state
        throw e;
      }
      s = made;
      this.slots.set(v.name, s);
    }
    return s;
  }

  /** Assigns `value` to `v`, except in the packed models outside `ctx.active`. */
  protected set(v: tf.Variable, value: tf.Tensor): void {
    const { active } = this.ctx;
    v.assign(active ? tf.where(perModel(active, v.rank), value, v) : value);
  }

  /** 1 − β^t per packed model: a number when all t agree, else a [K, 1, …] tensor for `v`. */
  protected correction(beta: number, v: tf.Tensor): number | tf.Tensor {
    const c = this.corrections(beta);
    const c0 = c[0] as number;
    return c.every((x) => x === c0) ? c0 : perModel(tf.tensor1d(c), v.rank);
  }

  /** 1 − β^t of each packed model (t at least 1 unless all t agree). */
  protected corrections(beta: number): number[] {
    const { t } = this.ctx;
    const t0 = t[0] as number;
    const same = t.every((x) => x === t0);
    return t.map((x) => 1 - beta ** (same ? x : Math.max(x, 1)));
  }

  apply(vars: readonly tf.Variable[], grads: readonly tf.Tensor[], ctx: StepContext): void {
    this.iterations++;
    this.ctx = ctx;
    tf.tidy(() => {
      vars.forEach((v, i) => {
        this.update(v, grads[i] as tf.Tensor, ctx.lr);
      });
    });
  }

  /** Updates one variable through `set` (runs inside a tidy). */
  protected abstract update(v: tf.Variable, g: tf.Tensor, lr: number): void;

  dispose(): void {
    for (const s of this.slots.values()) for (const v of s) v.dispose();
    this.slots.clear();
  }
}
