import {
  HpoError,
  layerFieldRefs,
  type ModelSpec,
  type Params,
  type ParamValue,
  type ResolvedLayer,
  resolveLayer,
  trainerParams,
} from "@hpo/core";

export const OPTIMIZERS = ["sgd", "momentum", "adagrad", "rmsprop", "adadelta", "adam", "adamax"] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
export const ACTIVATIONS = ["relu", "leaky_relu", "elu", "tanh", "sigmoid", "linear"] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];
export const LR_SCHEDULES = ["constant", "step", "exponential", "cosine"] as const;
export type LrScheduleName = (typeof LR_SCHEDULES)[number];
export const INITIALIZERS = ["glorot", "he", "pytorch"] as const;
export type InitializerName = (typeof INITIALIZERS)[number];
export const CLASS_WEIGHTS = ["none", "balanced"] as const;
export type ClassWeightName = (typeof CLASS_WEIGHTS)[number];

/**
 * Every trial parameter the trainer understands (the names used in sweep files, the CLI, the API and
 * the dashboard). Any other name is refused with this list. See docs/trainer.md.
 */
export const TRAINER_PARAMS = [
  "learning_rate",
  "batch_size",
  "optimizer",
  "momentum",
  "nesterov",
  "beta1",
  "beta2",
  "epsilon",
  "rho",
  "lr_schedule",
  "lr_decay_rate",
  "lr_decay_steps",
  "epochs",
  "dropout",
  "weight_decay",
  "l1",
  "activation",
  "leaky_alpha",
  "batch_norm",
  "residual",
  "initializer",
  "clip_norm",
  "clip_value",
  "hidden",
  "early_stopping_patience",
  "early_stopping_min_delta",
  "class_weight",
  "standardize",
] as const;

/** A trial's training configuration: the params with defaults filled in and checked. */
export interface TrainConfig {
  readonly hidden: readonly number[];
  /** `model.layers` with the trial's params substituted: a `LayerNet` instead of the `hidden` MLP. */
  readonly layers?: readonly ResolvedLayer[];
  readonly activation: ActivationName;
  /** Negative slope of leaky_relu; default 0.01. */
  readonly leakyAlpha: number;
  /** Inverted-dropout rate after each hidden layer, in [0, 1); default 0. */
  readonly dropout: number;
  readonly batchNorm: boolean;
  readonly residual: boolean;
  /** Kernels (and, for pytorch, biases) of dense, conv and output layers; see initializers.ts. */
  readonly initializer: InitializerName;
  /**
   * Standardize the inputs with each fold's training-row mean and std (`standardize`, default
   * true); false feeds them as the dataset gives them.
   */
  readonly standardize: boolean;
  readonly optimizer: OptimizerName;
  /** Default: 0.01 for sgd, momentum, adagrad; 1e-3 otherwise; ignored by adadelta. */
  readonly learningRate: number;
  /** Momentum γ: default 0.9 for the momentum optimizer, 0 (none) for rmsprop. */
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly beta1: number;
  readonly beta2: number;
  /** Default: 1e-6 for adadelta, 1e-8 otherwise. */
  readonly epsilon: number;
  /** Decay of the squared-gradient average: default 0.9 for rmsprop, 0.95 for adadelta. */
  readonly rho: number;
  readonly lrSchedule: LrScheduleName;
  /** `lr_decay_rate`: default 0.5 per step (step), 0.95 per epoch (exponential). */
  readonly lrDecay: number;
  /** `lr_decay_steps`: epochs between decays of the step schedule; default 10. */
  readonly lrDecayEpochs: number;
  readonly batchSize: number;
  /** L2 penalty (λ/2)·Σw² on kernels; gradient λ·w. Default 0. */
  readonly weightDecay: number;
  /** L1 penalty λ·Σ|w| on kernels. Default 0. */
  readonly l1: number;
  /** Clip the global gradient norm to this value; 0 = off. */
  readonly clipNorm: number;
  /** Clip each gradient element to [-v, v]; 0 = off. */
  readonly clipValue: number;
  /** Epochs of this trial (`epochs` param); undefined = the job's maxEpochs. */
  readonly epochs: number | undefined;
  /** Epochs without a val_loss improvement > min_delta before a fold stops; 0 = off. */
  readonly earlyStoppingPatience: number;
  readonly earlyStoppingMinDelta: number;
  /** `class_weight`: "balanced" weighs each class's training loss by n / (classes · n_class); default "none". */
  readonly classWeight: ClassWeightName;
}

function bad(name: string, expected: string, got: ParamValue): never {
  throw new HpoError("INVALID_SPEC", `trial parameter "${name}": expected ${expected}, got ${JSON.stringify(got)}`);
}

function num(params: Params, name: string, fallback: number, check: (v: number) => boolean, expected: string): number {
  const v = params[name];
  if (v === undefined) return fallback;
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isFinite(n) || !check(n)) bad(name, expected, v);
  return n;
}

function bool(params: Params, name: string): boolean {
  const v = params[name];
  if (v === undefined) return false;
  if (v === true || v === 1 || v === "true") return true;
  if (v === false || v === 0 || v === "false") return false;
  return bad(name, "a boolean", v);
}

function choice<T extends string>(params: Params, name: string, allowed: readonly T[], fallback: T): T {
  const v = params[name];
  if (v === undefined) return fallback;
  if (typeof v !== "string" || !allowed.includes(v as T)) bad(name, `one of ${allowed.join(", ")}`, v);
  return v as T;
}

function layerSizes(v: ParamValue, name: string): number[] {
  let list: unknown = v;
  if (typeof v === "number") list = [v];
  if (typeof v === "string") {
    const text = v.trim().replace(/^\[|\]$/g, "");
    list = text === "" ? [] : text.split(/[,\s]+/).map(Number);
  }
  if (!Array.isArray(list) || !list.every((h) => Number.isInteger(h) && h >= 1 && h <= 65536) || list.length > 64) {
    bad(name, "a list of up to 64 positive integer layer sizes", v);
  }
  return list as number[];
}

/**
 * Checks a trial's params and fills in defaults. `model.hidden` / `model.activation` are the
 * defaults of `hidden` / `activation`. Params may use the aliases of @hpo/core's param-aliases.ts.
 * With `model.layers`, the parameters its fields name (`{ param: name }`) are allowed too and
 * substituted into `layers`.
 * @throws HpoError("INVALID_SPEC") for unknown names (listing the known ones) and bad values.
 */
export function parseTrainConfig(written: Params, model: ModelSpec): TrainConfig {
  // Other spellings (lr, num_epochs, hidden_size + num_layers, Adam, xavier…) under the names read here.
  const params = trainerParams(written, model);
  const layerParams = new Set(layerFieldRefs(model.layers ?? []).map((r) => r.param));
  const unknown = Object.keys(params).filter(
    (k) => !(TRAINER_PARAMS as readonly string[]).includes(k) && !layerParams.has(k),
  );
  if (unknown.length > 0) {
    throw new HpoError(
      "INVALID_SPEC",
      `unknown trial parameter${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => `"${u}"`).join(", ")}; known: ${TRAINER_PARAMS.join(", ")}`,
    );
  }
  const optimizer = choice(params, "optimizer", OPTIMIZERS, "adam");
  const activation = choice(
    params,
    "activation",
    ACTIVATIONS,
    (ACTIVATIONS as readonly string[]).includes(model.activation) ? (model.activation as ActivationName) : "relu",
  );
  if (params.activation === undefined && !(ACTIVATIONS as readonly string[]).includes(model.activation)) {
    throw new HpoError(
      "INVALID_SPEC",
      `model.activation: expected one of ${ACTIVATIONS.join(", ")}, got ${JSON.stringify(model.activation)}`,
    );
  }
  const lrSchedule = choice(params, "lr_schedule", LR_SCHEDULES, "constant");
  const pos = (v: number) => v > 0;
  const nonNeg = (v: number) => v >= 0;
  const unit = (v: number) => v >= 0 && v < 1;
  let layers: ResolvedLayer[] | undefined;
  try {
    layers = model.layers?.map((l, i) => resolveLayer(l, i, params, activation));
  } catch (e) {
    throw new HpoError("INVALID_SPEC", (e as Error).message);
  }
  return {
    ...(layers && { layers }),
    hidden: layerSizes(params.hidden ?? model.hidden, params.hidden === undefined ? "model.hidden" : "hidden"),
    activation,
    leakyAlpha: num(params, "leaky_alpha", 0.01, nonNeg, "a number >= 0"),
    dropout: num(params, "dropout", 0, unit, "a number in [0, 1)"),
    batchNorm: bool(params, "batch_norm"),
    standardize: params.standardize === undefined || bool(params, "standardize"),
    residual: bool(params, "residual"),
    initializer: choice(
      params,
      "initializer",
      INITIALIZERS,
      activation === "relu" || activation === "leaky_relu" || activation === "elu" ? "he" : "glorot",
    ),
    optimizer,
    learningRate: num(
      params,
      "learning_rate",
      ["sgd", "momentum", "adagrad"].includes(optimizer) ? 0.01 : 1e-3,
      pos,
      "a number > 0",
    ),
    momentum: num(params, "momentum", optimizer === "rmsprop" ? 0 : 0.9, unit, "a number in [0, 1)"),
    nesterov: bool(params, "nesterov"),
    beta1: num(params, "beta1", 0.9, unit, "a number in [0, 1)"),
    beta2: num(params, "beta2", 0.999, unit, "a number in [0, 1)"),
    epsilon: num(params, "epsilon", optimizer === "adadelta" ? 1e-6 : 1e-8, pos, "a number > 0"),
    rho: num(params, "rho", optimizer === "adadelta" ? 0.95 : 0.9, unit, "a number in [0, 1)"),
    lrSchedule,
    lrDecay: num(
      params,
      "lr_decay_rate",
      lrSchedule === "exponential" ? 0.95 : 0.5,
      (v) => v > 0 && v <= 1,
      "a number in (0, 1]",
    ),
    lrDecayEpochs: num(params, "lr_decay_steps", 10, (v) => Number.isInteger(v) && v >= 1, "an integer >= 1"),
    batchSize: num(
      params,
      "batch_size",
      32,
      (v) => Number.isInteger(v) && v >= 1 && v <= 1_000_000,
      "an integer in [1, 1000000]",
    ),
    weightDecay: num(params, "weight_decay", 0, nonNeg, "a number >= 0"),
    l1: num(params, "l1", 0, nonNeg, "a number >= 0"),
    clipNorm: num(params, "clip_norm", 0, nonNeg, "a number >= 0 (0 = off)"),
    clipValue: num(params, "clip_value", 0, nonNeg, "a number >= 0 (0 = off)"),
    epochs:
      params.epochs === undefined
        ? undefined
        : num(params, "epochs", 1, (v) => Number.isInteger(v) && v >= 1, "an integer >= 1"),
    earlyStoppingPatience: num(
      params,
      "early_stopping_patience",
      0,
      (v) => Number.isInteger(v) && v >= 0,
      "an integer >= 0 (0 = off)",
    ),
    earlyStoppingMinDelta: num(params, "early_stopping_min_delta", 0, nonNeg, "a number >= 0"),
    classWeight: choice(params, "class_weight", CLASS_WEIGHTS, "none"),
  };
}
