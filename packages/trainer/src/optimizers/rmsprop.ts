import * as tf from "@tensorflow/tfjs-core";
import { SlotOptimizer } from "./optimizer.ts";

/**
 * RMSprop (Hinton): E[g²] ← ρ·E[g²] + (1−ρ)·g²; x ← x − η·g / (√E[g²] + ε). With momentum γ > 0
 * (as in Keras and PyTorch): v ← γ·v + η·g / (√E[g²] + ε); x ← x − v.
 */
export class Rmsprop extends SlotOptimizer {
  readonly name = "rmsprop";
  constructor(
    private readonly rho: number,
    private readonly epsilon: number,
    private readonly momentum = 0,
  ) {
    super(momentum > 0 ? 2 : 1);
  }
  protected update(x: tf.Variable, g: tf.Tensor, lr: number): void {
    const [ms, v] = this.state(x) as [tf.Variable, tf.Variable | undefined];
    const msNew = tf.add(tf.mul(ms, this.rho), tf.mul(tf.square(g), 1 - this.rho));
    this.set(ms, msNew);
    const step = tf.div(tf.mul(g, lr), tf.add(tf.sqrt(msNew), this.epsilon));
    if (v) {
      const vNew = tf.add(tf.mul(v, this.momentum), step);
      this.set(v, vNew);
      this.set(x, tf.sub(x, vNew));
    } else {
      this.set(x, tf.sub(x, step));
    }
  }
}
