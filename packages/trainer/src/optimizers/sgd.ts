import * as tf from "@tensorflow/tfjs-core";
import { SlotOptimizer } from "./optimizer.ts";

/** Plain stochastic gradient descent: x ← x − η·g. */
export class Sgd extends SlotOptimizer {
  readonly name = "sgd";
  constructor() {
    super(0);
  }
  protected update(v: tf.Variable, g: tf.Tensor, lr: number): void {
    this.set(v, tf.sub(v, tf.mul(g, lr)));
  }
}
