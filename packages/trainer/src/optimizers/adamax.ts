import * as tf from "@tensorflow/tfjs-core";
import { SlotOptimizer } from "./optimizer.ts";

/**
 * AdaMax (Kingma & Ba 2015, §7.1): m ← β1·m + (1−β1)·g; u ← max(β2·u, |g|);
 * x ← x − (η/(1−β1^t))·m/(u + ε). The ε (not in the paper) only guards 0/0 for never-updated weights.
 */
export class Adamax extends SlotOptimizer {
  readonly name = "adamax";
  constructor(
    private readonly beta1: number,
    private readonly beta2: number,
    private readonly epsilon: number,
  ) {
    super(2);
  }
  protected update(x: tf.Variable, g: tf.Tensor, lr: number): void {
    const [m, u] = this.state(x) as [tf.Variable, tf.Variable];
    const mNew = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
    const uNew = tf.maximum(tf.mul(u, this.beta2), tf.abs(g));
    this.set(m, mNew);
    this.set(u, uNew);
    const stepSize = tf.div(lr, this.correction(this.beta1, x));
    this.set(x, tf.sub(x, tf.mul(tf.div(mNew, tf.add(uNew, this.epsilon)), stepSize)));
  }
}
