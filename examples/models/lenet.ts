/**
 * A LeNet-style convolutional network as an hpo model module (docs/model-modules.md), for the
 * 8×8 `digits` images: each row's 64 inputs are reshaped to 8×8×1, two 3×3 convolutions with
 * max pooling, a dense layer, dropout, softmax. One `model.fit` epoch per step; the folds of a
 * trial meet at `ctx.report`, where hpo takes the K-fold mean and asks the pruner.
 *
 * Sweep parameters it reads: learning_rate (default 1e-3), batch_size (32), filters (8),
 * dense_units (32), dropout (0.2). Everything it creates is disposed before it returns: a module
 * that leaks tensors fails its trial.
 *
 * Convolution gradients: the `cpu` backend has them (HPO_BACKEND=cpu); TensorFlow.js's `wasm`
 * backend does not register Conv2DBackpropFilter (tensorflow/tfjs#8474).
 */
import type { ModuleTrainContext } from "@hpo/trainer";

export async function train(ctx: ModuleTrainContext): Promise<undefined> {
  const { tf, params } = ctx;
  const side = Math.round(Math.sqrt(ctx.inputShape[0] ?? 0));
  if (side * side !== ctx.inputShape[0])
    throw new Error(`lenet needs square images as rows, got ${ctx.inputShape[0]} inputs (use dataset: digits)`);
  const filters = Number(params.filters ?? 8);
  const seed = (k: number) => tf.initializers.heNormal({ seed: ctx.seed + k });
  const model = tf.sequential({
    layers: [
      tf.layers.reshape({ targetShape: [side, side, 1], inputShape: [...ctx.inputShape] }),
      tf.layers.conv2d({ filters, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: seed(1) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({
        filters: 2 * filters,
        kernelSize: 3,
        padding: "same",
        activation: "relu",
        kernelInitializer: seed(2),
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: Number(params.dense_units ?? 32), activation: "relu", kernelInitializer: seed(3) }),
      tf.layers.dropout({ rate: Number(params.dropout ?? 0.2), seed: ctx.seed + 4 }),
      tf.layers.dense({ units: ctx.classes, activation: "softmax", kernelInitializer: seed(5) }),
    ],
  });
  const optimizer = tf.train.adam(Number(params.learning_rate ?? 1e-3));
  model.compile({ optimizer, loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  const batchSize = Number(params.batch_size ?? 32);
  try {
    for (let step = 1; step <= ctx.epochs; step++) {
      if (ctx.signal.aborted) break;
      const history = await model.fit(ctx.train.x, ctx.train.y, { epochs: 1, batchSize, verbose: 0 });
      const [valLoss, valAccuracy] = (await model.evaluate(ctx.validation.x, ctx.validation.y, {
        batchSize: 256,
      })) as [ReturnType<typeof tf.scalar>, ReturnType<typeof tf.scalar>];
      const metrics = {
        loss: Number(history.history.loss?.[0]),
        accuracy: Number(history.history.acc?.[0]),
        val_loss: (await valLoss.data())[0] as number,
        val_accuracy: (await valAccuracy.data())[0] as number,
      };
      valLoss.dispose();
      valAccuracy.dispose();
      if (await ctx.report(step, metrics)) break; // pruned or cancelled: stop here
    }
  } finally {
    model.dispose();
    optimizer.dispose(); // model.dispose() leaves the optimizer's state alone
  }
  return undefined;
}
