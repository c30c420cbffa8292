import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { builtinDataset, DEFAULT_MISSING_TOKENS, HpoError, type TrialJob } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import type { Dataset } from "../datasets/dataset.ts";
import { datasetFile, loadDataset } from "../datasets/load-dataset.ts";
import { type FoldData, prepareFold } from "../fold-data.ts";
import { testSplit, withInnerSplit } from "../fold-split.ts";
import { LayerNet } from "../layer-net.ts";
import { learningRateAt } from "../lr-schedule.ts";
import type { Mlp } from "../model.ts";
import { type ModelInputs, modelInputs } from "../model-inputs.ts";
import { trainConfigOf } from "../model-module/train-built-model.ts";
import { PackedTrainer } from "../packed-trainer.ts";
import { parseTrainConfig, type TrainConfig } from "../params.ts";
import { installWasmKernels } from "../wasm-kernels.ts";
import type { Preprocessing } from "./exported-model.ts";
import { layerNetToLayersModel, modelArtifacts, toLayersModel } from "./layers-model.ts";
import { trainModuleRefit } from "./refit-module.ts";
import { encodeForModel, modelOutputs, scoreOutputs } from "./scoring.ts";

/** What a refit made: the model's files (but the card, which the caller writes) and its test score. */
export interface RefitResult {
  /** `model.json` of the TensorFlow.js layers format, its manifest pointing at `weights.bin`. */
  readonly modelJson: Readonly<Record<string, unknown>>;
  /** The weights, little-endian float32 in manifest order. */
  readonly weights: Uint8Array;
  readonly preprocessing: Preprocessing;
  /** TensorFlow.js backend it trained and scored on. */
  readonly backend: string;
  /** Epochs trained (fewer than the budget when early stopping ended it). */
  readonly epochs: number;
  readonly rows: number;
  /** Rows trained on (every row outside the test split, less the inner rows). */
  readonly trainRows: number;
  /** Rows early stopping watched (0 when it is off). */
  readonly innerRows: number;
  /** SHA-256 of the dataset file; undefined for a synthetic dataset. */
  readonly datasetSha256?: string;
  /** The model on the test split, scored through `model.json` as `hpo predict` reads it (undefined without one). */
  readonly test?: { readonly score: number; readonly rows: number; readonly metrics: Readonly<Record<string, number>> };
}

/** Options of `refitTrial`. */
export interface RefitOptions {
  /** Directories a CSV `dataset.path` may point into (HPO_DATA_DIRS); default: none. */
  readonly dataDirs?: readonly string[];
  /** Directories a `model.module` may be loaded from (HPO_MODEL_DIRS); default: none. */
  readonly modelDirs?: readonly string[];
}

/** A refit's training rows: every row outside the test split, encoded as a fold's training part. */
export interface RefitRows {
  readonly data: Dataset;
  readonly prepared: FoldData;
  /** Rows early stopping watches (the inner split), 0 when off. */
  readonly innerRows: number;
}

/** What a refit trained, saved: the model's artifacts and how to read its outputs. */
export interface TrainedModel {
  readonly artifacts: tf.io.ModelArtifacts;
  /** Epochs trained (fewer than the budget when early stopping ended it). */
  readonly epochs: number;
  readonly outputs: Preprocessing["outputs"];
  /** Regression: the mean and std the model's standardized target uses (default: the training rows'). */
  readonly target?: { readonly mean: number; readonly std: number };
}

/**
 * Refits one config on every row outside the test split (`cv.test_fraction`; all rows without
 * one), seeded with `job.seed`, for `epochs` (or `job.maxEpochs`) epochs; with early stopping on
 * it watches an inner validation split of those rows (`cv.inner_fraction`) whatever
 * `cv.early_stopping` says: there is no fold to watch, and the test rows are never looked at.
 * The built-in trainer's models (an MLP, a `model.layers` list) become TensorFlow.js layers models
 * (layers-model.ts); a model module (`model.module`) trains its own model once more, on these rows
 * (refit-module.ts). Then loads the model back from its own artifacts and scores the test split
 * with it, exactly as `hpo predict` will. The same job on the same backend gives the same weights,
 * bit for bit. Every tensor it makes is disposed.
 * @throws HpoError INVALID_DATASET / INVALID_SPEC for unusable data, params or module (and for
 *   program trials: their refit is a run of the program, see the coordinator's program-refit.ts),
 *   TRAINING_FAILED when the training loss turns NaN or infinite or the module throws.
 */
export async function refitTrial(job: TrialJob, options: RefitOptions = {}): Promise<RefitResult> {
  if (job.program)
    throw new HpoError(
      "INVALID_SPEC",
      `refit of ${job.trialId}: a program trial's refit is a run of the program, not a TensorFlow.js model of hpo's`,
    );
  const module = job.model.module;
  // a module's own parameters are left to it: only the trainer's are read here
  const config = module ? trainConfigOf(job.params) : parseTrainConfig(job.params, job.model);
  const dataDirs = options.dataDirs ?? [];
  const dataset = builtinDataset(job);
  const data = loadDataset(dataset, { dataDirs });
  const { file } = datasetFile(dataset, { dataDirs });
  const test = testSplit(data, job.cv);
  const pool = test?.kept ?? Array.from({ length: data.nRows }, (_, i) => i);
  // the inner split needs some patience to matter: withInnerSplit decides, with "inner" forced
  const fold = withInnerSplit(
    data,
    { ...job.cv, early_stopping: "inner" },
    { train: pool, validation: [] },
    config.earlyStoppingPatience,
    "refit",
  );
  await tf.ready();
  if (tf.getBackend() === "wasm") installWasmKernels();
  // how the built-in model reads the rows (this checks an embedding's token ids: once)
  const inputs = module ? undefined : modelInputs(data, config);
  const rows: RefitRows = {
    data,
    prepared: prepareFold(data, fold, {
      ...(inputs
        ? { classWeight: config.classWeight, standardize: inputs.standardize }
        : { standardize: config.standardize }),
      ...(dataset.max_categories !== undefined && { maxCategories: dataset.max_categories }),
    }),
    innerRows: fold.inner?.length ?? 0,
  };
  const { prepared } = rows;
  const trained = module
    ? await trainModuleRefit(job, module, rows, options.modelDirs ?? [])
    : await trainBuiltinRefit(job, config, rows, inputs as ModelInputs); // set whenever module is not
  const preprocessing: Preprocessing = {
    task: data.task,
    label: data.labelName ?? "label",
    classes: data.classes,
    numeric: prepared.encoder.numeric,
    categorical: prepared.encoder.categorical,
    missing: dataset.missing ?? DEFAULT_MISSING_TOKENS,
    inputs: prepared.encoder.inputs,
    mean: Array.from(prepared.standardizer.mean),
    std: Array.from(prepared.standardizer.std),
    ...(data.task === "regression" && { target: trained.target ?? { mean: prepared.yMean, std: prepared.yStd } }),
    outputs: trained.outputs,
  };
  const { artifacts } = trained;
  const weights = new Uint8Array(tf.io.concatenateArrayBuffers([artifacts.weightData as ArrayBuffer].flat()));
  const modelJson = {
    format: "layers-model",
    generatedBy: `hpo (TensorFlow.js ${tf.version_core})`,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs }],
  };
  let scored: RefitResult["test"];
  if (test) {
    const loaded = await loadModelFromFiles(modelJson, weights);
    try {
      const n = test.heldOut.length;
      const x = encodeForModel(preprocessing, data, test.heldOut);
      const outputs = modelOutputs(loaded, x, n, preprocessing.inputs.length);
      const labels = Float32Array.from(test.heldOut, (r) => data.labels[r] as number);
      const metrics = scoreOutputs(preprocessing, outputs, labels, n);
      scored = { score: metrics[job.metric.name] as number, rows: n, metrics };
    } finally {
      loaded.dispose();
    }
  }
  return {
    modelJson,
    weights,
    preprocessing,
    backend: tf.getBackend(),
    epochs: trained.epochs,
    rows: data.nRows,
    trainRows: fold.train.length,
    innerRows: rows.innerRows,
    ...(file !== undefined && { datasetSha256: createHash("sha256").update(readFileSync(file)).digest("hex") }),
    ...(scored && { test: scored }),
  };
}

/** Trains the built-in trainer's model of `job` (an MLP or a layer list) on the refit's rows. */
async function trainBuiltinRefit(
  job: TrialJob,
  config: TrainConfig,
  { data, prepared }: RefitRows,
  inputs: ModelInputs,
): Promise<TrainedModel> {
  const trainer = new PackedTrainer([prepared], config, data.task, data.classes.length, [job.seed], inputs);
  let model: tfl.LayersModel | undefined;
  try {
    const maxEpochs = Math.max(1, config.epochs ?? job.maxEpochs);
    for (let epoch = 1; epoch <= maxEpochs && !trainer.done; epoch++) {
      const lr = learningRateAt(config, epoch - 1, maxEpochs);
      await trainer.trainEpoch(lr);
      const records = trainer.evaluate(lr);
      const loss = records[0]?.loss as number;
      if (!Number.isFinite(loss)) {
        throw new HpoError(
          "TRAINING_FAILED",
          `refit of ${job.trialId}: training loss is ${loss} at epoch ${epoch} (learning_rate ${config.learningRate}, optimizer ${config.optimizer})`,
        );
      }
      trainer.observe(records);
    }
    model =
      trainer.model instanceof LayerNet
        ? layerNetToLayersModel(trainer.model, 0)
        : toLayersModel(trainer.model as Mlp, 0);
    return {
      artifacts: await modelArtifacts(model),
      epochs: trainer.epochs[0] as number,
      outputs: data.task === "regression" ? "standardized_target" : "logits",
    };
  } finally {
    model?.dispose();
    trainer.dispose();
  }
}

/**
 * Loads a layers model from `model.json` (as an export writes it) and the bytes of `weights.bin`,
 * with `tf.loadLayersModel` (what a browser does from a URL, here from memory).
 */
export async function loadModelFromFiles(
  modelJson: Readonly<Record<string, unknown>>,
  weights: Uint8Array,
): Promise<tfl.LayersModel> {
  const manifest = modelJson.weightsManifest as { weights: tf.io.WeightsManifestEntry[] }[] | undefined;
  if (!manifest || !modelJson.modelTopology)
    throw new HpoError(
      "INVALID_REQUEST",
      "model.json: not a TensorFlow.js layers model (no modelTopology or weightsManifest)",
    );
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  return tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology as object,
      weightSpecs: manifest.flatMap((m) => m.weights),
      weightData,
    }),
  );
}
