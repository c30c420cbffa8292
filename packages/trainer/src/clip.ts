import * as tf from "@tensorflow/tfjs-core";

/** Per-model squared L2 norms [K] of a pack's gradient [K, P]. */
export function squaredNorms(g: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(tf.square(g), 1) as tf.Tensor1D;
}

/** Clips every element of the gradient to [−v, v]. */
export function clipByValue(g: tf.Tensor2D, v: number): tf.Tensor2D {
  return tf.clipByValue(g, -v, v);
}

/**
 * Rescales each model's gradient (row of [K, P]) so its global L2 norm is at most `maxNorm`
 * (g ← g·maxNorm/max(‖g‖, maxNorm)), leaving rows already below it unchanged. `squared` may pass
 * the per-model squared norms when already computed.
 */
export function clipByGlobalNorm(g: tf.Tensor2D, maxNorm: number, squared?: tf.Tensor1D): tf.Tensor2D {
  const norm = tf.sqrt(squared ?? squaredNorms(g));
  const scale = tf.div(maxNorm, tf.maximum(norm, maxNorm));
  return tf.mul(g, tf.reshape(scale, [g.shape[0], 1])) as tf.Tensor2D;
}
