import * as tf from "@tensorflow/tfjs-core";
import { SlotOptimizer } from "./optimizer.ts";

/** RMSprop (Hinton): E[g²] ← ρ·E[g²] + (1−ρ)·g²; x ← x − η·g / (√E[g²] + ε). */
export class Rmsprop extends SlotOptimizer {
  readonly name = "rmsprop";
  constructor(
    private readonly rho: number,
    private readonly epsilon: number,
  ) {
    super(1);
  }
  protected update(x: tf.Variable, g: tf.Tensor, lr: number): void {
    const [ms] = this.state(x) as [tf.Variable];
    const msNew = tf.add(tf.mul(ms, this.rho), tf.mul(tf.square(g), 1 - this.rho));
    ms.assign(msNew);
    x.assign(tf.sub(x, tf.div(tf.mul(g, lr), tf.add(tf.sqrt(msNew), this.epsilon))));
  }
}
