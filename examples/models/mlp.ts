/**
 * The smallest useful model module (docs/model-modules.md): a tfjs-layers MLP trained with
 * `model.fit`, one epoch per step. hpo calls `train(ctx)` once per fold, all folds at once; each
 * `ctx.report(step, metrics)` waits for the other folds' report of that step, then hpo takes the
 * K-fold mean of the sweep's metric and asks the pruner; `true` means stop.
 *
 * Sweep parameters it reads: learning_rate (default 0.01), units (32), dropout (0), batch_size (32).
 */
import type { ModuleTrainContext } from "@hpo/trainer";

export async function train(ctx: ModuleTrainContext): Promise<undefined> {
  const { tf, params } = ctx;
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        units: Number(params.units ?? 32),
        activation: "relu",
        inputShape: [...ctx.inputShape],
        kernelInitializer: tf.initializers.heNormal({ seed: ctx.seed }),
      }),
      tf.layers.dropout({ rate: Number(params.dropout ?? 0), seed: ctx.seed + 1 }),
      tf.layers.dense({
        units: ctx.classes,
        activation: "softmax",
        kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed + 2 }),
      }),
    ],
  });
  const optimizer = tf.train.adam(Number(params.learning_rate ?? 0.01));
  model.compile({ optimizer, loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  try {
    for (let step = 1; step <= ctx.epochs; step++) {
      const fit = await model.fit(ctx.train.x, ctx.train.y, {
        epochs: 1,
        batchSize: Number(params.batch_size ?? 32),
        validationData: [ctx.validation.x, ctx.validation.y],
        verbose: 0,
      });
      const last = (key: string) => Number(fit.history[key]?.[0]);
      const metrics = {
        loss: last("loss"),
        accuracy: last("acc"),
        val_loss: last("val_loss"),
        val_accuracy: last("val_acc"),
      };
      if (await ctx.report(step, metrics)) break; // pruned or cancelled
    }
    await ctx.saveModel(model); // the model hpo export writes (a no-op in cross-validation folds)
  } finally {
    model.dispose();
    optimizer.dispose(); // not disposed by model.dispose()
  }
  return undefined;
}
