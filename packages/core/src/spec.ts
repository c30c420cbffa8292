import { parseDocument } from "yaml";
import { didYouMean } from "./did-you-mean.ts";
import { HpoError, type Issue } from "./errors.ts";
import { MAX_CV_FOLD_RUNS } from "./kfold.ts";
import { checkLayerModel } from "./layer-model-check.ts";
import { checkLayers, type LayerParamRef } from "./model-layers.ts";
import { flattenParameters, writtenPath } from "./nested-params.ts";
import { canonicalName } from "./param-aliases.ts";
import { controllingParams } from "./samplers/active-params.ts";
import { gridSpace } from "./samplers/grid-space.ts";
import { supportSize } from "./samplers/sample-distribution.ts";
import { normaliseDataset } from "./spec-dataset.ts";
import { normaliseEarlyTerminate } from "./spec-early-terminate.ts";
import { formatIssues, fromZodIssue, joinPath, show } from "./spec-issues.ts";
import { metricGoal } from "./spec-metric-goal.ts";
import { checkModuleModel, MODULE_PARAMETER_PATTERN, MODULE_PARAMETER_RULE } from "./spec-model-module.ts";
import { checkConditions, normaliseParameter } from "./spec-normalise-parameter.ts";
import { ACTIVATIONS, isKnownParameter, KNOWN_PARAMETER_NAMES, KNOWN_PARAMETERS, METRICS } from "./spec-parameters.ts";
import {
  checkProgramCommand,
  DEFAULT_PROGRAM_COMMAND,
  PROGRAM_NAME_PATTERN,
  PROGRAM_NAME_RULE,
  programSweepName,
} from "./spec-program.ts";
import { KNOWN_KEYS, LIMITS, parameterSchemaFor, sweepShapeSchema, TOP_LEVEL_KEYS } from "./spec-schema.ts";
import { checkWandbKeys } from "./spec-wandb-keys.ts";
import type {
  BudgetSpec,
  CvSpec,
  DatasetSpec,
  MetricSpec,
  ModelSpec,
  ParameterSpec,
  SearchMethod,
  SweepSpec,
} from "./types.ts";

export { COLUMN_TYPES, DEFAULT_MAX_CATEGORIES, DEFAULT_MISSING_TOKENS } from "./spec-dataset.ts";
export { supportOf, supportProblem } from "./spec-distributions.ts";
export { MODULE_PARAMETER_PATTERN } from "./spec-model-module.ts";
export type { KnownParameter, ParameterKind } from "./spec-parameters.ts";
export { CLASS_WEIGHTS, defaultGoal, KNOWN_PARAMETER_NAMES, KNOWN_PARAMETERS, METRICS } from "./spec-parameters.ts";
export {
  builtinDataset,
  DEFAULT_PROGRAM_COMMAND,
  PROGRAM_COMMAND_MACROS,
  PROGRAM_NAME_PATTERN,
  PROGRAM_REPORT_MODES,
  sweepSubject,
} from "./spec-program.ts";
export { LIMITS as SPEC_LIMITS, sweepSpecJsonSchema } from "./spec-schema.ts";

/** At most this many issues are reported (the rest are counted). */
const MAX_ISSUES = 50;

export interface ParseSweepSpecOptions {
  /** How to read a string input: "yaml" (default; YAML is a superset of JSON) or strict "json". */
  readonly format?: "json" | "yaml";
}

/**
 * Parses and validates a sweep (an object, or YAML/JSON text) and fills in defaults:
 * - `name`: `<dataset>-<method>`; `method`: random (`bayes` means tpe);
 * - `metric`: val_accuracy/maximize for classification, val_loss/minimize for regression
 *   (a metric named without `goal` minimizes when its name holds loss, mse, mae or error; a
 *   program's metric without `goal` minimizes, W&B's default: spec-metric-goal.ts);
 * - `dataset`: a string is a built-in name; `task` defaults to regression when the name holds
 *   "regression", else classification; `columns` (name → numeric | categorical | ignore, not the
 *   label), `missing` (tokens) and `max_categories` only with `path` (see spec-dataset.ts);
 * - `parameters`: {} ; names from KNOWN_PARAMETERS only (their aliases, param-aliases.ts, keep
 *   the name written); each `{value}`, `{values: [...], probabilities?}` (repeats kept) or a
 *   W&B distribution (`{distribution, min, max, q?}`, `{distribution: normal, mu, sigma}`, …:
 *   spec-distributions.ts); bounds without `distribution` are int_uniform for integer
 *   parameters, uniform otherwise; q defaults to 1; a W&B group (`{parameters: {...}}`) becomes
 *   dotted names with their `path` (nested-params.ts); `when: {optimizer: [momentum]}`
 *   (or `when: {optimizer: momentum}`) makes a parameter conditional on a categorical one (each
 *   list is a set: repeats are dropped; at most 10,000 values in all the lists together);
 * - `method: grid` needs enumerable parameters and at most 100,000 combinations (gridSize), and
 *   at most 10,000 combinations of the parameters that others depend on;
 * - `model`: hidden [64], activation relu; `cv`: 5 folds, stratified for classification, seed 0,
 *   `repeats` 1 (1–20 K-fold splits per trial, folds × repeats ≤ MAX_CV_FOLD_RUNS), optional `test_fraction` (0 < x ≤ 0.5: a held-out test split), `early_stopping` (`inner`, the
 *   default, or `fold`: see CvSpec) and `inner_fraction` (0 < x ≤ 0.5, default 0.1);
 * - `metric.name`: one of METRICS[task];
 * - `budget`: max_trials 20, max_parallel 2, max_epochs 20; `early_terminate`: none, or a type
 *   (`median`, `asha`, `hyperband`, also as a bare string) with options and defaults listed in
 *   spec-early-terminate.ts (W&B's min_iter/max_iter/eta accepted); `seed`: 0; `select`
 *   (optional, SelectSpec): `top` 1–50 and `repeats` 1–20 (folds × repeats ≤ MAX_CV_FOLD_RUNS).
 * - `program` (the user's training program, see spec-program.ts): then `command` defaults to
 *   DEFAULT_PROGRAM_COMMAND, `report: wandb` may be set, parameter and metric names are free
 *   (PROGRAM_NAME_PATTERN; no known-parameter check, no value ranges: bounds alone mean
 *   int_uniform when both are integers, else uniform), `metric` is required (no default: only
 *   the user knows what the program reports), `dataset` is optional, `cv.folds` may be 1,
 *   `cv.stratified` defaults to true only for a classification dataset, `budget.max_trial_seconds`
 *   may be set, and the name defaults to `<program stem>-<method>`. `command`, `report` and
 *   `budget.max_trial_seconds` are refused without `program` (or `model.module`); `cv.repeats` > 1,
 *   `cv.test_fraction`, `cv.early_stopping` and `select` are refused with `program`.
 * - `model.module` (a model module, spec-model-module.ts): then `model.hidden`/`activation`/
 *   `layers` are refused, parameters other than KNOWN_PARAMETERS may be named
 *   (MODULE_PARAMETER_PATTERN; any value, bounds alone mean int_uniform when both are integers,
 *   else uniform), `metric.name` is free (what the module reports), `budget.max_trial_seconds` may
 *   be set (the winner's refit, for its test score and `hpo export`, runs the module once more).
 * - W&B's other top-level keys (spec-wandb-keys.ts): `run_cap` is budget.max_trials,
 *   `description` is kept, `project`/`entity`/`controller`/`apiVersion`/`kind` are ignored with a
 *   warning (`checkSweepSpec` returns them), `job`/`scheduler`/`image_uri` are refused.
 * Unknown keys are refused everywhere, with the closest known one (did-you-mean.ts); strings,
 * lists and nesting are size-limited (SPEC_LIMITS).
 * Returns a deeply frozen SweepSpec.
 * @throws HpoError INVALID_SPEC with `details: Issue[]`, the message listing every issue as
 *   `sweep "name": parameters.learning_rate.min must be > 0 for log_uniform_values, got -1`;
 *   PAYLOAD_TOO_LARGE when a string input is longer than 1,000,000 characters.
 */
export function parseSweepSpec(input: unknown, opts: ParseSweepSpecOptions = {}): SweepSpec {
  return checkSweepSpec(input, opts).spec;
}

/** A valid sweep and what hpo does differently from what the file may expect. */
export interface CheckedSweepSpec {
  readonly spec: SweepSpec;
  /**
   * Keys hpo accepts but ignores or reads differently from W&B (`project`, `controller`,
   * `metric.impute`, `early_terminate.strict`, `log_uniform` bounds that look like values, …),
   * each at the path the user wrote. Shown by the CLI and returned by `POST /api/sweeps`.
   */
  readonly warnings: readonly Issue[];
}

/**
 * `parseSweepSpec` plus the warnings: the same checks, defaults and errors (every issue in one
 * pass); a sweep that is valid but has keys hpo ignores comes back with one warning per key.
 */
export function checkSweepSpec(input: unknown, opts: ParseSweepSpecOptions = {}): CheckedSweepSpec {
  const warnings: Issue[] = [];
  const raw = typeof input === "string" ? parseText(input, opts.format ?? "yaml") : input;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    fail(undefined, [
      { path: "", message: `must be a mapping of sweep keys (name, method, parameters, ...), got ${show(raw)}` },
    ]);
  }
  const rec = raw as Record<string, unknown>;
  const displayName =
    typeof rec.name === "string" && rec.name.trim() && rec.name.length <= LIMITS.nameLength
      ? rec.name.trim()
      : undefined;
  const issues: Issue[] = [];

  const shape = sweepShapeSchema.safeParse(rec, { reportInput: true });
  if (!shape.success) for (const zi of shape.error.issues) issues.push(...fromZodIssue(zi, [], KNOWN_KEYS));

  const isProgram = typeof rec.program === "string";
  const rawModel = rec.model && typeof rec.model === "object" ? (rec.model as Record<string, unknown>) : undefined;
  const isModule = rawModel?.module !== undefined;
  const layerList = rawModel?.layers !== undefined ? checkLayers(rawModel.layers, issues) : undefined;
  const parameters = parseParameters(rec.parameters, issues, warnings, isProgram, layerList?.refs ?? [], isModule);
  const data = shape.success ? shape.data : undefined;
  const method: SearchMethod | undefined = data
    ? data.method === "bayes"
      ? "tpe"
      : (data.method ?? "random")
    : undefined;

  if (parameters && method === "grid") checkGrid(parameters, issues);
  // Every problem in one pass: the checks below need only the top-level shape, not the parameters.
  if (!data || !method) fail(displayName, issues);

  const runCap = checkWandbKeys(data, issues, warnings);
  if (data.dataset === undefined && !isProgram)
    issues.push({ path: "dataset", message: "is required (or name a program that loads its own data)" });
  const dataset: DatasetSpec | undefined = data.dataset && normaliseDataset(data.dataset, issues);
  const task = dataset?.task ?? "classification";
  if (isProgram) checkProgramFields(data, issues);
  else {
    for (const key of ["command", "report"] as const)
      if (data[key] !== undefined) issues.push({ path: key, message: "applies to program sweeps only (program: …)" });
    if (data.budget?.max_trial_seconds !== undefined && !isModule)
      issues.push({
        path: "budget.max_trial_seconds",
        message: "applies to program and model-module sweeps only (program: … or model: { module: … })",
      });
    if (data.cv?.folds === 1)
      issues.push({
        path: "cv.folds",
        message: "must be at least 2 for the built-in trainer (1 is for programs that validate on their own)",
      });
  }
  const metric: MetricSpec = data.metric
    ? {
        name: data.metric.name,
        goal: metricGoal(data.metric.name, data.metric.goal, rec.program !== undefined, warnings),
        ...(data.metric.target !== undefined ? { target: data.metric.target } : {}),
      }
    : task === "regression"
      ? { name: "val_loss", goal: "minimize" }
      : { name: "val_accuracy", goal: "maximize" };
  const metrics: readonly string[] = METRICS[task];
  if (!isProgram && !isModule && !metrics.includes(metric.name)) {
    issues.push({
      path: "metric.name",
      message: `must be one of ${metrics.join(" | ")} for a ${task} dataset, got ${show(metric.name)}`,
    });
  }
  const activation = data.model?.activation ?? "relu";
  if (!(ACTIVATIONS as readonly string[]).includes(activation)) {
    issues.push({
      path: "model.activation",
      message: `must be one of ${ACTIVATIONS.join(" | ")}, got ${show(activation)}`,
    });
  }
  if (layerList && data.model?.hidden !== undefined)
    issues.push({ path: "model", message: "takes hidden (an MLP) or layers, not both" });
  if (layerList && parameters?.hidden !== undefined)
    issues.push({ path: "parameters.hidden", message: "sizes the hidden MLP; a layer list sizes its layers itself" });
  if (layerList && isProgram)
    issues.push({ path: "model.layers", message: "applies to the built-in trainer, not to program sweeps" });
  if (layerList && parameters && dataset && issues.length === 0)
    checkLayerModel(layerList.layers, layerList.refs, parameters, dataset, activation, issues);
  if (data.model?.module !== undefined) {
    checkModuleModel(data.model, issues);
    if (isProgram)
      issues.push({ path: "model.module", message: "applies to the built-in trainer, not to program sweeps" });
  }
  if (isProgram) {
    // the program runner runs cv.folds processes once: repeats, held-out tests and a selection phase are the built-in trainer's
    const builtinOnly: [string, unknown][] = [
      ["cv.repeats", data.cv?.repeats !== undefined && data.cv.repeats > 1 ? data.cv.repeats : undefined],
      ["cv.test_fraction", data.cv?.test_fraction],
      ["cv.early_stopping", data.cv?.early_stopping],
      ["select", data.select],
    ];
    for (const [path, value] of builtinOnly)
      if (value !== undefined)
        issues.push({ path, message: "applies to the built-in trainer, not to program sweeps (yet)" });
  }
  const model: ModelSpec = {
    hidden: data.model?.hidden ?? [64],
    activation,
    ...(layerList ? { layers: layerList.layers } : {}),
    ...(data.model?.module !== undefined && { module: data.model.module }),
  };
  const stratified = data.cv?.stratified ?? (dataset !== undefined && task === "classification");
  if (stratified && dataset !== undefined && task === "regression")
    issues.push({
      path: "cv.stratified",
      message: "must be false for a regression dataset (stratification needs class labels)",
    });
  const cv: CvSpec = {
    folds: data.cv?.folds ?? 5,
    stratified,
    seed: data.cv?.seed ?? 0,
    ...(data.cv?.repeats !== undefined && data.cv.repeats > 1 && { repeats: data.cv.repeats }),
    ...(data.cv?.test_fraction !== undefined && { test_fraction: data.cv.test_fraction }),
    ...(data.cv?.early_stopping !== undefined && { early_stopping: data.cv.early_stopping }),
    ...(data.cv?.inner_fraction !== undefined && { inner_fraction: data.cv.inner_fraction }),
  };
  if (cv.folds * (cv.repeats ?? 1) > MAX_CV_FOLD_RUNS)
    issues.push({
      path: "cv.repeats",
      message: `must be at most ${Math.floor(MAX_CV_FOLD_RUNS / cv.folds)} with ${cv.folds} folds (folds × repeats ≤ ${MAX_CV_FOLD_RUNS}: a trial trains them at once), got ${cv.repeats}`,
    });
  if (data.select && data.select.repeats * cv.folds > MAX_CV_FOLD_RUNS)
    issues.push({
      path: "select.repeats",
      message: `must be at most ${Math.floor(MAX_CV_FOLD_RUNS / cv.folds)} with ${cv.folds} folds (folds × repeats ≤ ${MAX_CV_FOLD_RUNS}: a trial trains them at once), got ${data.select.repeats}`,
    });
  const budget: BudgetSpec = {
    max_trials: data.budget?.max_trials ?? runCap ?? 20,
    max_parallel: data.budget?.max_parallel ?? 2,
    max_epochs: data.budget?.max_epochs ?? 20,
    ...(data.budget?.max_seconds !== undefined ? { max_seconds: data.budget.max_seconds } : {}),
    ...(data.budget?.max_trial_seconds !== undefined ? { max_trial_seconds: data.budget.max_trial_seconds } : {}),
  };
  const earlyTerminate = normaliseEarlyTerminate(data.early_terminate ?? { type: "none" }, budget, issues, warnings);
  for (const key of ["impute", "impute_while_running"] as const)
    if (data.metric?.[key] !== undefined)
      warnings.push({
        path: `metric.${key}`,
        message: `is ignored: hpo's TPE learns only from finished trials and counts running ones as bad`,
      });
  if (issues.length > 0 || !parameters) fail(displayName, issues);

  const spec: SweepSpec = {
    name:
      data.name ??
      (data.program !== undefined ? programSweepName(data.program, method) : `${dataset?.name ?? "csv"}-${method}`),
    method,
    metric,
    parameters,
    ...(dataset && { dataset }),
    ...(data.program !== undefined && {
      program: data.program,
      command: data.command ?? DEFAULT_PROGRAM_COMMAND,
      ...(data.report !== undefined && { report: data.report }),
    }),
    model,
    cv,
    budget,
    early_terminate: earlyTerminate,
    seed: data.seed ?? 0,
    ...(data.select && { select: { top: data.select.top, repeats: data.select.repeats } }),
    ...(data.description !== undefined ? { description: data.description } : {}),
  };
  return { spec: deepFreeze(spec), warnings };
}

/**
 * Number of distinct trials a grid over `spec.parameters` makes (conditional parameters count
 * only where active); Infinity when a continuous distribution is active.
 */
export function gridSize(spec: Pick<SweepSpec, "parameters">): number {
  return gridSpace(spec.parameters).size;
}

/** Deepest bracket nesting of flow collections outside quotes (YAML parsing recurses on it). */
function flowDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let quote = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "[" || c === "{") max = Math.max(max, ++depth);
    else if ((c === "]" || c === "}") && depth > 0) depth--;
  }
  return max;
}

function parseText(text: string, format: "json" | "yaml"): unknown {
  if (flowDepth(text) > LIMITS.nesting) {
    fail(undefined, [{ path: "", message: `nests lists/mappings deeper than ${LIMITS.nesting} levels` }]);
  }
  if (text.length > LIMITS.inputChars) {
    throw new HpoError(
      "PAYLOAD_TOO_LARGE",
      `sweep spec is ${text.length.toLocaleString("en-US")} characters; the limit is ${LIMITS.inputChars}`,
    );
  }
  if (format === "json") {
    try {
      return JSON.parse(text);
    } catch (e) {
      const msg = (e as Error).message;
      const pos = /position (\d+)/.exec(msg);
      const where = pos ? ` at ${lineCol(text, Number(pos[1]))}` : "";
      fail(undefined, [{ path: "", message: `JSON syntax error${where}: ${msg.split("\n")[0]}` }]);
    }
  }
  try {
    const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, logLevel: "silent" });
    const err = doc.errors[0];
    if (err) {
      const first = (err.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
      const p = err.linePos?.[0];
      fail(undefined, [
        { path: "", message: `YAML syntax error${p ? ` at line ${p.line}, column ${p.col}` : ""}: ${first}` },
      ]);
    }
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    if (e instanceof HpoError) throw e;
    fail(undefined, [{ path: "", message: `YAML could not be read: ${(e as Error).message.split("\n")[0]}` }]);
  }
}

function lineCol(text: string, pos: number): string {
  const before = text.slice(0, pos).split("\n");
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/** Checks what program sweeps need beyond the shape: a metric (no default) and a valid `command`. */
function checkProgramFields(
  data: { metric?: unknown; command?: readonly string[] | undefined },
  issues: Issue[],
): void {
  if (data.metric === undefined)
    issues.push({
      path: "metric",
      message:
        "is required with program: name the value the program reports (metric: { name: val_loss, goal: minimize })",
    });
  if (data.command) checkProgramCommand(data.command, issues);
}

/**
 * `refs`: the parameters a layer list names; a name that is not a known parameter is allowed when
 * a layer field names it, and takes that field's kind; every value must fit every field naming it.
 */
function parseParameters(
  raw: unknown,
  issues: Issue[],
  warnings: Issue[],
  isProgram: boolean,
  refs: readonly LayerParamRef[],
  isModule: boolean,
): Record<string, ParameterSpec> | undefined {
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return undefined; // reported by the shape schema
  const out: Record<string, ParameterSpec> = {};
  let ok = true;
  const unknown: string[] = [];
  const byCanonical = new Map<string, string>();
  for (const { name, entry, path: group } of flattenParameters(raw as Record<string, unknown>, issues)) {
    const path = writtenPath(name, group);
    if (isProgram) {
      if (!PROGRAM_NAME_PATTERN.test(name)) {
        issues.push({ path: joinPath(path), message: `is not a valid parameter name: it ${PROGRAM_NAME_RULE}` });
        ok = false;
        continue;
      }
    }
    const named = refs.filter((r) => r.param === name);
    // a model module's own parameter (not one of the built-in trainer's): any value, any range
    const own = isModule && !isKnownParameter(name);
    if (own && !MODULE_PARAMETER_PATTERN.test(name)) {
      issues.push({ path: joinPath(path), message: `is not a valid parameter name: it ${MODULE_PARAMETER_RULE}` });
      ok = false;
      continue;
    }
    if (!isProgram && !own && !isKnownParameter(name) && named.length === 0) {
      const guess = didYouMean(name, KNOWN_PARAMETER_NAMES);
      issues.push({
        path: joinPath(path),
        message: `is not a parameter of the built-in trainer${guess ? `; did you mean "${guess}"?` : ""}`,
      });
      unknown.push(name);
      ok = false;
      continue;
    }
    // a program reads its parameters by the names written; the built-in trainer's aliases can clash
    const canonical = isProgram ? name : canonicalName(name);
    const twin = byCanonical.get(canonical);
    // hidden_size and num_layers together make `hidden`; any other pair read as one name clashes.
    const together = canonical === "hidden" && twin !== undefined && twin !== "hidden" && name !== "hidden";
    if (twin !== undefined && !together) {
      issues.push({ path: joinPath(path), message: `and ${twin} are both read as ${canonical}; keep one` });
      ok = false;
    }
    if (twin === undefined) byCanonical.set(canonical, name);
    const parsed = parameterSchemaFor(entry).safeParse(entry, { reportInput: true });
    if (!parsed.success) {
      for (const zi of parsed.error.issues) issues.push(...fromZodIssue(zi, path));
      ok = false;
      continue;
    }
    // a name a layer field uses must fit that field too (and the built-in parameter's kind, if it is one)
    const kinds =
      isProgram || own
        ? [undefined]
        : [...(isKnownParameter(name) ? [KNOWN_PARAMETERS[name]!.kind] : []), ...named.map((r) => r.kind)];
    let spec: ParameterSpec | undefined;
    for (const [i, kind] of kinds.entries()) {
      spec = normaliseParameter(
        name,
        parsed.data as Parameters<typeof normaliseParameter>[1],
        kind,
        issues,
        i === 0 ? warnings : [],
        joinPath(path),
      );
      if (!spec) break;
    }
    if (spec)
      Object.defineProperty(out, name, {
        value: group ? { ...spec, path: group } : spec,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else ok = false;
  }
  if (unknown.length > 0) issues.push({ path: "parameters", message: knownParametersHint() });
  if (!ok) return undefined;
  const before = issues.length;
  checkConditions(out, issues);
  return issues.length === before ? out : undefined;
}

/** The one line listing what the built-in trainer reads, after the unknown names. */
function knownParametersHint(): string {
  const names = KNOWN_PARAMETER_NAMES.filter((n) => canonicalName(n) === n);
  const aliases = KNOWN_PARAMETER_NAMES.filter((n) => canonicalName(n) !== n);
  const program = (TOP_LEVEL_KEYS as readonly string[]).includes("program")
    ? "; a sweep with `program:` runs your own script and may name any parameter"
    : "";
  return `the built-in trainer reads: ${names.join(", ")} (also written ${aliases.join(", ")}); a model.layers field may name a parameter of its own as { param: name }${program}`;
}

function checkGrid(parameters: Readonly<Record<string, ParameterSpec>>, issues: Issue[]): void {
  let enumerable = true;
  for (const [name, p] of Object.entries(parameters)) {
    if (!Number.isFinite(supportSize(p.distribution))) {
      issues.push({
        path: joinPath([...writtenPath(name, p.path), "distribution"]),
        message: `method grid needs values or an enumerable distribution (int_uniform, q_uniform), got ${p.distribution.kind}`,
      });
      enumerable = false;
    }
  }
  if (!enumerable) return;
  const space = gridSpace(parameters, LIMITS.gridSize, LIMITS.gridBranches);
  if (space.branchLimited) {
    const controllers = controllingParams(parameters).join(", ");
    issues.push({
      path: "parameters",
      message: `grid: the parameters that others depend on (${controllers}) make more than ${LIMITS.gridBranches.toLocaleString("en-US")} combinations; the limit is ${LIMITS.gridBranches.toLocaleString("en-US")}`,
    });
  } else if (space.size > LIMITS.gridSize) {
    const count = `${space.truncated ? "at least " : ""}${space.size.toLocaleString("en-US")}`;
    issues.push({ path: "parameters", message: `grid would make ${count} trials; the limit is ${LIMITS.gridSize}` });
  }
}

function fail(name: string | undefined, issues: readonly Issue[]): never {
  const shown = issues.slice(0, MAX_ISSUES);
  let message = formatIssues(name, shown);
  if (issues.length > MAX_ISSUES) message += `\n… and ${issues.length - MAX_ISSUES} more issues`;
  throw new HpoError("INVALID_SPEC", message, shown);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
