import { z } from "zod";
import { COLUMN_TYPES } from "./spec-dataset.ts";
import { show } from "./spec-issues.ts";
import { COMMAND_LIMITS, PROGRAM_NAME_PATTERN, PROGRAM_NAME_RULE, PROGRAM_REPORT_MODES } from "./spec-program.ts";

/**
 * Zod schemas of a sweep file as written by a user (W&B-style keys, before defaults). They check
 * shapes and simple ranges; `parseSweepSpec` adds the checks that span fields (min < max, known
 * parameter names, conditions, grid size) and fills in defaults.
 */

export const LIMITS = {
  nameLength: 100,
  idLength: 64,
  stringValueLength: 200,
  values: 1000,
  listValue: 64,
  pathLength: 1024,
  maxTrials: 100_000,
  maxParallel: 1000,
  maxEpochs: 100_000,
  /** budget.max_seconds, also after a resume or extend grows it. */
  maxSeconds: 1e9,
  gridSize: 100_000,
  /** Combinations of a grid's controlling parameters (those named in a `when`) walked to size it. */
  gridBranches: 10_000,
  /** Distinct values in all the `when` lists of a spec together. */
  conditionValues: 10_000,
  inputChars: 1_000_000,
  nesting: 64,
} as const;

export const SEARCH_METHODS = ["grid", "random", "quasi_random", "tpe", "bayes"] as const;
/** Distributions given by `min`/`max` (and `q`); W&B's log and inverse-log names included. */
export const RANGE_DISTRIBUTIONS = [
  "uniform",
  "int_uniform",
  "log_uniform_values",
  "q_uniform",
  "log_uniform",
  "q_log_uniform",
  "q_log_uniform_values",
  "inv_log_uniform",
  "inv_log_uniform_values",
] as const;
/** Distributions given by `mu`/`sigma` (and `q`), as W&B. */
export const NORMAL_DISTRIBUTIONS = ["normal", "q_normal", "log_normal", "q_log_normal"] as const;
/** Distributions given by `a`/`b` (and `q`), as W&B. */
export const BETA_DISTRIBUTIONS = ["beta", "q_beta"] as const;
/** Every `distribution` name a sweep file may use. */
export const DISTRIBUTIONS = [
  "constant",
  "categorical",
  "categorical_w_probabilities",
  ...RANGE_DISTRIBUTIONS,
  ...NORMAL_DISTRIBUTIONS,
  ...BETA_DISTRIBUTIONS,
] as const;
export const EARLY_TERMINATE_TYPES = ["none", "median", "asha", "hyperband"] as const;

/** Ids (dataset names, metric names): letters, digits, `.`, `_`, `-`; start with a letter or digit. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/**
 * Printable: no control, format (bidi overrides, zero-width), surrogate, private-use or
 * unassigned code points. Names, dataset paths, labels and column names reach terminals and pages.
 */
const PRINTABLE = /^[^\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]+$/u;
const PRINTABLE_ERROR = "must hold only printable characters (no control or format characters)";

const idString = z.string().min(1).max(LIMITS.idLength).regex(ID_PATTERN, {
  error: "must start with a letter or digit and hold only letters, digits, '.', '_' and '-'",
});

export const paramValueSchema = z.union(
  [z.number(), z.string().max(LIMITS.stringValueLength), z.boolean(), z.array(z.number()).max(LIMITS.listValue)],
  {
    error: (iss) => `must be a number, a string, true/false or a list of numbers, got ${show(iss.input)}`,
  },
);

/** `when: { optimizer: [momentum] }` (a single value is accepted for a one-element list). */
export const whenSchema = z.record(
  z.string().max(LIMITS.idLength),
  z.preprocess((v) => (Array.isArray(v) ? v : [v]), z.array(paramValueSchema).min(1).max(LIMITS.values)),
);

export const constantParamSchema = z.strictObject({
  distribution: z.literal("constant").optional(),
  value: paramValueSchema,
  when: whenSchema.optional(),
});

export const categoricalParamSchema = z.strictObject({
  distribution: z.enum(["categorical", "categorical_w_probabilities"]).optional(),
  values: z.array(paramValueSchema).min(1).max(LIMITS.values),
  /** W&B: the probability of each value (same length as values, summing to 1). */
  probabilities: z.array(z.number().min(0)).min(1).max(LIMITS.values).optional(),
  when: whenSchema.optional(),
});

const quantum = z.number().positive();

export const rangeParamSchema = z.strictObject({
  /** Optional: without it, integer bounds mean int_uniform and other bounds uniform (as W&B). */
  distribution: z.enum(RANGE_DISTRIBUTIONS).optional(),
  min: z.number(),
  max: z.number(),
  /** Step of the q_ distributions (default 1). */
  q: quantum.optional(),
  when: whenSchema.optional(),
});

/** W&B's normal family: N(mu, sigma²) and exp of it; defaults mu 0, sigma 1, q 1. */
export const normalParamSchema = z.strictObject({
  distribution: z.enum(NORMAL_DISTRIBUTIONS),
  mu: z.number().optional(),
  sigma: z.number().positive().optional(),
  q: quantum.optional(),
  when: whenSchema.optional(),
});

/** W&B's beta family: Beta(a, b) on [0, 1]; defaults a 1, b 1, q 1. */
export const betaParamSchema = z.strictObject({
  distribution: z.enum(BETA_DISTRIBUTIONS),
  a: z.number().positive().optional(),
  b: z.number().positive().optional(),
  q: quantum.optional(),
  when: whenSchema.optional(),
});

/** One entry of `parameters`: `{value}`, `{values}`, `{distribution, min, max, q?}`, `{distribution: normal, mu, sigma}`, `{distribution: beta, a, b}`. */
export const parameterSchema = z.union([
  constantParamSchema,
  categoricalParamSchema,
  rangeParamSchema,
  normalParamSchema,
  betaParamSchema,
]);

/** Picks the schema of a parameter entry from the keys present, for precise error messages. */
export function parameterSchemaFor(raw: unknown): z.ZodType {
  if (raw && typeof raw === "object" && !Array.isArray(raw)) {
    if ("value" in raw) return constantParamSchema;
    if ("values" in raw) return categoricalParamSchema;
    const d = (raw as { distribution?: unknown }).distribution;
    if ((NORMAL_DISTRIBUTIONS as readonly unknown[]).includes(d)) return normalParamSchema;
    if ((BETA_DISTRIBUTIONS as readonly unknown[]).includes(d)) return betaParamSchema;
  }
  return rangeParamSchema;
}

/**
 * Metric names: free (PROGRAM_NAME_PATTERN, `/` allowed) so program sweeps can name what their
 * program reports; parseSweepSpec restricts the built-in trainer's to METRICS[task].
 */
export const metricSchema = z.strictObject({
  name: z.string().min(1).max(LIMITS.idLength).regex(PROGRAM_NAME_PATTERN, { error: PROGRAM_NAME_RULE }),
  goal: z.enum(["maximize", "minimize"]).optional(),
  target: z.number().optional(),
  /** W&B: the value bayes search gives failed runs; ignored with a warning (TPE ignores failed trials). */
  impute: z.enum(["latest", "best", "worst"]).optional(),
  /** W&B: ignored with a warning (TPE counts running trials as bad, its constant liar). */
  impute_while_running: z.enum(["latest", "best", "worst", "false"]).optional(),
});

const datasetObjectSchema = z.strictObject({
  name: idString.optional(),
  path: z.string().min(1).max(LIMITS.pathLength).regex(PRINTABLE, { error: PRINTABLE_ERROR }).optional(),
  label: z
    .union(
      [
        z.string().min(1).max(LIMITS.stringValueLength).regex(PRINTABLE, { error: PRINTABLE_ERROR }),
        z.number().int().min(0),
      ],
      {
        error: (iss) => `must be a column name or a 0-based column index, got ${show(iss.input)}`,
      },
    )
    .optional(),
  task: z.enum(["classification", "regression"]).optional(),
  /** Column types by header name: numeric | categorical | ignore. */
  columns: z
    .record(
      z.string().min(1).max(LIMITS.stringValueLength).regex(PRINTABLE, { error: PRINTABLE_ERROR }),
      z.enum(COLUMN_TYPES),
    )
    .refine((r) => Object.keys(r).length <= LIMITS.values, { error: `must name at most ${LIMITS.values} columns` })
    .optional(),
  /** Cells read as missing (default: "", NA, NaN, null, ?). */
  missing: z.array(z.string().max(LIMITS.stringValueLength)).max(100).optional(),
  /** One-hot cap per categorical column (default 20); the rest go to an "other" input. */
  max_categories: z.number().int().min(1).max(10_000).optional(),
  /** Image datasets: the first N training images. */
  images: z.number().int().min(1).max(1_000_000).optional(),
  /** Synthetic datasets: rows generated (default 1000). */
  rows: z.number().int().min(4).max(1_000_000).optional(),
  /** Sequence datasets: timesteps per sequence. */
  timesteps: z.number().int().min(2).max(1000).optional(),
});

/** `dataset: digits` is shorthand for `dataset: { name: digits }`. */
export const datasetSchema = z.preprocess((v) => (typeof v === "string" ? { name: v } : v), datasetObjectSchema);

export const modelSchema = z.strictObject({
  hidden: z.array(z.number().int().min(1).max(4096)).max(32).optional(),
  activation: z.string().max(LIMITS.idLength).optional(),
  /** A layer list (checked by model-layers.ts `checkLayers`, which names layer index and field). */
  layers: z.array(z.unknown()).max(64).optional(),
  /** A model module (spec-model-module.ts): a TS/JS file the worker loads from HPO_MODEL_DIRS. */
  module: z.string().min(1).max(LIMITS.pathLength).regex(PRINTABLE, { error: PRINTABLE_ERROR }).optional(),
});

export const cvSchema = z.strictObject({
  /** 1 only for program sweeps (a program that validates on its own); parseSweepSpec checks it. */
  folds: z.number().int().min(1).max(50).optional(),
  stratified: z.boolean().optional(),
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  /** K-fold splits per trial, each shuffled with its own seed (default 1; see MAX_CV_FOLD_RUNS). */
  repeats: z.number().int().min(1).max(20).optional(),
  /** Share of the rows held out as a test split no trial sees (stratified; default: none). */
  test_fraction: z.number().gt(0).max(0.5).optional(),
  /** Where early stopping watches val_loss: an inner split of each fold's training rows (default) or the fold itself. */
  early_stopping: z.enum(["inner", "fold"]).optional(),
  /** Share of each fold's training rows in the inner validation split (default 0.1). */
  inner_fraction: z.number().gt(0).max(0.5).optional(),
});

/** The final selection phase (SelectSpec). */
export const selectSchema = z.strictObject({
  /** Trials re-evaluated: the best `top` completed ones by mean. */
  top: z.number().int().min(1).max(50),
  /** K-fold repeats each of them trains on top of its `cv.repeats`. */
  repeats: z.number().int().min(1).max(20),
});

export const budgetSchema = z.strictObject({
  max_trials: z.number().int().min(1).max(LIMITS.maxTrials).optional(),
  max_parallel: z.number().int().min(1).max(LIMITS.maxParallel).optional(),
  max_epochs: z.number().int().min(1).max(LIMITS.maxEpochs).optional(),
  max_seconds: z.number().positive().max(LIMITS.maxSeconds).optional(),
  /** Program and model-module sweeps only: a trial (program: a fold process) running longer is stopped. */
  max_trial_seconds: z.number().positive().max(LIMITS.maxSeconds).optional(),
});

const step = z.number().int().min(0).max(LIMITS.maxEpochs);
const resource = z.number().int().min(1).max(LIMITS.maxEpochs);
const reduction = z.number().min(2).max(100);

export const medianOptionsSchema = z.strictObject({
  type: z.literal("median"),
  /** Trials that must finish before any pruning (default 5). */
  n_startup_trials: step.optional(),
  /** Epochs of a trial before it may be pruned (default 0). */
  n_warmup_steps: step.optional(),
  /** Check every this many epochs (default 1). */
  interval_steps: resource.optional(),
  /** Other trials needed at a step to compare with (default 1). */
  n_min_trials: resource.optional(),
});

/** ASHA and Hyperband; W&B's `min_iter`, `max_iter` and `eta` are accepted as aliases. */
const halvingShape = {
  min_resource: resource.optional(),
  max_resource: resource.optional(),
  reduction_factor: reduction.optional(),
  min_iter: resource.optional(),
  max_iter: resource.optional(),
  eta: reduction.optional(),
};

export const ashaOptionsSchema = z.strictObject({
  type: z.literal("asha"),
  ...halvingShape,
  /** No trial is pruned before this epoch (default 0: rungs decide alone). */
  grace_period: step.optional(),
});

export const hyperbandOptionsSchema = z.strictObject({
  type: z.literal("hyperband"),
  ...halvingShape,
  /** W&B: with max_iter, the number of bands below it (bands max_iter/η^i, i = 1..s). */
  s: z.number().int().min(1).max(64).optional(),
  /** W&B: accepted; W&B's own sweeps controller does not use it either. */
  strict: z.boolean().optional(),
});

export const earlyTerminateSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("none") }),
  medianOptionsSchema,
  ashaOptionsSchema,
  hyperbandOptionsSchema,
]);

/** W&B's top-level keys beyond hpo's own; what each does: spec-wandb-keys.ts. */
export const wandbKeysShape = {
  description: z.string().max(10_000).optional(),
  run_cap: z.number().int().min(1).max(LIMITS.maxTrials).optional(),
  project: z.string().max(LIMITS.stringValueLength).optional(),
  entity: z.string().max(LIMITS.stringValueLength).optional(),
  controller: z.looseObject({ type: z.enum(["local", "cloud"]).optional() }).optional(),
  apiVersion: z.unknown().optional(),
  kind: z.literal("sweep").optional(),
  job: z.unknown().optional(),
  image_uri: z.unknown().optional(),
  scheduler: z.unknown().optional(),
};

export const TOP_LEVEL_KEYS = [
  "name",
  "method",
  "metric",
  "parameters",
  "dataset",
  "model",
  "cv",
  "budget",
  "early_terminate",
  "seed",
  "select",
  ...(Object.keys(wandbKeysShape) as (keyof typeof wandbKeysShape)[]),
  "program",
  "command",
  "report",
] as const;

const PRINTABLE_PATH = z.string().min(1).max(LIMITS.pathLength).regex(PRINTABLE, { error: PRINTABLE_ERROR });

const nameSchema = z.string().trim().min(1).max(LIMITS.nameLength).regex(PRINTABLE, { error: PRINTABLE_ERROR });

/** Top level with `parameters` as an opaque record: each entry is checked with parameterSchemaFor. */
export const sweepShapeSchema = z.strictObject({
  name: nameSchema.optional(),
  method: z.enum(SEARCH_METHODS).optional(),
  metric: metricSchema.optional(),
  parameters: z.record(z.string().max(LIMITS.idLength), z.unknown()).optional(),
  dataset: datasetSchema.optional(),
  model: modelSchema.optional(),
  cv: cvSchema.optional(),
  budget: budgetSchema.optional(),
  early_terminate: z.preprocess((v) => (typeof v === "string" ? { type: v } : v), earlyTerminateSchema).optional(),
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  select: selectSchema.optional(),
  ...wandbKeysShape,
  /** The user's training program (see spec-program.ts); without it trials use the built-in trainer. */
  program: PRINTABLE_PATH.optional(),
  /** W&B command template: argv items with `${...}` macros (only with `program`). */
  command: z
    .array(z.string().max(COMMAND_LIMITS.itemLength).regex(PRINTABLE, { error: PRINTABLE_ERROR }))
    .min(1)
    .max(COMMAND_LIMITS.items)
    .optional(),
  /** `wandb`: the program reports through the `wandb` stand-in (only with `program`). */
  report: z.enum(PROGRAM_REPORT_MODES).optional(),
});

/** The full input schema (for JSON Schema / OpenAPI). */
export const sweepInputSchema = sweepShapeSchema.extend({
  parameters: z.record(z.string().max(LIMITS.idLength), parameterSchema).optional(),
  dataset: z.union([idString, datasetObjectSchema]).optional(),
  early_terminate: z.union([z.enum(EARLY_TERMINATE_TYPES), earlyTerminateSchema]).optional(),
});

/** Allowed keys by dotted path, to list them when an unknown key is found. */
export const KNOWN_KEYS: Readonly<Record<string, readonly string[]>> = {
  "": TOP_LEVEL_KEYS,
  metric: Object.keys(metricSchema.shape),
  dataset: Object.keys(datasetObjectSchema.shape),
  model: Object.keys(modelSchema.shape),
  cv: Object.keys(cvSchema.shape),
  budget: Object.keys(budgetSchema.shape),
  select: Object.keys(selectSchema.shape),
};

let jsonSchema: unknown;
/** JSON Schema (draft 2020-12) of a sweep file, computed once on first use. */
export function sweepSpecJsonSchema(): unknown {
  jsonSchema ??= z.toJSONSchema(sweepInputSchema, { io: "input", unrepresentable: "any" });
  return jsonSchema;
}
