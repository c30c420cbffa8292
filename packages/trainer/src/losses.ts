import * as tf from "@tensorflow/tfjs-core";

/** Mean softmax cross-entropy of logits [n, C] against one-hot targets [n, C]. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
}

/** Mean squared error of predictions [n, 1] against targets [n, 1]. */
export function meanSquaredError(pred: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
  return tf.mean(tf.squaredDifference(pred, target)) as tf.Scalar;
}
