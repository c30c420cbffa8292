/**
 * Domain and wire types shared by every app (coordinator, worker, CLI, dashboard).
 * Everything here is plain data (JSON-serialisable) and readonly: records are snapshots that
 * callers never mutate. This file imports nothing, so it runs in the browser too.
 */

/** A parameter value proposed by a sampler. Lists are used for `hidden` (layer sizes). */
export type ParamValue = number | string | boolean | readonly number[];
export type Params = Readonly<Record<string, ParamValue>>;

/**
 * A validated, normalised search dimension (tagged union on `kind`), with W&B's semantics.
 * W&B names that are the same distribution as another kind are stored as that kind by
 * `parseSweepSpec`: `log_uniform` (min/max natural-log exponents) and `inv_log_uniform` /
 * `inv_log_uniform_values` become `log_uniform_values` (log-uniform is closed under 1/x), and
 * `q_log_uniform` becomes `q_log_uniform_values` (see spec-distributions.ts).
 * The `q_` kinds round a draw x to the nearest multiple of q (`round(x / q) · q`, as W&B).
 */
export type Distribution =
  | { readonly kind: "constant"; readonly value: ParamValue }
  /** Equally likely values, or drawn with `probabilities` (same length, summing to 1). */
  | {
      readonly kind: "categorical";
      readonly values: readonly ParamValue[];
      readonly probabilities?: readonly number[];
    }
  | { readonly kind: "uniform"; readonly min: number; readonly max: number }
  | { readonly kind: "int_uniform"; readonly min: number; readonly max: number }
  | { readonly kind: "log_uniform_values"; readonly min: number; readonly max: number }
  | { readonly kind: "q_uniform"; readonly min: number; readonly max: number; readonly q: number }
  | { readonly kind: "q_log_uniform_values"; readonly min: number; readonly max: number; readonly q: number }
  /** Normal N(mu, sigma²); log_normal is exp(N(mu, sigma²)). */
  | { readonly kind: "normal" | "log_normal"; readonly mu: number; readonly sigma: number }
  | { readonly kind: "q_normal" | "q_log_normal"; readonly mu: number; readonly sigma: number; readonly q: number }
  /** Beta(a, b) on [0, 1]. */
  | { readonly kind: "beta"; readonly a: number; readonly b: number }
  | { readonly kind: "q_beta"; readonly a: number; readonly b: number; readonly q: number };

/** The kinds of Distribution. */
export type DistributionKind = Distribution["kind"];

/** A search dimension plus an optional condition: it is active only when `when` matches. */
export interface ParameterSpec {
  readonly distribution: Distribution;
  /** e.g. `{ optimizer: ["momentum"] }`: sampled only when optimizer is momentum. */
  readonly when?: Readonly<Record<string, readonly ParamValue[]>>;
  /**
   * For a parameter inside a W&B group (`parameters: { opt: { parameters: { lr: … } } }`), its
   * key path (["opt", "lr"]); the parameter's name is the dotted path ("opt.lr"). See nested-params.ts.
   */
  readonly path?: readonly string[];
}

export type Goal = "maximize" | "minimize";
export type SearchMethod = "grid" | "random" | "quasi_random" | "tpe";

export interface MetricSpec {
  /** e.g. "val_accuracy", "val_loss", "val_r2", "val_mse", "val_mae". */
  readonly name: string;
  readonly goal: Goal;
  /** Stop the sweep once a trial's K-fold mean reaches this value. */
  readonly target?: number;
}

export interface DatasetSpec {
  /** A built-in dataset ("iris" | "wine" | "digits") or a synthetic one; exclusive with path. */
  readonly name?: string;
  /** A CSV file, resolved inside the configured data directories. */
  readonly path?: string;
  /** Label column, by header name or 0-based index; default: the last column. */
  readonly label?: string | number;
  readonly task: "classification" | "regression";
  /**
   * Column types by header name, overriding inference (`numeric`, `categorical`, `ignore`).
   * Inferred: a column with any non-numeric, non-missing cell is categorical, else numeric.
   */
  readonly columns?: Readonly<Record<string, ColumnType>>;
  /** Cells read as missing (compared after trimming); default DEFAULT_MISSING_TOKENS. */
  readonly missing?: readonly string[];
  /**
   * One-hot cap: a categorical column keeps at most this many categories (the most frequent in
   * the fold's training rows); the rest share an "other" input. Default DEFAULT_MAX_CATEGORIES.
   */
  readonly max_categories?: number;
  /** Image datasets (fashion_mnist): the first N training images; default all. */
  readonly images?: number;
  /** Synthetic datasets (spirals, moons, regression, adding): rows generated; default 1000. */
  readonly rows?: number;
  /** Sequence datasets (adding): timesteps per sequence; default DEFAULT_TIMESTEPS (50). */
  readonly timesteps?: number;
}

/** How a CSV feature column is used: standardized number, one-hot categories, or not at all. */
export type ColumnType = "numeric" | "categorical" | "ignore";

export interface ModelSpec {
  /** Hidden layer sizes (default for the `hidden` parameter). */
  readonly hidden: readonly number[];
  readonly activation: string;
  /**
   * A layer list (`model.layers`) instead of the `hidden` MLP; the output layer is added after it.
   * See packages/core/src/model-layers.ts.
   */
  readonly layers?: readonly LayerSpec[];
  /**
   * A model module (docs/model-modules.md): the path of a TS/JS file exporting `build(ctx)` or
   * `train(ctx)`, resolved on the worker inside HPO_MODEL_DIRS. When set, `hidden` and
   * `activation` are unused.
   */
  readonly module?: string;
}

/**
 * One layer of `model.layers` as written (a field may name a sweep parameter: `{ param: name }`;
 * a `residual` block holds its own `layers`).
 */
export interface LayerSpec {
  /** A layer type, or `{ param: name }` naming a parameter whose values are interchangeable types. */
  readonly type: string | { readonly param: string };
  readonly [field: string]: ParamValue | { readonly param: string } | readonly LayerSpec[];
}

export interface CvSpec {
  readonly folds: number;
  readonly stratified: boolean;
  readonly seed: number;
  /**
   * Repeated K-fold: R K-fold splits per trial (R × K folds), repeat r shuffled with
   * `repeatSeed(seed, r)`; fold f of repeat r has the fold index r × K + f. Absent: 1.
   */
  readonly repeats?: number;
  /**
   * Share of the rows held out as a test split (stratified like the folds, drawn with `seed`):
   * no trial trains or is scored on them; when the sweep ends the winner is refit on every other
   * row and scored once on them (`SweepRecord.test`). Absent: no test split.
   */
  readonly test_fraction?: number;
  /**
   * Which rows early stopping (`early_stopping_patience`) watches: `inner` (default) an inner
   * validation split of each fold's training rows, so the fold's own score stays unbiased;
   * `fold` the fold's validation rows themselves (before 2026-12: the best epoch is then picked
   * on the rows it is scored on, an optimistic score).
   */
  readonly early_stopping?: EarlyStoppingSplit;
  /** Share of a fold's training rows in its inner validation split (default DEFAULT_INNER_FRACTION). */
  readonly inner_fraction?: number;
}

/** Where early stopping watches val_loss (see `CvSpec.early_stopping`). */
export type EarlyStoppingSplit = "inner" | "fold";

/** Default share of a fold's training rows in its inner validation split (scikit-learn's `validation_fraction`). */
export const DEFAULT_INNER_FRACTION = 0.1;

export interface BudgetSpec {
  readonly max_trials: number;
  readonly max_parallel: number;
  readonly max_epochs: number;
  /** Wall-clock limit for the whole sweep, in seconds (optional). */
  readonly max_seconds?: number;
  /** Program sweeps only: a fold process running longer than this many seconds is killed (optional). */
  readonly max_trial_seconds?: number;
}

/** How a program trial runs: a TrialJob's `program` (see spec-program.ts, docs/CONTRACTS.md "Program trials"). */
export interface ProgramJob {
  /**
   * The program, as submitted: absolute (the CLI resolves a relative path against the sweep
   * file's folder) or relative to one of the worker's HPO_PROGRAM_DIRS. The worker runs it only
   * when its realpath lies inside HPO_PROGRAM_DIRS.
   */
  readonly path: string;
  /** W&B `command` template (argv items with `${...}` macros); default DEFAULT_PROGRAM_COMMAND. */
  readonly command: readonly string[];
  /** `wandb`: the `wandb` stand-in package comes first on the program's PYTHONPATH. */
  readonly report?: "wandb";
  /** Grouped (nested) parameters: dotted name → path, so the program gets them nested (nestParams). */
  readonly paths?: Readonly<Record<string, readonly string[]>>;
}

export interface EarlyTerminateSpec {
  readonly type: "none" | "median" | "asha" | "hyperband";
  readonly [option: string]: unknown;
}

/** A validated sweep, with defaults filled in. Produced only by `parseSweepSpec`. */
export interface SweepSpec {
  readonly name: string;
  readonly method: SearchMethod;
  readonly metric: MetricSpec;
  readonly parameters: Readonly<Record<string, ParameterSpec>>;
  /** Required for the built-in trainer; optional with `program` (the program loads its own data). */
  readonly dataset?: DatasetSpec;
  /**
   * Set when trials run the user's own program instead of the built-in trainer: its path as
   * submitted (see ProgramJob.path); `command` and `report` come with it.
   */
  readonly program?: string;
  /** W&B `command` template; filled in (DEFAULT_PROGRAM_COMMAND) whenever `program` is set. */
  readonly command?: readonly string[];
  /** `wandb`: the program reports through the `wandb` stand-in package. */
  readonly report?: "wandb";
  readonly model: ModelSpec;
  readonly cv: CvSpec;
  readonly budget: BudgetSpec;
  readonly early_terminate: EarlyTerminateSpec;
  /** Seed of the sampler; the same sweep and seed propose the same trials. */
  readonly seed: number;
  /** Free text about the sweep (W&B's `description`). */
  readonly description?: string;
  /** Final selection phase: when the search ends, re-evaluate the top trials before naming the winner. */
  readonly select?: SelectSpec;
}

/**
 * The final selection phase of a sweep: when the search ends, the `top` completed trials (by
 * mean) each train `repeats` more K-fold repeats (seeds past `cv.repeats`, fold indices going
 * on); their folds join the trial's, its mean, CI and tie are recomputed, and only then does the
 * sweep complete with its winner.
 */
export interface SelectSpec {
  readonly top: number;
  readonly repeats: number;
}

/** States of a trial that has not finished: waiting in the queue, or on a worker. */
export const ACTIVE_TRIAL_STATES = ["queued", "running"] as const;

/**
 * States a trial finishes in: the one definition (the store's Lua scripts get it generated, the
 * metrics label their counters with it). Only a resume moves a trial out of one (cancelled → queued).
 */
export const FINAL_TRIAL_STATES = ["completed", "pruned", "failed", "diverged", "cancelled"] as const;

/** Every trial state, active ones first; the store keeps a `c:{state}` count for each. */
export const TRIAL_STATES = [...ACTIVE_TRIAL_STATES, ...FINAL_TRIAL_STATES] as const;

export type FinalTrialState = (typeof FINAL_TRIAL_STATES)[number];
export type TrialState = (typeof TRIAL_STATES)[number];

/** Whether `state` is a final trial state. */
export function isFinalTrialState(state: string): state is FinalTrialState {
  return (FINAL_TRIAL_STATES as readonly string[]).includes(state);
}

/** Whether `state` is a trial state at all (for input from outside: queries, filters). */
export function isTrialState(state: string): state is TrialState {
  return (TRIAL_STATES as readonly string[]).includes(state);
}

export type SweepStatus = "running" | "completed" | "cancelled" | "failed";

/** One fold's final result. `score` is the sweep metric on that fold's validation split. */
export interface FoldResult {
  readonly fold: number;
  readonly score: number;
  /** Every final validation/train metric of the fold, e.g. { val_loss, val_accuracy, loss }. */
  readonly metrics: Readonly<Record<string, number>>;
  readonly epochs: number;
  readonly durationMs: number;
}

/** Per-epoch report of a trial: each fold's values and their K-fold mean. */
export interface EpochReport {
  readonly epoch: number;
  /** One entry per fold: { loss, val_loss, val_accuracy, grad_norm, ... }. */
  readonly folds: readonly Readonly<Record<string, number>>[];
  /** Mean over folds of the sweep metric at this epoch (what pruners compare). */
  readonly value: number;
}

/** Mean, sample standard deviation and standard error of the mean of K fold scores. */
export interface Aggregate {
  readonly n: number;
  readonly mean: number;
  readonly std: number;
  readonly sem: number;
}

export interface TrialRecord {
  readonly sweepId: string;
  /** Stable id: `t` + zero-padded index, e.g. "t0007". */
  readonly id: string;
  readonly index: number;
  readonly params: Params;
  readonly state: TrialState;
  readonly folds: readonly FoldResult[];
  /** K-fold aggregate of fold scores; absent until the trial completes. */
  readonly mean?: number;
  readonly std?: number;
  readonly sem?: number;
  /**
   * Corrected 95 % confidence interval of `mean` and the tie with the sweep's best trial
   * (docs/statistics.md, `trialStatsOf`): added by the coordinator when it serves a completed
   * trial, never stored. `pBest` is the p-value of the paired test against the best; `tied`
   * means not distinguishable from the best at α = 0.05.
   */
  readonly ciLow?: number;
  readonly ciHigh?: number;
  readonly pBest?: number;
  readonly tied?: boolean;
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  readonly durationMs?: number;
  readonly worker?: string;
  readonly attempts?: number;
  readonly error?: string;
  /** Code of the error when the trainer raised an HpoError (INVALID_DATASET: the data is unusable). */
  readonly errorCode?: string;
  /** Diagnostic flags: overfitting, vanishing_gradients, exploding_gradients, diverged. */
  readonly flags: readonly string[];
  /** Epoch (rung) at which a pruned trial stopped. */
  readonly prunedAt?: number;
  /** Repeats the final selection phase added to this trial's folds (`SweepSpec.select`). */
  readonly selected?: number;
  /** Why the selection phase could not re-evaluate this trial (its folds stay as they were). */
  readonly selectionError?: string;
}

/**
 * What a leaderboard row shows of a trial: the fields that the store's trial scan, the
 * coordinator's sweep table and the dashboard's rows all carry (each adds its own fold scores).
 */
export type TrialSummary = Pick<
  TrialRecord,
  "id" | "index" | "state" | "params" | "mean" | "std" | "sem" | "flags" | "prunedAt" | "durationMs" | "worker"
>;

export type TrialCounts = Readonly<Record<TrialState, number>>;

/** The counts of a sweep without trials: every state at 0. */
export const NO_TRIAL_COUNTS: TrialCounts = Object.freeze(
  Object.fromEntries(TRIAL_STATES.map((state) => [state, 0])) as Record<TrialState, number>,
);

/** How many of a sweep's trials have finished: the sum of its counts over FINAL_TRIAL_STATES. */
export function finishedTrialsOf(counts: TrialCounts): number {
  let n = 0;
  for (const state of FINAL_TRIAL_STATES) n += counts[state];
  return n;
}

export interface SweepRecord {
  readonly id: string;
  readonly name: string;
  readonly spec: SweepSpec;
  readonly status: SweepStatus;
  readonly createdAt: number;
  readonly finishedAt?: number;
  /** Number of trials proposed so far. */
  readonly proposed: number;
  readonly counts: TrialCounts;
  /** The best completed trial; `ciLow`/`ciHigh` as its TrialRecord's (added when served). */
  readonly best?: {
    readonly trialId: string;
    readonly mean: number;
    readonly std: number;
    readonly ciLow?: number;
    readonly ciHigh?: number;
  };
  readonly reason?: string;
  /** Trials re-evaluated by the final selection phase (`spec.select`), once it has started. */
  readonly selection?: readonly string[];
  /**
   * The winner's score on the test split (`cv.test_fraction`): when the sweep completes, the best
   * trial's config is refit on every row outside the test split and scored once on it. Absent
   * without a test split (or before the sweep first completes).
   */
  readonly test?: SweepTest;
}

/** The test-split score of a sweep's winner (`SweepRecord.test`). */
export interface SweepTest {
  /** `pending` while the refit runs, then `done` (score set) or `failed` (error set). */
  readonly state: "pending" | "done" | "failed";
  /** The trial whose config was refit (the best when the sweep completed). */
  readonly trialId: string;
  /** The sweep metric, scored on the test split. */
  readonly metric: string;
  readonly score?: number;
  /** Rows of the test split. */
  readonly rows?: number;
  /** Every validation metric of the task on the test split (`val_accuracy`, `val_loss`, …). */
  readonly metrics?: Readonly<Record<string, number>>;
  readonly error?: string;
  /** When the refit ended (epoch ms). */
  readonly finishedAt?: number;
}

/**
 * What a worker receives for one trial (the BullMQ job data). All K folds of the trial are
 * trained by one worker in lockstep so that pruning can use the K-fold mean at every epoch.
 */
export interface TrialJob {
  readonly sweepId: string;
  readonly trialId: string;
  readonly params: Params;
  /** Absent only for program trials whose sweep names no dataset. */
  readonly dataset?: DatasetSpec;
  /** Set for program trials: the worker runs this program once per fold instead of training. */
  readonly program?: ProgramJob;
  /**
   * `budget.max_trial_seconds`. Program trials: a fold process running longer is killed; model
   * modules: a trial running longer fails and its training thread is replaced.
   */
  readonly maxTrialSeconds?: number;
  readonly model: ModelSpec;
  readonly cv: CvSpec;
  readonly metric: MetricSpec;
  readonly maxEpochs: number;
  /** Seed for weight init, shuffles and dropout of this trial. */
  readonly seed: number;
  /** "tfjs" (default) trains for real; "noop" scores from the params at once (overhead benchmarks). */
  readonly mode?: "tfjs" | "noop";
  /** The repeats of `cv` to run (the selection phase runs ones past `cv.repeats`); default all of `cv.repeats`. */
  readonly repeatRange?: RepeatRange;
  /**
   * "select": the final selection phase re-evaluating a completed trial on `repeatRange` (no
   * pruning, no curve); the worker hands the folds to `store.finishSelection`. Absent: a trial run.
   */
  readonly phase?: "select";
}

/** Repeats `from` … `from + count − 1` of a repeated K-fold (fold indices from × K on). */
export interface RepeatRange {
  readonly from: number;
  readonly count: number;
}

/** What the trainer returns for a trial. */
export interface TrialOutcome {
  readonly state: FinalTrialState;
  readonly folds: readonly FoldResult[];
  readonly flags: readonly string[];
  readonly prunedAt?: number;
  readonly error?: string;
  /**
   * Code of the error when it was an HpoError: INVALID_DATASET (the data cannot be used: every
   * trial would fail the same way, so the sweep ends), INVALID_SPEC (bad parameters), ...
   */
  readonly errorCode?: string;
}

/** Called by the trainer after every epoch; resolves true when the trial should stop (pruned). */
export interface Reporter {
  report(report: EpochReport): Promise<boolean>;
  /**
   * Optional: a line for the trial's log (how the dataset was encoded, what went into "other"),
   * called before the first epoch. Default: not recorded.
   */
  log?(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** A page of a listing. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
}

/** JSON body of every API error response. */
export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
}

export type TrialLogLevel = "info" | "warn" | "error";

/** One line of a trial's log (`GET /api/sweeps/:id/trials/:trialId/log`): what a worker logged about it. */
export interface TrialLogLine {
  /** Epoch milliseconds when the worker logged it. */
  readonly time: number;
  readonly level: TrialLogLevel;
  /** Name of the worker process that logged it. */
  readonly worker: string;
  readonly message: string;
  /** Structured fields logged with the message (attempt, params, error …), if any. */
  readonly fields?: Readonly<Record<string, unknown>>;
}
