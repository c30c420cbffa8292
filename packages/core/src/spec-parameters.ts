/**
 * The stable parameter names of a sweep (the same in sweep files, CLI, API and dashboard), with
 * the type and range of values the trainer accepts. `parseSweepSpec` refuses any other name.
 */

/** What values a parameter takes. */
export type ParameterKind =
  | {
      readonly type: "float";
      readonly min: number;
      readonly max: number;
      readonly minExclusive?: boolean;
      readonly maxExclusive?: boolean;
    }
  | { readonly type: "int"; readonly min: number; readonly max: number }
  | { readonly type: "bool" }
  | { readonly type: "enum"; readonly choices: readonly string[] }
  /** A list of hidden layer sizes, e.g. [128, 64]. */
  | { readonly type: "layers"; readonly maxLayers: number; readonly maxUnits: number };

export interface KnownParameter {
  /** One line for docs and CLI help. */
  readonly doc: string;
  readonly kind: ParameterKind;
}

export const OPTIMIZERS = ["sgd", "momentum", "adagrad", "rmsprop", "adadelta", "adam", "adamax"] as const;
export const ACTIVATIONS = ["relu", "leaky_relu", "elu", "tanh", "sigmoid", "linear"] as const;
export const LR_SCHEDULES = ["constant", "step", "exponential", "cosine"] as const;
export const INITIALIZERS = ["glorot", "he", "pytorch"] as const;
export const CLASS_WEIGHTS = ["none", "balanced"] as const;

const unit = { type: "float", min: 0, max: 1, maxExclusive: true } as const;
const nonNegative = { type: "float", min: 0, max: Number.MAX_VALUE } as const;
const positive = { type: "float", min: 0, max: Number.MAX_VALUE, minExclusive: true } as const;

export const KNOWN_PARAMETERS: Readonly<Record<string, KnownParameter>> = {
  learning_rate: { doc: "Step size η of the optimizer (> 0).", kind: positive },
  batch_size: { doc: "Rows per gradient step (integer 1..65536).", kind: { type: "int", min: 1, max: 65536 } },
  optimizer: { doc: `Optimizer: ${OPTIMIZERS.join(" | ")}.`, kind: { type: "enum", choices: OPTIMIZERS } },
  momentum: { doc: "Momentum γ for the momentum/rmsprop optimizers, in [0, 1).", kind: unit },
  nesterov: { doc: "Use Nesterov momentum (momentum optimizer), true or false.", kind: { type: "bool" } },
  beta1: { doc: "Adam/Adamax first-moment decay β1, in [0, 1) (default 0.9).", kind: unit },
  beta2: { doc: "Adam/Adamax second-moment decay β2, in [0, 1) (default 0.999).", kind: unit },
  epsilon: { doc: "Numerical-stability ε of adaptive optimizers (> 0, default 1e-8).", kind: positive },
  rho: { doc: "Decay ρ of adadelta/rmsprop accumulators, in [0, 1).", kind: unit },
  lr_schedule: {
    doc: `Learning-rate schedule: ${LR_SCHEDULES.join(" | ")}.`,
    kind: { type: "enum", choices: LR_SCHEDULES },
  },
  lr_decay_rate: {
    doc: "Multiplicative decay of the step/exponential schedules, in (0, 1].",
    kind: { type: "float", min: 0, max: 1, minExclusive: true },
  },
  lr_decay_steps: {
    doc: "Epochs between decays of the step schedule (integer >= 1).",
    kind: { type: "int", min: 1, max: 100000 },
  },
  dropout: { doc: "Inverted-dropout rate p after each hidden layer, in [0, 1).", kind: unit },
  weight_decay: { doc: "L2 penalty on kernels (>= 0).", kind: nonNegative },
  l1: { doc: "L1 penalty on kernels (>= 0).", kind: nonNegative },
  activation: { doc: `Hidden activation: ${ACTIVATIONS.join(" | ")}.`, kind: { type: "enum", choices: ACTIVATIONS } },
  batch_norm: { doc: "Batch normalization after each hidden dense layer, true or false.", kind: { type: "bool" } },
  residual: { doc: "Skip connections between hidden layers of equal width, true or false.", kind: { type: "bool" } },
  initializer: {
    doc: `Kernel initializer: ${INITIALIZERS.join(" | ")} (pytorch: kernels and biases U(±1/√fan_in), PyTorch's default for Linear and Conv2d).`,
    kind: { type: "enum", choices: INITIALIZERS },
  },
  standardize: {
    doc: "Standardize each input with the fold's training rows' mean and std (default true); false: inputs as the dataset gives them (fashion_mnist pixels in [0, 1]).",
    kind: { type: "bool" },
  },
  clip_norm: { doc: "Clip gradients to this global norm (>= 0; 0 = off).", kind: nonNegative },
  clip_value: { doc: "Clip each gradient element to ±value (>= 0; 0 = off).", kind: nonNegative },
  hidden: {
    doc: "Hidden layer sizes, a list such as [128, 64] (0..32 layers of 1..4096 units).",
    kind: { type: "layers", maxLayers: 32, maxUnits: 4096 },
  },
  early_stopping_patience: {
    doc: "Epochs without val_loss improvement before stopping (integer >= 0; 0 = off).",
    kind: { type: "int", min: 0, max: 100000 },
  },
  early_stopping_min_delta: { doc: "Smallest val_loss decrease that counts as improvement (>= 0).", kind: nonNegative },
  leaky_alpha: { doc: "Negative slope α of leaky_relu, in [0, 1).", kind: unit },
  class_weight: {
    doc: "Class weights of the training loss: none | balanced (n / (classes · n_class) on the fold's training rows).",
    kind: { type: "enum", choices: CLASS_WEIGHTS },
  },
  epochs: {
    doc: "Epochs of this trial (integer >= 1; default budget.max_epochs).",
    kind: { type: "int", min: 1, max: 100000 },
  },
  // Other spellings (param-aliases.ts): trials keep the name written, the trainer reads the canonical one.
  lr: { doc: "learning_rate, as W&B examples write it.", kind: positive },
  learn_rate: { doc: "learning_rate, as W&B examples write it.", kind: positive },
  num_epochs: { doc: "epochs, as W&B examples write it.", kind: { type: "int", min: 1, max: 100000 } },
  weight_init: {
    doc: `initializer (${INITIALIZERS.join(" | ")}; xavier means glorot).`,
    kind: { type: "enum", choices: INITIALIZERS },
  },
  hidden_size: {
    doc: "Units of every hidden layer (with num_layers: hidden = [hidden_size] × num_layers; 1..4096).",
    kind: { type: "int", min: 1, max: 4096 },
  },
  num_layers: {
    doc: "Hidden layers of hidden_size units each (0..32; default 1).",
    kind: { type: "int", min: 0, max: 32 },
  },
};

/**
 * Metrics a sweep may optimise, by task (what the trainer reports for every fold at every epoch).
 * Classification: `val_auc` (ROC AUC; macro one-vs-rest over the classes present for more than two
 * classes), `val_f1` (macro F1), `val_balanced_accuracy` (mean recall over the classes present),
 * `val_log_loss` (cross-entropy with probabilities clipped to [1e-15, 1]). Regression: `val_rmse`
 * besides MSE, MAE and R². Default goal: minimize for names holding loss, mse, mae or error
 * (so val_rmse and val_log_loss too), maximize otherwise (`defaultGoal`).
 */
export const METRICS = {
  classification: [
    "val_accuracy",
    "val_loss",
    "val_auc",
    "val_f1",
    "val_balanced_accuracy",
    "val_log_loss",
    "accuracy",
    "loss",
  ],
  regression: ["val_loss", "val_mse", "val_rmse", "val_mae", "val_r2", "loss", "mse", "rmse", "mae", "r2"],
} as const;

/** The goal a metric gets when the sweep names it without one. */
export function defaultGoal(metric: string): "maximize" | "minimize" {
  return /loss|mse|mae|error/i.test(metric) ? "minimize" : "maximize";
}

export const KNOWN_PARAMETER_NAMES: readonly string[] = Object.keys(KNOWN_PARAMETERS);

export function isKnownParameter(name: string): boolean {
  return Object.hasOwn(KNOWN_PARAMETERS, name);
}
