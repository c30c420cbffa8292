import * as tf from "@tensorflow/tfjs-core";

/** Squared L2 norm of a list of tensors, as a scalar tensor. */
export function squaredNorm(tensors: readonly tf.Tensor[]): tf.Scalar {
  if (tensors.length === 0) return tf.scalar(0);
  return tf.addN(tensors.map((t) => tf.sum(tf.square(t)))) as tf.Scalar;
}

/** Clips every element to [−v, v]. */
export function clipByValue(grads: readonly tf.Tensor[], v: number): tf.Tensor[] {
  return grads.map((g) => tf.clipByValue(g, -v, v));
}

/**
 * Rescales all gradients together so their global L2 norm is at most `maxNorm`
 * (g ← g·maxNorm/max(‖g‖, maxNorm)), leaving them unchanged when already below it.
 */
export function clipByGlobalNorm(grads: readonly tf.Tensor[], maxNorm: number, norm?: tf.Scalar): tf.Tensor[] {
  const n = norm ?? tf.sqrt(squaredNorm(grads));
  const scale = tf.div(maxNorm, tf.maximum(n, maxNorm));
  return grads.map((g) => tf.mul(g, scale));
}
