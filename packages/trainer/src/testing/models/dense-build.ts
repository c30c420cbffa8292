/**
 * A model module for trainer tests (build(ctx) form): a dense classifier with `units` hidden
 * units (a parameter of its own) and a softmax output; hpo trains it.
 */
import type { ModuleBuildContext } from "../../index.ts";

export function build(ctx: ModuleBuildContext) {
  const { tf } = ctx;
  return tf.sequential({
    layers: [
      tf.layers.dense({
        name: "hidden",
        units: Number(ctx.params.units ?? 16),
        activation: "relu",
        inputShape: [...ctx.inputShape],
        kernelInitializer: tf.initializers.heNormal({ seed: ctx.seed }),
      }),
      tf.layers.dense({
        name: "out",
        units: ctx.classes,
        activation: "softmax",
        kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed + 1 }),
      }),
    ],
  });
}
