import * as tf from "@tensorflow/tfjs-core";
import { SlotOptimizer } from "./optimizer.ts";

/**
 * Momentum: v ← γ·v + η·g; x ← x − v. With Nesterov (the Bengio/Sutskever reformulation that
 * evaluates the gradient at the current point): v ← γ·v + η·g; x ← x − (γ·v + η·g).
 */
export class Momentum extends SlotOptimizer {
  readonly name = "momentum";
  constructor(
    private readonly gamma: number,
    private readonly nesterov: boolean,
  ) {
    super(1);
  }
  protected update(x: tf.Variable, g: tf.Tensor, lr: number): void {
    const [v] = this.state(x) as [tf.Variable];
    const step = tf.mul(g, lr);
    const vNew = tf.add(tf.mul(v, this.gamma), step);
    this.set(v, vNew);
    this.set(x, tf.sub(x, this.nesterov ? tf.add(tf.mul(vNew, this.gamma), step) : vNew));
  }
}
