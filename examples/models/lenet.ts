/**
 * A LeNet-style convolutional network as an hpo model module in build(ctx) form
 * (docs/model-modules.md): the module builds the model, hpo trains it with the sweep's optimizer,
 * learning-rate schedule, weight decay, clipping and early stopping, and reports per-layer
 * gradient norms. For the 8×8 `digits` images: each row's 64 inputs are reshaped to 8×8×1, two
 * 3×3 convolutions with max pooling, a dense layer, dropout, softmax.
 *
 * Parameters of its own: filters (default 8), dense_units (32); it also reads dropout (0.2).
 *
 * Convolution gradients on the `wasm` backend are hpo's own kernels (TensorFlow.js's wasm backend
 * does not register Conv2DBackpropFilter: tensorflow/tfjs#8474).
 */
import type { ModuleBuildContext } from "@hpo/trainer";

export function build(ctx: ModuleBuildContext) {
  const { tf, params } = ctx;
  const side = Math.round(Math.sqrt(ctx.inputShape[0] ?? 0));
  if (side * side !== ctx.inputShape[0])
    throw new Error(`lenet needs square images as rows, got ${ctx.inputShape[0]} inputs (use dataset: digits)`);
  const filters = Number(params.filters ?? 8);
  const init = (k: number) => tf.initializers.heNormal({ seed: ctx.seed + k });
  return tf.sequential({
    layers: [
      tf.layers.reshape({ targetShape: [side, side, 1], inputShape: [...ctx.inputShape] }),
      tf.layers.conv2d({
        name: "conv1",
        filters,
        kernelSize: 3,
        padding: "same",
        activation: "relu",
        kernelInitializer: init(1),
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({
        name: "conv2",
        filters: 2 * filters,
        kernelSize: 3,
        padding: "same",
        activation: "relu",
        kernelInitializer: init(2),
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({
        name: "fc",
        units: Number(params.dense_units ?? 32),
        activation: "relu",
        kernelInitializer: init(3),
      }),
      tf.layers.dropout({ rate: Number(params.dropout ?? 0.2), seed: ctx.seed + 4 }),
      tf.layers.dense({ name: "out", units: ctx.classes, activation: "softmax", kernelInitializer: init(5) }),
    ],
  });
}
