/**
 * A model module for trainer tests (train(ctx) form): a dense classifier built with tfjs-layers
 * from `ctx.tf`, trained with `model.fit` one epoch per step, reporting loss, val_loss and
 * val_accuracy, disposing everything it made.
 */
import type { ModuleTrainContext } from "../../index.ts";

export async function train(ctx: ModuleTrainContext): Promise<undefined> {
  const { tf } = ctx;
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        units: 16,
        activation: "relu",
        inputShape: [...ctx.inputShape],
        kernelInitializer: init(ctx.seed),
      }),
      tf.layers.dense({ units: ctx.classes, activation: "softmax", kernelInitializer: init(ctx.seed + 1) }),
    ],
  });
  const optimizer = tf.train.adam(Number(ctx.params.learning_rate ?? 0.01));
  model.compile({ optimizer, loss: "categoricalCrossentropy" });
  try {
    for (let step = 1; step <= ctx.epochs; step++) {
      const h = await model.fit(ctx.train.x, ctx.train.y, { epochs: 1, batchSize: 16, shuffle: false, verbose: 0 });
      const [valLoss, valAccuracy] = tf.tidy(() => {
        const p = model.predict(ctx.validation.x) as ReturnType<typeof tf.softmax>;
        const loss = tf.mean(tf.metrics.categoricalCrossentropy(ctx.validation.y, p));
        const hits = tf.mean(tf.cast(tf.equal(tf.argMax(p, 1), tf.argMax(ctx.validation.y, 1)), "float32"));
        return [loss.dataSync()[0] as number, hits.dataSync()[0] as number];
      });
      const metrics = { loss: Number(h.history.loss?.[0]), val_loss: valLoss, val_accuracy: valAccuracy };
      if (await ctx.report(step, metrics)) break;
    }
    await ctx.saveModel(model); // what a refit exports
  } finally {
    model.dispose();
    optimizer.dispose();
  }
  return undefined;
}
