import * as tf from "@tensorflow/tfjs-core";
import type { ActivationName } from "./params.ts";

/**
 * Applies an activation. leaky_relu is max(x, αx) for α ≤ 1 (α = `leakyAlpha`); elu uses α = 1:
 * x for x > 0, exp(x) − 1 otherwise.
 */
export function activate(x: tf.Tensor, name: ActivationName, leakyAlpha: number): tf.Tensor {
  switch (name) {
    case "relu":
      return tf.relu(x);
    case "leaky_relu":
      return tf.leakyRelu(x, leakyAlpha);
    case "elu":
      return tf.elu(x);
    case "tanh":
      return tf.tanh(x);
    case "sigmoid":
      return tf.sigmoid(x);
    case "linear":
      return x;
  }
}
