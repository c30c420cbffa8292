import * as tf from "@tensorflow/tfjs-core";
import { SlotOptimizer } from "./optimizer.ts";

/**
 * AdaDelta (Zeiler 2012, Algorithm 1), no learning rate:
 * E[g²] ← ρ·E[g²] + (1−ρ)·g²; Δx = −(√(E[Δx²] + ε) / √(E[g²] + ε))·g;
 * E[Δx²] ← ρ·E[Δx²] + (1−ρ)·Δx²; x ← x + Δx. The `lr` argument is ignored.
 */
export class Adadelta extends SlotOptimizer {
  readonly name = "adadelta";
  constructor(
    private readonly rho: number,
    private readonly epsilon: number,
  ) {
    super(2);
  }
  protected update(x: tf.Variable, g: tf.Tensor, _lr: number): void {
    const [eg, edx] = this.state(x) as [tf.Variable, tf.Variable];
    const egNew = tf.add(tf.mul(eg, this.rho), tf.mul(tf.square(g), 1 - this.rho));
    const dx = tf.neg(tf.mul(tf.div(tf.sqrt(tf.add(edx, this.epsilon)), tf.sqrt(tf.add(egNew, this.epsilon))), g));
    this.set(eg, egNew);
    this.set(edx, tf.add(tf.mul(edx, this.rho), tf.mul(tf.square(dx), 1 - this.rho)));
    this.set(x, tf.add(x, dx));
  }
}
