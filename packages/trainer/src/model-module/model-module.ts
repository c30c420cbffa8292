/**
 * The contract of a model module (`model: { module: models/lenet.ts }`): a TypeScript or
 * JavaScript file, resolved on the worker inside HPO_MODEL_DIRS, exporting `train(ctx)` (its own
 * loop) or `build(ctx)` (a tf.LayersModel hpo trains: train-built-model.ts). hpo
 * calls it once per fold, the K folds of a trial interleaved in one training thread; the folds
 * meet at every `ctx.report(step, metrics)` (a barrier: hpo takes the K-fold mean of the sweep's
 * metric, asks the pruner, then answers every fold). docs/model-modules.md has the user's view.
 */
import { statSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { HpoError, type Params } from "@hpo/core";
import type { Tensor2D } from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { resolveAllowedPath } from "../allowed-path.ts";
import type { StepMetrics } from "./fold-barrier.ts";
import { type ModuleTf, moduleTf } from "./tf-namespace.ts";
import { type BuildModel, trainBuiltModel } from "./train-built-model.ts";

/** One side of a fold (training or validation rows), as tensors and as plain arrays. */
export interface ModuleSplit {
  /** Rows × features, standardized with the fold's training-row statistics (one-hot for categories). */
  readonly x: Tensor2D;
  /** Classification: one-hot rows × classes; regression: rows × 1 targets in the dataset's units. */
  readonly y: Tensor2D;
  readonly rows: number;
  /** `x` as a row-major array. */
  readonly xValues: Float32Array;
  /** Class ids (classification) or targets (regression), one per row. */
  readonly yValues: Float32Array;
}

/** What a model module's `build(ctx)` and `train(ctx)` both get, per fold. */
export interface ModuleFoldContext {
  /** The worker's TensorFlow.js (tfjs-core + tfjs-layers, backend selected): use it, not an import of your own. */
  readonly tf: ModuleTf;
  /** The trial's id within its sweep, e.g. "t0003". */
  readonly trialId: string;
  /** The trial's parameters as sampled (no defaults added): the module's own and the trainer's (learning_rate, optimizer, …). */
  readonly params: Params;
  /** This fold's index, 0 … folds − 1. */
  readonly fold: number;
  readonly folds: number;
  /** Seed of this fold (initializers, dropout layers, shuffles): the trial's seed mixed with the fold index. */
  readonly seed: number;
  readonly task: "classification" | "regression";
  /** Number of classes (0 for regression). */
  readonly classes: number;
  /** Shape of one input row: [features]. */
  readonly inputShape: readonly number[];
}

/** What `train(ctx)` gets, per fold. The tensors of `train` and `validation` belong to hpo (disposed after the fold). */
export interface ModuleTrainContext extends ModuleFoldContext {
  /** `budget.max_epochs`: how many steps the pruner's schedule counts with. */
  readonly epochs: number;
  /** The sweep's metric, which every report must hold, e.g. "val_accuracy". */
  readonly metric: string;
  readonly train: ModuleSplit;
  readonly validation: ModuleSplit;
  /** Aborts when the trial is pruned, cancelled or failed: stop and return. */
  readonly signal: AbortSignal;
  /**
   * Reports step `step` (1, 2, …, increasing) with numeric metrics holding the sweep's metric.
   * Resolves once every fold reported this step and hpo decided: true = stop now (pruned,
   * cancelled, or another fold failed) and return.
   */
  report(step: number, metrics: StepMetrics): Promise<boolean>;
  /** A line for the trial's log. */
  log(message: string, fields?: Readonly<Record<string, unknown>>): void;
  /**
   * Hands hpo the trained model before `train` disposes it, which makes the trial exportable:
   * in a refit (`hpo export`, the winner's test score: `fold` 0 of `folds` 1, every row outside
   * the test split) hpo saves it as the export; in a cross-validation fold it does nothing.
   * Call it once at the end (`build(ctx)` modules: hpo calls it). Classification: a softmax last
   * layer gives probabilities, any other logits. Regression: pass `target` when the model predicts
   * (y − mean) / std rather than y itself.
   */
  saveModel(model: LayersModel, options?: SaveModelOptions): Promise<void>;
}

/** Options of `ctx.saveModel`. */
export interface SaveModelOptions {
  /** Regression: the model predicts (y − mean) / std with these (hpo undoes it when predicting). */
  readonly target?: { readonly mean: number; readonly std: number };
}

/**
 * A loaded model module. `train` may resolve to the fold's final metrics (its score is then their
 * sweep metric); otherwise the fold's last report is its result.
 */
export interface ModelModule {
  /** "train": the module's own loop; "build": hpo's loop around the module's model (trainBuiltModel). */
  readonly form: "train" | "build";
  train(ctx: ModuleTrainContext): Promise<StepMetrics | undefined> | StepMetrics | undefined;
}

/** How model module paths are resolved (resolveAllowedPath). */
const MODEL_PATH = {
  field: "model.module",
  env: "HPO_MODEL_DIRS",
  dir: "model directory",
  dirs: "model directories",
  code: "INVALID_SPEC",
} as const;

/** TypeScript files: a built worker runs no TypeScript loader of its own. */
const TYPESCRIPT = /\.[cm]?ts$/;

/** Imported modules by URL (file and version): an unchanged file is one module instance per thread. */
const imported = new Map<string, Promise<unknown>>();

/**
 * Imports a module file, a TypeScript one through tsx's scoped `tsImport` (ESM or CommonJS alike:
 * outside an ES module package Node 20 reads a `.ts` file as CommonJS, which a loader registered
 * for ESM alone does not transform). `version` makes a file changed on disk a new module; each
 * `tsImport` call evaluates the file anew, hence the cache.
 */
function importFile(file: string, version: number): Promise<unknown> {
  const url = `${pathToFileURL(file).href}?t=${version}`;
  let mod = imported.get(url);
  if (!mod) {
    mod = TYPESCRIPT.test(file)
      ? import("tsx/esm/api").then(({ tsImport }) => tsImport(url, import.meta.url))
      : import(url);
    imported.set(url, mod);
    // a failed import is tried again next time (the file may be fixed without changing its mtime)
    mod.catch(() => imported.delete(url));
  }
  return mod;
}

/**
 * Resolves `path` inside `modelDirs` (realpath; see resolveAllowedPath) and imports it (a file
 * changed on disk is imported afresh; an unchanged one is the same module instance in a thread).
 * A module exporting `build` comes back with the `train` hpo runs for it (trainBuiltModel).
 * @throws HpoError INVALID_SPEC naming the path when it is not allowed or not found, cannot be
 *   imported, or exports neither `train` nor `build`.
 */
export async function loadModelModule(path: string, modelDirs: readonly string[]): Promise<ModelModule> {
  const real = resolveAllowedPath(path, modelDirs, MODEL_PATH);
  const { mtimeMs } = statSync(real);
  let mod: Record<string, unknown>;
  try {
    mod = (await importFile(real, Math.round(mtimeMs))) as Record<string, unknown>;
  } catch (e) {
    throw new HpoError("INVALID_SPEC", `model module "${path}": cannot be loaded: ${(e as Error)?.message ?? e}`);
  }
  const own = (name: string): unknown => mod[name] ?? (mod.default as Record<string, unknown> | undefined)?.[name];
  const train = own("train");
  if (typeof train === "function") return { form: "train", train: train as ModelModule["train"] };
  const build = own("build");
  if (typeof build === "function") return { form: "build", train: trainBuiltModel(build as BuildModel, moduleTf) };
  throw new HpoError(
    "INVALID_SPEC",
    `model module "${path}": exports neither train(ctx) nor build(ctx) (docs/model-modules.md)`,
  );
}
