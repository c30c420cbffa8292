import * as tf from "@tensorflow/tfjs-core";
import { SlotOptimizer } from "./optimizer.ts";

/** AdaGrad: G ← G + g²; x ← x − η·g / (√G + ε). The accumulator starts at 0. */
export class Adagrad extends SlotOptimizer {
  readonly name = "adagrad";
  constructor(private readonly epsilon: number) {
    super(1);
  }
  protected update(x: tf.Variable, g: tf.Tensor, lr: number): void {
    const [acc] = this.state(x) as [tf.Variable];
    const gNew = tf.add(acc, tf.square(g));
    this.set(acc, gNew);
    this.set(x, tf.sub(x, tf.div(tf.mul(g, lr), tf.add(tf.sqrt(gNew), this.epsilon))));
  }
}
