import { HpoError, type TrialJob } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { loadModelModule, type ModuleTrainContext, type SaveModelOptions } from "../model-module/model-module.ts";
import { moduleTf } from "../model-module/tf-namespace.ts";
import { splitOf } from "../model-module/train-module-trial.ts";
import { modelArtifacts } from "./layers-model.ts";
import type { RefitRows, TrainedModel } from "./refit.ts";

/** Whether a module's model ends in a softmax (it outputs probabilities, not logits). */
function endsInSoftmax(model: LayersModel): boolean {
  const last = model.layers.at(-1);
  return (last?.getConfig() as { activation?: string } | undefined)?.activation === "softmax";
}

/**
 * The refit of a model-module trial: the module's `train(ctx)` (or hpo's loop around its
 * `build(ctx)`) once more, as fold 0 of 1 with seed `job.seed`, on the refit's training rows; its
 * validation rows are the inner split early stopping watches, or the training rows themselves
 * when early stopping is off (a refit has no fold to score). Every step is answered "go on". The
 * model the module hands to `ctx.saveModel` is what is exported.
 * @throws HpoError INVALID_SPEC when the module cannot be loaded or never calls `ctx.saveModel`,
 *   TRAINING_FAILED when its `train` throws.
 */
export async function trainModuleRefit(
  job: TrialJob,
  path: string,
  { data, prepared }: RefitRows,
  modelDirs: readonly string[],
): Promise<TrainedModel> {
  const what = `refit of ${job.trialId}: model module "${path}"`;
  const module = await loadModelModule(path, modelDirs);
  const classes = data.task === "classification" ? data.classes.length : 0;
  const width = prepared.nFeatures;
  const train = splitOf(prepared.xTrain, prepared.yTrain, width, classes);
  const validation =
    prepared.xInner && prepared.yInner ? splitOf(prepared.xInner, prepared.yInner, width, classes) : train;
  let saved: Omit<TrainedModel, "epochs"> | undefined;
  let steps = 0;
  const ctx: ModuleTrainContext = {
    tf: moduleTf,
    trialId: job.trialId,
    params: job.params,
    fold: 0,
    folds: 1,
    seed: job.seed,
    epochs: job.maxEpochs,
    task: data.task,
    classes,
    inputShape: [width],
    metric: job.metric.name,
    train,
    validation,
    signal: new AbortController().signal,
    report: async (step) => {
      steps = Math.max(steps, step);
      return false;
    },
    log: () => {},
    saveModel: async (model: LayersModel, options?: SaveModelOptions) => {
      const outputs =
        data.task === "classification"
          ? endsInSoftmax(model)
            ? "probabilities"
            : "logits"
          : options?.target
            ? "standardized_target"
            : "target";
      saved = { artifacts: await modelArtifacts(model), outputs, ...(options?.target && { target: options.target }) };
    },
  };
  try {
    await module.train(ctx);
  } catch (e) {
    throw new HpoError(
      e instanceof HpoError ? e.code : "TRAINING_FAILED",
      `${what}: train() threw: ${e instanceof Error ? e.message : String(e)}`,
    );
  } finally {
    tf.dispose([train.x, train.y, validation.x, validation.y]);
  }
  if (!saved)
    throw new HpoError(
      "INVALID_SPEC",
      `${what}: train(ctx) returned without calling ctx.saveModel(model): nothing to export (docs/model-modules.md)`,
    );
  return { ...saved, epochs: steps };
}
