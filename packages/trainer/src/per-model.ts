import * as tf from "@tensorflow/tfjs-core";

/** A [K] per-model tensor reshaped to broadcast against a [K, …] tensor of `rank`. */
export function perModel(t: tf.Tensor, rank: number): tf.Tensor {
  return t.rank === rank ? t : tf.reshape(t, [t.shape[0] as number, ...new Array<number>(rank - 1).fill(1)]);
}
