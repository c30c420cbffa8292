import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { builtinDataset, DEFAULT_MISSING_TOKENS, HpoError, type TrialJob } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { datasetFile, loadDataset } from "../datasets/load-dataset.ts";
import { prepareFold } from "../fold-data.ts";
import { testSplit, withInnerSplit } from "../fold-split.ts";
import { LayerNet } from "../layer-net.ts";
import { learningRateAt } from "../lr-schedule.ts";
import type { Mlp } from "../model.ts";
import { PackedTrainer } from "../packed-trainer.ts";
import { parseTrainConfig } from "../params.ts";
import { installWasmKernels } from "../wasm-kernels.ts";
import type { Preprocessing } from "./exported-model.ts";
import { layerNetToLayersModel, modelArtifacts, toLayersModel } from "./layers-model.ts";
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
}

/**
 * Refits one config on every row outside the test split (`cv.test_fraction`; all rows without
 * one), seeded with `job.seed`, for `epochs` (or `job.maxEpochs`) epochs; with early stopping on
 * it watches an inner validation split of those rows (`cv.inner_fraction`) whatever
 * `cv.early_stopping` says: there is no fold to watch, and the test rows are never looked at.
 * Then builds the TensorFlow.js layers model, loads it back from its own artifacts and scores the
 * test split with it, exactly as `hpo predict` will. The same job on the same backend gives the
 * same weights, bit for bit. Every tensor it makes is disposed.
 * @throws HpoError INVALID_DATASET / INVALID_SPEC for unusable data or params (and for program trials,
 *   not exported yet), TRAINING_FAILED when the training loss turns NaN or infinite.
 */
export async function refitTrial(job: TrialJob, options: RefitOptions = {}): Promise<RefitResult> {
  // a program trains its own model: its refit would be a run of the program (its HPO_OUTPUT_DIR), not ours
  if (job.program)
    throw new HpoError(
      "INVALID_SPEC",
      `refit of ${job.trialId}: exporting a program trial is not supported yet (only the built-in trainer's models)`,
    );
  const config = parseTrainConfig(job.params, job.model);
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
  const prepared = prepareFold(data, fold, {
    classWeight: config.classWeight,
    ...(dataset.max_categories !== undefined && { maxCategories: dataset.max_categories }),
  });
  const trainer = new PackedTrainer([prepared], config, data.task, data.classes.length, [job.seed], {
    ...(data.image && { inputShape: data.image }),
  });
  let model: tfl.LayersModel | undefined;
  let loaded: tfl.LayersModel | undefined;
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
      ...(data.task === "regression" && { target: { mean: prepared.yMean, std: prepared.yStd } }),
      outputs: data.task === "regression" ? "standardized_target" : "logits",
    };
    model =
      trainer.model instanceof LayerNet
        ? layerNetToLayersModel(trainer.model, 0)
        : toLayersModel(trainer.model as Mlp, 0);
    const artifacts = await modelArtifacts(model);
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
      loaded = await loadModelFromFiles(modelJson, weights);
      const n = test.heldOut.length;
      const x = encodeForModel(preprocessing, data, test.heldOut);
      const outputs = modelOutputs(loaded, x, n, preprocessing.inputs.length);
      const labels = Float32Array.from(test.heldOut, (r) => data.labels[r] as number);
      const metrics = scoreOutputs(preprocessing, outputs, labels, n);
      scored = { score: metrics[job.metric.name] as number, rows: n, metrics };
    }
    return {
      modelJson,
      weights,
      preprocessing,
      backend: tf.getBackend(),
      epochs: trainer.epochs[0] as number,
      rows: data.nRows,
      trainRows: fold.train.length,
      innerRows: fold.inner?.length ?? 0,
      ...(file !== undefined && { datasetSha256: createHash("sha256").update(readFileSync(file)).digest("hex") }),
      ...(scored && { test: scored }),
    };
  } finally {
    model?.dispose();
    loaded?.dispose();
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
