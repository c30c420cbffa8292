import * as tf from "@tensorflow/tfjs-core";

/**
 * A first-order optimizer written to its textbook update rule on tfjs tensors (tfjs's own
 * optimizers differ in places: AdaGrad's initial accumulator, no Nesterov, epsilon placement).
 * `apply` updates `vars` in place from `grads` (same order, same shapes) with the learning rate of
 * this step; it owns its state variables and frees them in `dispose()`.
 */
export interface Optimizer {
  readonly name: string;
  /** Number of updates applied so far (Adam's t). */
  readonly iterations: number;
  apply(vars: readonly tf.Variable[], grads: readonly tf.Tensor[], lr: number): void;
  dispose(): void;
}

/** Per-variable state slots created lazily as zeros; shared plumbing of the optimizers. */
export abstract class SlotOptimizer implements Optimizer {
  abstract readonly name: string;
  iterations = 0;
  private readonly slots = new Map<string, tf.Variable[]>();

  constructor(private readonly slotsPerVariable: number) {}

  /** The state variables of `v` (all zeros at first). */
  protected state(v: tf.Variable): tf.Variable[] {
    let s = this.slots.get(v.name);
    if (!s) {
      s = Array.from({ length: this.slotsPerVariable }, () => tf.variable(tf.zerosLike(v), false));
      this.slots.set(v.name, s);
    }
    return s;
  }

  apply(vars: readonly tf.Variable[], grads: readonly tf.Tensor[], lr: number): void {
    this.iterations++;
    tf.tidy(() => {
      vars.forEach((v, i) => {
        this.update(v, grads[i] as tf.Tensor, lr);
      });
    });
  }

  /** Updates one variable (runs inside a tidy). */
  protected abstract update(v: tf.Variable, g: tf.Tensor, lr: number): void;

  dispose(): void {
    for (const s of this.slots.values()) for (const v of s) v.dispose();
    this.slots.clear();
  }
}
