/**
 * Peak memory of one trial, estimated before it runs (submit time, docs/trainer.md "Memory
 * estimate"). A trial trains its K folds as one pack, so every per-model quantity is K times one
 * fold's. The estimate has two parts:
 * - `heapBytes`, the tensors: what must fit in the tfjs backend's heap (the wasm32 heap holds at
 *   most 4 GB): the K models' parameters, the optimizer's state slots, the gradient and the
 *   temporaries of one optimizer step (every [K, P] tensor an update makes lives until the step
 *   ends), the activations of a training step (∝ K × batch rows × layer widths) or of the
 *   evaluation pass (∝ K × validation rows × layer widths), the validation split on the device;
 * - `bytes`, the whole trial: the heap plus what stays in JS memory (the dataset, each fold's
 *   standardized copy, the initial weights before upload).
 * Coefficients were calibrated against measured peaks (wasm heap size and peak RSS) with
 * packages/trainer/tools/measure-trial-memory.ts; the figures are in docs/trainer.md.
 *
 * A model kind plugs in through `ModelFootprint` (`mlpFootprint` for the built-in MLP).
 */
import { type DatasetShape, datasetShapeOf } from "./dataset-shape.ts";
import { layerPlan } from "./layer-plan.ts";
import { type ExampleShape, type ResolvedLayer, resolveLayer } from "./model-layers.ts";
import { trainerParams } from "./param-aliases.ts";
import type { DatasetSpec, TrialJob } from "./types.ts";

/** Largest wasm32 heap, in bytes (65,535 pages of 64 KiB): the tfjs wasm backend's hard limit. */
export const WASM_HEAP_BYTES = 4_294_901_760;

/**
 * What the estimate needs to know of a model (one fold's model; the pack holds K of them). A model
 * kind plugs in by providing one (`mlpFootprint` for the built-in MLP).
 */
export interface ModelFootprint {
  /** Trainable parameters of one model. */
  readonly parameters: number;
  /** Floats a training step holds per batch row: activations, their gradients, a gradient tape's copies, dropout masks. */
  readonly stepFloatsPerRow: number;
  /** Floats the evaluation pass holds per validation row. */
  readonly evalFloatsPerRow: number;
  /** How messages name the model, e.g. "hidden [4096 × 8]". */
  readonly label: string;
}

/** Everything that sets a trial's memory. */
export interface TrialMemoryShape {
  readonly model: ModelFootprint;
  /** K: each fold trains on (K − 1)/K of the rows. */
  readonly folds: number;
  /** R of repeated K-fold (default 1): K × R models train side by side. */
  readonly repeats?: number;
  /** Requested rows per step (the trainer uses at most the training rows of a fold). */
  readonly batchSize: number;
  /** Optimizer name (sets the state slots and the step's temporaries); unknown names count as adam. */
  readonly optimizer: string;
  /** rmsprop keeps a second slot when momentum > 0. */
  readonly momentum?: number;
  /** Early stopping keeps a snapshot of the best weights. */
  readonly earlyStopping?: boolean;
  /** The data; undefined when only a worker can know it (a CSV file): the data terms are then left out. */
  readonly data?: DatasetShape;
}

export interface TrialMemoryEstimate {
  /** Peak tensor memory (what must fit in the backend's heap), bytes. */
  readonly heapBytes: number;
  /** Peak memory of the whole trial (tensors plus JS memory), bytes. */
  readonly bytes: number;
  /** False when the data was unknown: the estimate is then a lower bound. */
  readonly complete: boolean;
}

/**
 * Per optimizer: state slots per parameter, and [K, P] temporaries of one update step (counted
 * from the update rules in packages/trainer/src/optimizers; see TEMPORARY_OVERHEAD). Adam on wasm
 * is one `HpoAdam` op writing x, m and v anew: 3 (its tfjs-op form on other backends holds 13;
 * the estimate is for the wasm heap, the one with a hard 4 GB limit).
 */
const OPTIMIZER_COST: Readonly<Record<string, { readonly slots: number; readonly temporaries: number }>> = {
  sgd: { slots: 0, temporaries: 2 },
  momentum: { slots: 1, temporaries: 4 },
  adagrad: { slots: 1, temporaries: 7 },
  rmsprop: { slots: 1, temporaries: 9 },
  adadelta: { slots: 2, temporaries: 16 },
  adam: { slots: 2, temporaries: 3 },
  adamax: { slots: 2, temporaries: 8 },
};
/** Measured temporaries over counted ones (tfjs-op adam: 16 measured, 13 counted): blocks the allocator cannot reuse. */
const TEMPORARY_OVERHEAD = 1.25;
/**
 * [K, P] tensors of a step besides the optimizer's: the gradient and its per-layer pieces, the
 * weights' views, the gradient-norm copies (calibrated: sgd measured 11.1 × K·P floats in all).
 */
const GRADIENT_COPIES = 8;
/**
 * Copies of each layer's activations a training step holds per row: forward values, their
 * gradients and transposes, or what autodiff's tape keeps (calibrated: 10 with hand-derived
 * gradients, 8.8 under autodiff with skip connections), and with batch norm, a dozen more ops per
 * layer on the tape (calibrated: 23).
 */
const STEP_COPIES = { plain: 10, batchNorm: 24 } as const;
/** Activation tensors per layer the evaluation pass keeps (it runs in one tidy per chunk of rows). */
const EVAL_COPIES = 4;
/** Most rows of one evaluation forward pass. */
export const EVAL_CHUNK_ROWS = 8192;
/** Activation floats one evaluation pass over the pack may hold (32 M floats = 128 MB). */
const EVAL_CHUNK_FLOATS = 2 ** 25;

/**
 * Rows per evaluation forward pass of a pack of `models` whose activations take
 * `activationFloatsPerRow` floats per row (the sum of its layers' output sizes): at most
 * EVAL_CHUNK_ROWS, fewer for wide models (a conv net's feature maps), so one pass holds at most
 * about 128 MB of activations. The trainer evaluates in these chunks; the estimate counts one.
 */
export function evalChunkRows(models: number, activationFloatsPerRow: number): number {
  const rows = Math.floor(EVAL_CHUNK_FLOATS / Math.max(1, models * activationFloatsPerRow));
  return Math.max(1, Math.min(EVAL_CHUNK_ROWS, rows));
}
/** The wasm heap grows in steps of 20 % (at most 96 MB) over what is asked: the estimate's margin. */
const HEAP_GROWTH = 1.1;
/** The wasm module's initial heap (16 MB): what a tiny trial measures. */
const HEAP_FLOOR_BYTES = 16 * 2 ** 20;
const FLOAT = 4;

/** Options of the built-in MLP that change its memory (TrainConfig's names). */
export interface MlpOptions {
  readonly batchNorm?: boolean;
  readonly dropout?: boolean;
}

/** The built-in MLP: `hidden` layers on `inputs` features to `outputs` units (batch norm adds 2 per unit). */
export function mlpFootprint(
  hidden: readonly number[],
  inputs: number,
  outputs: number,
  options: MlpOptions = {},
): ModelFootprint {
  const { batchNorm = false, dropout = false } = options;
  const sizes = [inputs, ...hidden, outputs];
  let parameters = 0;
  for (let i = 0; i + 1 < sizes.length; i++) {
    const fanIn = sizes[i] as number;
    const fanOut = sizes[i + 1] as number;
    parameters += fanIn * fanOut + fanOut + (batchNorm && i + 1 < sizes.length - 1 ? 2 * fanOut : 0);
  }
  const widths = hidden.reduce((a, h) => a + h, 0);
  const copies = batchNorm ? STEP_COPIES.batchNorm : STEP_COPIES.plain;
  return {
    parameters,
    stepFloatsPerRow: (widths + outputs) * copies + (dropout ? widths : 0),
    evalFloatsPerRow: (widths + outputs) * EVAL_COPIES,
    label: `hidden ${formatLayers(hidden)}`,
  };
}

/**
 * A layer list (`model.layers`, resolved) on examples of `input` to `outputs` units: its
 * parameters; per training row its activations (STEP_COPIES.plain copies, as autodiff's tape
 * keeps them), the dropout masks, for each conv2d the im2col and col2im scratch of hpo's wasm
 * gradient kernels (kh·kw·in channels per output position, twice), for each recurrent layer its
 * unrolled timesteps (input product, gates and states per step), for an embedding its one-hot ids. Not calibrated by measurement
 * yet: the same coefficients as the MLP. Undefined when the list does not fit `input`.
 */
export function layerListFootprint(
  layers: readonly ResolvedLayer[],
  input: ExampleShape,
  outputs: number,
): ModelFootprint | undefined {
  const plan = layerPlan(layers, input, outputs);
  if ("error" in plan) return undefined;
  const size = (s: ExampleShape) => s.reduce((a, b) => a * b, 1);
  let activations = 0;
  let parameters = 0;
  let scratch = 0;
  let masks = 0;
  for (const s of plan.steps) {
    if (s.kind === "fork") continue;
    activations += size(s.output);
    parameters += s.params;
    if (s.kind !== "layer") continue;
    const l = s.layer;
    if (l.type === "conv2d")
      scratch += 2 * l.kernelSize * l.kernelSize * (s.input[2] ?? 1) * (s.output[0] ?? 1) * (s.output[1] ?? 1);
    if (l.type === "dropout" && l.rate > 0) masks += size(s.input);
    // unrolled over time: every timestep's input product, gates and states stay on the tape
    if (l.type === "simple_rnn" || l.type === "lstm" || l.type === "gru") {
      const gates = l.type === "lstm" ? 4 : l.type === "gru" ? 3 : 1;
      scratch += (s.input[0] ?? 1) * l.units * (2 * gates + 2) * STEP_COPIES.plain;
    }
    if (l.type === "embedding") scratch += size(s.input) * l.inputDim; // the one-hot ids
  }
  const describe = (l: ResolvedLayer): string =>
    l.type === "conv2d"
      ? `conv2d ${l.filters} ${l.kernelSize}×${l.kernelSize}`
      : l.type === "dense" || l.type === "simple_rnn" || l.type === "lstm" || l.type === "gru"
        ? `${l.type} ${l.units}`
        : l.type === "residual"
          ? `residual [${l.layers.map(describe).join(", ")}]`
          : l.type;
  return {
    parameters,
    stepFloatsPerRow: activations * STEP_COPIES.plain + scratch + masks,
    evalFloatsPerRow: activations * EVAL_COPIES,
    label: `layers [${layers.map(describe).join(", ")}]`,
  };
}

/** `[4096 × 8]`, `[128, 64]`, `[512, 256 × 3]`: runs of more than two equal sizes shortened. */
export function formatLayers(hidden: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < hidden.length; ) {
    let j = i;
    while (j < hidden.length && hidden[j] === hidden[i]) j++;
    parts.push(j - i > 2 ? `${hidden[i]} × ${j - i}` : hidden.slice(i, j).join(", "));
    i = j;
  }
  return `[${parts.join(", ")}]`;
}

/** The estimate for one trial's shape (see the file comment for what it counts). */
export function estimateTrialMemory(shape: TrialMemoryShape): TrialMemoryEstimate {
  const K = shape.folds;
  const M = K * (shape.repeats ?? 1); // models trained side by side
  const P = shape.model.parameters;
  const cost = OPTIMIZER_COST[shape.optimizer] ?? (OPTIMIZER_COST.adam as { slots: number; temporaries: number });
  const slots = cost.slots + (shape.optimizer === "rmsprop" && (shape.momentum ?? 0) > 0 ? 1 : 0);
  const data = shape.data;
  const trainRows = data ? Math.ceil((data.rows * (K - 1)) / K) : 1;
  const valRows = data ? Math.ceil(data.rows / K) : 0;
  const features = data?.features ?? 1;
  const outputs = data?.outputs ?? 1;
  const rows = Math.min(shape.batchSize, trainRows);
  const { stepFloatsPerRow, evalFloatsPerRow } = shape.model;
  const persistent = M * P * (1 + slots + (shape.earlyStopping ? 1 : 0)) + P + M * valRows * (features + outputs + 2);
  const step =
    M * P * (GRADIENT_COPIES + TEMPORARY_OVERHEAD * cost.temporaries) +
    M * rows * (stepFloatsPerRow + 3 * (features + outputs));
  // the trainer evaluates in chunks (evalChunkRows) and keeps only each chunk's outputs
  const chunk = Math.min(valRows, evalChunkRows(M, evalFloatsPerRow / EVAL_COPIES));
  const evaluation = M * chunk * evalFloatsPerRow + M * valRows * outputs;
  const heapBytes = HEAP_FLOOR_BYTES + HEAP_GROWTH * FLOAT * (persistent + Math.max(step, evaluation));
  // JS memory: the dataset, each fold's standardized rows, the initial weights before upload, and
  // the mini-batch assembled before its upload
  const js = FLOAT * ((data ? data.rows * (features + 1) * (M + 1) : 0) + M * P + 3 * M * rows * (features + outputs));
  return { heapBytes, bytes: heapBytes + js, complete: data !== undefined };
}

/** True for a parameter value that turns an option on: `true`, `"true"` or `1`. */
export const isOn = (v: unknown): boolean => v === true || v === "true" || v === 1;

const num = (v: unknown, fallback: number): number => {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : fallback;
};

/** The layer sizes a `hidden` value names (a list, a number or "128, 64"); undefined when unreadable. */
export function layersOf(v: unknown): number[] | undefined {
  const list =
    typeof v === "number"
      ? [v]
      : typeof v === "string"
        ? v
            .replace(/^\s*\[|\]\s*$/g, "")
            .split(/[,\s]+/)
            .filter(Boolean)
            .map(Number)
        : v;
  return Array.isArray(list) && list.every((h) => Number.isInteger(h) && h > 0) ? (list as number[]) : undefined;
}

/**
 * The shape of a trial job for the built-in MLP (params as the trainer reads them, with its
 * defaults: batch 32, adam).
 * @param data the dataset's shape; default `datasetShapeOf(job.dataset)`, which leaves the data
 *   part out for a CSV file (pass the shape a submit-time check of the file found, if any).
 */
export function mlpTrialShape(
  job: Pick<TrialJob, "params" | "model" | "cv" | "repeatRange"> & { readonly dataset?: DatasetSpec | undefined },
  data: DatasetShape | undefined = datasetShapeOf(job.dataset),
): TrialMemoryShape {
  const p = trainerParams(job.params, job.model);
  const hidden = layersOf(p.hidden ?? job.model.hidden) ?? [];
  const options: MlpOptions = { batchNorm: isOn(p.batch_norm), dropout: num(p.dropout, 0) > 0 };
  const outputs = data?.outputs ?? 1;
  const layerList =
    job.model.layers &&
    layerListFootprint(
      job.model.layers.map((l, i) => resolveLayer(l, i, p, job.model.activation)),
      data?.image ?? data?.sequence ?? [data?.features ?? 1],
      outputs,
    );
  return {
    model: layerList ?? mlpFootprint(hidden, data?.features ?? 1, outputs, options),
    folds: job.cv.folds,
    repeats: job.repeatRange?.count ?? job.cv.repeats ?? 1,
    batchSize: num(p.batch_size, 32),
    optimizer: typeof p.optimizer === "string" ? p.optimizer : "adam",
    momentum: num(p.momentum, 0),
    earlyStopping: num(p.early_stopping_patience, 0) > 0,
    ...(data && { data }),
  };
}

/** `estimateTrialMemory(mlpTrialShape(job, data))`. */
export function estimateJobMemory(
  job: Pick<TrialJob, "params" | "model" | "cv" | "repeatRange"> & { readonly dataset?: DatasetSpec | undefined },
  data: DatasetShape | undefined = datasetShapeOf(job.dataset),
): TrialMemoryEstimate {
  return estimateTrialMemory(mlpTrialShape(job, data));
}

/** `7.6 GB`, `512 MB` (binary units, as memory is sized). */
export function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GB` : `${Math.ceil(bytes / 2 ** 20)} MB`;
}
