import * as tf from "@tensorflow/tfjs-core";
import { SlotOptimizer } from "./optimizer.ts";

/**
 * Adam (Kingma & Ba 2015) with bias correction: m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
 * m̂ = m/(1−β1^t); v̂ = v/(1−β2^t); x ← x − η·m̂/(√v̂ + ε).
 */
export class Adam extends SlotOptimizer {
  readonly name = "adam";
  constructor(
    private readonly beta1: number,
    private readonly beta2: number,
    private readonly epsilon: number,
  ) {
    super(2);
  }
  protected update(x: tf.Variable, g: tf.Tensor, lr: number): void {
    const [m, v] = this.state(x) as [tf.Variable, tf.Variable];
    const mNew = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
    const vNew = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
    this.set(m, mNew);
    this.set(v, vNew);
    const mHat = tf.div(mNew, this.correction(this.beta1, x));
    const vHat = tf.div(vNew, this.correction(this.beta2, x));
    this.set(x, tf.sub(x, tf.div(tf.mul(mHat, lr), tf.add(tf.sqrt(vHat), this.epsilon))));
  }
}
