/**
 * The `build(ctx)` form of a model module: the module builds a `tf.LayersModel` per fold and hpo
 * trains it as it trains its own MLP — the sweep's optimizer (tfjs's optimizers), learning-rate
 * schedule, weight decay and L1 on kernels, gradient clipping by value and by global norm, early
 * stopping on val_loss with the best weights restored, seeded shuffles, and per-layer gradient
 * norms for the diagnostics — through the same per-fold `train(ctx)` machinery (step barrier,
 * pruning, faults) as a module's own loop.
 */
import { createRng, gradNormKey, HpoError, mixSeed, type Params, shuffled } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { learningRateAt } from "../lr-schedule.ts";
import { parseTrainConfig, TRAINER_PARAMS, type TrainConfig } from "../params.ts";
import type { StepMetrics } from "./fold-barrier.ts";
import type { ModuleFoldContext, ModuleTrainContext } from "./model-module.ts";
import type { ModuleTf } from "./tf-namespace.ts";

/** What `build(ctx)` gets, per fold: build the model with `ctx.tf`, seed its initializers and dropout layers from `ctx.seed`. */
export type ModuleBuildContext = ModuleFoldContext;

/**
 * Builds the fold's model: input `inputShape`; output `classes` units for classification (a
 * softmax last layer gives probabilities, any other gives logits) or 1 unit for regression. Not
 * compiled: hpo trains it.
 */
export type BuildModel = (ctx: ModuleBuildContext) => LayersModel | Promise<LayersModel>;

/** The trainer's parameters among the trial's (the module's own are left to `build`). */
export function trainConfigOf(params: Params): TrainConfig {
  const known = Object.fromEntries(
    Object.entries(params).filter(([k]) => (TRAINER_PARAMS as readonly string[]).includes(k)),
  );
  return parseTrainConfig(known, { hidden: [], activation: "relu" });
}

function optimizerOf(c: TrainConfig): tf.Optimizer {
  switch (c.optimizer) {
    case "sgd":
      return tf.train.sgd(c.learningRate);
    case "momentum":
      return tf.train.momentum(c.learningRate, c.momentum, c.nesterov);
    case "adagrad":
      return tf.train.adagrad(c.learningRate);
    case "rmsprop":
      return tf.train.rmsprop(c.learningRate, c.rho, c.momentum, c.epsilon);
    case "adadelta":
      return tf.train.adadelta(c.learningRate, c.rho, c.epsilon);
    case "adam":
      return tf.train.adam(c.learningRate, c.beta1, c.beta2, c.epsilon);
    case "adamax":
      return tf.train.adamax(c.learningRate, c.beta1, c.beta2, c.epsilon);
  }
}

/** Sets the rate tfjs's optimizers read at every update (SGD and momentum keep it as a tensor). */
function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as tf.Optimizer & { setLearningRate?: (lr: number) => void; learningRate: number };
  if (typeof o.setLearningRate === "function") o.setLearningRate(lr);
  else o.learningRate = lr;
}

/** One trainable weight: its variable, its layer's index among layers with weights, whether it is a kernel. */
interface Weight {
  readonly variable: tf.Variable;
  readonly layer: number;
  readonly kernel: boolean;
}

function weightsOf(model: LayersModel): { weights: Weight[]; layerNames: string[] } {
  const weights: Weight[] = [];
  const layerNames: string[] = [];
  for (const layer of model.layers) {
    if (layer.trainableWeights.length === 0) continue;
    const index = layerNames.length;
    layerNames.push(layer.name);
    for (const w of layer.trainableWeights)
      weights.push({ variable: w.read() as tf.Variable, layer: index, kernel: /kernel$/.test(w.originalName) });
  }
  return { weights, layerNames };
}

/**
 * The `train(ctx)` hpo runs for a module exporting `build(ctx)`. Per epoch (one step): seeded
 * mini-batches, gradients (tf.variableGrads on the model in training mode), L2/L1 on kernels,
 * gradient norms on the epoch's first batch (`grad_norm`, and `grad_norm/<layer name>` per layer
 * with weights, by the tf.LayersModel's layer names), clip by value, clip by global norm, optimizer update; then
 * validation metrics; early stopping restores the best weights and returns the best epoch's
 * metrics. Reports `loss`, `val_loss`, `gap`, `lr`, gradient norms, and `accuracy`/`val_accuracy`
 * (classification) or `val_mse`/`val_mae` (regression, original units).
 */
export function trainBuiltModel(
  build: BuildModel,
  moduleTf: ModuleTf,
): (ctx: ModuleTrainContext) => Promise<StepMetrics | undefined> {
  return async (ctx) => {
    const config = trainConfigOf(ctx.params);
    const built = await build({
      tf: moduleTf,
      trialId: ctx.trialId,
      params: ctx.params,
      fold: ctx.fold,
      folds: ctx.folds,
      seed: ctx.seed,
      task: ctx.task,
      classes: ctx.classes,
      inputShape: ctx.inputShape,
    });
    if (!built || typeof (built as { apply?: unknown }).apply !== "function" || !Array.isArray(built.layers))
      throw new HpoError("INVALID_SPEC", "build() must return a tf.LayersModel (tf.sequential(…) or tf.model(…))");
    const model = built;
    const optimizer = optimizerOf(config);
    const snapshot: tf.Tensor[] = [];
    try {
      return await fitFold(ctx, model, optimizer, config, snapshot);
    } finally {
      model.dispose();
      optimizer.dispose();
      // tfjs's MomentumOptimizer.dispose() leaves its SGD base's learning-rate scalar behind
      const rate = (optimizer as { c?: tf.Tensor }).c;
      if (rate && !rate.isDisposed) rate.dispose();
      for (const t of snapshot) t.dispose();
    }
  };
}

async function fitFold(
  ctx: ModuleTrainContext,
  model: LayersModel,
  optimizer: tf.Optimizer,
  config: TrainConfig,
  snapshot: tf.Tensor[],
): Promise<StepMetrics | undefined> {
  const classification = ctx.task === "classification";
  const last = model.layers.at(-1);
  const probabilities = (last?.getConfig() as { activation?: string } | undefined)?.activation === "softmax";
  const { weights, layerNames } = weightsOf(model);
  ctx.log("model built", { layers: layerNames });
  // regression: train on targets standardized with the training rows' mean and std
  const ys = ctx.train.yValues;
  const yMean = classification ? 0 : ys.reduce((a, v) => a + v, 0) / Math.max(ys.length, 1);
  const yStd = classification
    ? 1
    : Math.sqrt(ys.reduce((a, v) => a + (v - yMean) ** 2, 0) / Math.max(ys.length, 1)) || 1;
  const target = (y: tf.Tensor) => (classification ? y : tf.div(tf.sub(y, yMean), yStd));
  const savedTarget = classification ? undefined : { target: { mean: yMean, std: yStd } };
  const lossOf = (out: tf.Tensor, y: tf.Tensor): tf.Scalar => {
    if (!classification) return tf.losses.meanSquaredError(target(y), out) as tf.Scalar;
    if (probabilities) return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(tf.clipByValue(out, 1e-7, 1))), -1))) as tf.Scalar;
    return tf.losses.softmaxCrossEntropy(y, out) as tf.Scalar;
  };
  const epochs = config.epochs ?? ctx.epochs;
  const rows = ctx.train.rows;
  const batch = Math.max(1, Math.min(config.batchSize, rows));
  const order = Array.from({ length: rows }, (_, i) => i);
  let best = Number.POSITIVE_INFINITY;
  let bestMetrics: StepMetrics | undefined;
  let sinceBest = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    if (ctx.signal.aborted) return undefined;
    const lr = learningRateAt(config, epoch - 1, epochs);
    setLearningRate(optimizer, lr);
    const rng = createRng(mixSeed(ctx.seed, "shuffle", epoch));
    const perm = shuffled(order, rng);
    let lossSum = 0;
    let norms: Record<string, number> = {};
    for (let start = 0; start < rows; start += batch) {
      const idx = tf.tensor1d(Int32Array.from(perm.slice(start, start + batch)), "int32");
      const xb = tf.gather(ctx.train.x, idx);
      const yb = tf.gather(ctx.train.y, idx);
      const { value, grads } = tf.variableGrads(
        () => lossOf(model.apply(xb, { training: true }) as tf.Tensor, yb),
        weights.map((w) => w.variable),
      );
      lossSum += (value.dataSync()[0] as number) * (idx.shape[0] as number);
      const firstBatch = start === 0;
      const computed = tf.tidy(() => {
        const g: Record<string, tf.Tensor> = {};
        for (const w of weights) {
          let gw = grads[w.variable.name] as tf.Tensor;
          if (w.kernel && config.weightDecay > 0) gw = tf.add(gw, tf.mul(w.variable, config.weightDecay));
          if (w.kernel && config.l1 > 0) gw = tf.add(gw, tf.mul(tf.sign(w.variable), config.l1));
          g[w.variable.name] = gw;
        }
        let layerNorms: Record<string, number> = {};
        if (firstBatch) {
          const sq = new Array<number>(layerNames.length).fill(0);
          for (const w of weights)
            sq[w.layer] =
              (sq[w.layer] as number) + (tf.sum(tf.square(g[w.variable.name] as tf.Tensor)).dataSync()[0] as number);
          layerNorms = { grad_norm: Math.sqrt(sq.reduce((a, v) => a + v, 0)) };
          sq.forEach((v, i) => {
            layerNorms[gradNormKey(layerNames[i] as string)] = Math.sqrt(v);
          });
        }
        if (config.clipValue > 0)
          for (const k of Object.keys(g)) g[k] = tf.clipByValue(g[k] as tf.Tensor, -config.clipValue, config.clipValue);
        if (config.clipNorm > 0) {
          const total = Math.sqrt(
            Object.values(g).reduce((a, t) => a + (tf.sum(tf.square(t)).dataSync()[0] as number), 0),
          );
          if (total > config.clipNorm)
            for (const k of Object.keys(g)) g[k] = tf.mul(g[k] as tf.Tensor, config.clipNorm / total);
        }
        optimizer.applyGradients(g as tf.NamedTensorMap);
        return layerNorms;
      });
      if (firstBatch) norms = computed;
      tf.dispose([idx, xb, yb, value, ...Object.values(grads)]);
      await new Promise<void>((r) => setImmediate(r)); // let the other folds and messages in
      if (ctx.signal.aborted) return undefined;
    }
    const loss = lossSum / rows;
    const val = tf.tidy((): { val_loss: number } & Record<string, number> => {
      const out = model.predict(ctx.validation.x, { batchSize: 1024 }) as tf.Tensor;
      const y = ctx.validation.y;
      const valLoss = lossOf(out, y).dataSync()[0] as number;
      if (classification) {
        const hits = tf.mean(tf.cast(tf.equal(tf.argMax(out, -1), tf.argMax(y, -1)), "float32"));
        return { val_loss: valLoss, val_accuracy: hits.dataSync()[0] as number };
      }
      const pred = tf.add(tf.mul(out, yStd), yMean);
      return {
        val_loss: valLoss,
        val_mse: tf.mean(tf.square(tf.sub(pred, y))).dataSync()[0] as number,
        val_mae: tf.mean(tf.abs(tf.sub(pred, y))).dataSync()[0] as number,
      };
    });
    const metrics: Record<string, number> = { loss, ...val, gap: val.val_loss - loss, lr, ...norms };
    if (!Number.isFinite(loss) || !Number.isFinite(val.val_loss)) metrics[ctx.metric] = Number.NaN; // diverged
    if (config.earlyStoppingPatience > 0) {
      if (val.val_loss < best - config.earlyStoppingMinDelta) {
        best = val.val_loss;
        bestMetrics = metrics;
        sinceBest = 0;
        for (const t of snapshot.splice(0)) t.dispose();
        snapshot.push(...model.getWeights().map((w) => tf.clone(w)));
      } else sinceBest++;
    }
    if (await ctx.report(epoch, metrics)) return undefined;
    if (config.earlyStoppingPatience > 0 && sinceBest >= config.earlyStoppingPatience) {
      model.setWeights(snapshot);
      await ctx.saveModel(model, savedTarget);
      return { ...bestMetrics, early_stopped: 1 };
    }
  }
  if (snapshot.length > 0) model.setWeights(snapshot); // the best epoch's weights, whose metrics are returned
  await ctx.saveModel(model, savedTarget);
  return bestMetrics;
}
