export * from "./backend.ts";
export * from "./datasets/index.ts";
export {
  moons,
  noisyRegression,
  SYNTHETIC_NAMES,
  type SyntheticOptions,
  syntheticDataset,
  twoSpirals,
} from "./datasets/synthetic.ts";
export * from "./diagnostics.ts";
export { type FoldData, prepareFold, type TrainingFold } from "./fold-data.ts";
export { checkFoldable, splitFolds, testSplit, withInnerSplit } from "./fold-split.ts";
export * from "./lr-schedule.ts";
export { Mlp } from "./model.ts";
export type { BarrierStep, StepMetrics } from "./model-module/fold-barrier.ts";
export type {
  ModelModule,
  ModuleFoldContext,
  ModuleSplit,
  ModuleTrainContext,
  SaveModelOptions,
} from "./model-module/model-module.ts";
export type { ModuleTf } from "./model-module/tf-namespace.ts";
export type { BuildModel, ModuleBuildContext } from "./model-module/train-built-model.ts";
export * from "./model-module/train-module-trial.ts";
export * from "./noop-trial.ts";
export { createOptimizer } from "./optimizers/create-optimizer.ts";
export type { Optimizer } from "./optimizers/optimizer.ts";
export { type FoldRecord, METRIC_KEYS, PackedTrainer } from "./packed-trainer.ts";
export * from "./params.ts";
export * from "./runtime-fault.ts";
export * from "./standardize.ts";
export * from "./train-trial.ts";
