/**
 * What every sweep spec the API accepted must satisfy, checked on the spec as stored (normalised,
 * read back through the API) against the validator's published bounds: SPEC_LIMITS,
 * KNOWN_PARAMETERS and METRICS from @hpo/core, and the ranges written in
 * packages/core/src/spec-schema.ts (cv.folds 2..50, model.hidden ≤ 32 layers of 1..4096, …).
 * Written apart from the validator, so a bound the validator forgets shows up here.
 */
import {
  KNOWN_PARAMETERS,
  METRICS,
  MODULE_PARAMETER_PATTERN,
  type ParameterKind,
  type ParamValue,
  PROGRAM_NAME_PATTERN,
  SPEC_LIMITS,
  type SweepSpec,
  supportProblem,
} from "@hpo/core";

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const UNPRINTABLE = /[\p{Cc}\p{Cs}\p{Co}\p{Cn}]/u;
const METHODS = ["grid", "random", "quasi_random", "tpe"];
const EARLY_TERMINATE = ["none", "median", "asha", "hyperband"];

const isInt = (v: unknown, min: number, max: number): boolean =>
  typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;

/** Whether `v` is a value that parameter kind `kind` accepts. */
function fitsKind(kind: ParameterKind, v: ParamValue): boolean {
  switch (kind.type) {
    case "float":
      return (
        typeof v === "number" &&
        Number.isFinite(v) &&
        (kind.minExclusive ? v > kind.min : v >= kind.min) &&
        (kind.maxExclusive ? v < kind.max : v <= kind.max)
      );
    case "int":
      return isInt(v, kind.min, kind.max);
    case "bool":
      return typeof v === "boolean";
    case "enum":
      return typeof v === "string" && kind.choices.includes(v);
    case "layers":
      return Array.isArray(v) && v.length <= kind.maxLayers && v.every((u) => isInt(u, 1, kind.maxUnits));
  }
}

/** The problems of a stored spec against the validator's bounds (empty when it is within them). */
export function boundsProblems(spec: SweepSpec): string[] {
  const problems: string[] = [];
  const want = (ok: boolean, what: string, value: unknown) => {
    if (!ok) problems.push(`${what}, got ${JSON.stringify(value)?.slice(0, 80)}`);
  };
  const L = SPEC_LIMITS;

  want(
    typeof spec.name === "string" &&
      spec.name.trim().length > 0 &&
      spec.name.length <= L.nameLength &&
      !UNPRINTABLE.test(spec.name),
    `name: printable, 1..${L.nameLength} characters`,
    spec.name,
  );
  want(METHODS.includes(spec.method), `method: one of ${METHODS.join(", ")}`, spec.method);
  want(Number.isInteger(spec.seed) && spec.seed >= 0 && spec.seed <= 0xffffffff, "seed: integer 0..2^32-1", spec.seed);

  const { dataset, metric } = spec;
  want(dataset !== undefined || spec.program !== undefined, "dataset: required without program", dataset);
  if (dataset) {
    want((dataset.name === undefined) !== (dataset.path === undefined), "dataset: exactly one of name, path", dataset);
    if (dataset.name !== undefined) want(ID.test(dataset.name), "dataset.name: an id", dataset.name);
    if (dataset.path !== undefined) {
      want(
        dataset.path.length >= 1 && dataset.path.length <= L.pathLength && !dataset.path.includes("\0"),
        `dataset.path: 1..${L.pathLength} characters, no NUL`,
        dataset.path,
      );
    }
    if (dataset.label !== undefined) {
      want(
        typeof dataset.label === "string"
          ? dataset.label.length >= 1 && dataset.label.length <= L.stringValueLength
          : isInt(dataset.label, 0, Number.MAX_SAFE_INTEGER),
        "dataset.label: a column name or a 0-based index",
        dataset.label,
      );
    }
    want(dataset.task === "classification" || dataset.task === "regression", "dataset.task", dataset.task);
  }
  // a model module reports metrics of its own naming
  if (spec.program === undefined && spec.model.module === undefined) {
    const metrics: readonly string[] = METRICS[dataset?.task ?? "classification"] ?? [];
    want(metrics.includes(metric.name), `metric.name: one of ${metrics.join(", ")}`, metric.name);
  } else if (spec.program !== undefined)
    want(PROGRAM_NAME_PATTERN.test(metric.name), "metric.name: a program metric name", metric.name);
  want(metric.goal === "maximize" || metric.goal === "minimize", "metric.goal", metric.goal);
  if (metric.target !== undefined) want(Number.isFinite(metric.target), "metric.target: finite", metric.target);

  want(
    Array.isArray(spec.model.hidden) &&
      spec.model.hidden.length <= 32 &&
      spec.model.hidden.every((u) => isInt(u, 1, 4096)),
    "model.hidden: at most 32 layers of 1..4096 units",
    spec.model.hidden,
  );
  want(
    typeof spec.model.activation === "string" && spec.model.activation.length <= L.idLength,
    "model.activation",
    spec.model.activation,
  );
  want(
    isInt(spec.cv.folds, spec.program === undefined ? 2 : 1, 50),
    "cv.folds: integer 2..50 (1..50 with program)",
    spec.cv.folds,
  );
  want(isInt(spec.cv.seed, 0, 0xffffffff), "cv.seed: integer 0..2^32-1", spec.cv.seed);
  want(typeof spec.cv.stratified === "boolean", "cv.stratified: true or false", spec.cv.stratified);

  const { budget } = spec;
  want(isInt(budget.max_trials, 1, L.maxTrials), `budget.max_trials: integer 1..${L.maxTrials}`, budget.max_trials);
  want(
    isInt(budget.max_parallel, 1, L.maxParallel),
    `budget.max_parallel: integer 1..${L.maxParallel}`,
    budget.max_parallel,
  );
  want(isInt(budget.max_epochs, 1, L.maxEpochs), `budget.max_epochs: integer 1..${L.maxEpochs}`, budget.max_epochs);
  if (budget.max_seconds !== undefined) {
    want(
      Number.isFinite(budget.max_seconds) && budget.max_seconds > 0 && budget.max_seconds <= 1e9,
      "budget.max_seconds: > 0 and <= 1e9",
      budget.max_seconds,
    );
  }

  const et = spec.early_terminate;
  want(EARLY_TERMINATE.includes(et.type), `early_terminate.type: one of ${EARLY_TERMINATE.join(", ")}`, et.type);
  const opt = (key: string, ok: (v: unknown) => boolean, what: string) => {
    if (et[key] !== undefined) want(ok(et[key]), `early_terminate.${key}: ${what}`, et[key]);
  };
  for (const key of ["min_resource", "max_resource", "interval_steps", "n_min_trials"]) {
    opt(key, (v) => isInt(v, 1, L.maxEpochs), `integer 1..${L.maxEpochs}`);
  }
  for (const key of ["n_startup_trials", "n_warmup_steps", "grace_period"]) {
    opt(key, (v) => isInt(v, 0, L.maxEpochs), `integer 0..${L.maxEpochs}`);
  }
  opt("reduction_factor", (v) => typeof v === "number" && v >= 2 && v <= 100, "2..100");
  if (typeof et.min_resource === "number" && typeof et.max_resource === "number") {
    want(et.min_resource <= et.max_resource, "early_terminate.min_resource <= max_resource", et);
  }

  for (const [name, p] of Object.entries(spec.parameters)) {
    const at = `parameters.${name}`;
    const known = KNOWN_PARAMETERS[name];
    if (!known && spec.model.module !== undefined) {
      want(MODULE_PARAMETER_PATTERN.test(name), `${at}: a model module's parameter name`, name);
      continue;
    }
    want(known !== undefined && name.length <= L.idLength, `${at}: a known parameter`, name);
    if (!known) continue;
    const d = p.distribution;
    const fits = (v: ParamValue, where: string) =>
      want(fitsKind(known.kind, v), `${where}: within ${JSON.stringify(known.kind)}`, v);
    switch (d.kind) {
      case "constant":
        fits(d.value, `${at}.value`);
        break;
      case "categorical":
        want(
          d.values.length >= 1 && d.values.length <= L.values,
          `${at}.values: 1..${L.values} values`,
          d.values.length,
        );
        for (const [i, v] of d.values.entries()) fits(v, `${at}.values[${i}]`);
        break;
      case "normal":
      case "q_normal":
      case "log_normal":
      case "q_log_normal":
      case "beta":
      case "q_beta":
        want(
          Object.values(d).every((x) => typeof x === "string" || Number.isFinite(x)),
          `${at}: finite`,
          d,
        );
        want(supportProblem(known.kind, d, d.kind) === undefined, `${at}: draws within the parameter's range`, d);
        break;
      default:
        want(Number.isFinite(d.min) && Number.isFinite(d.max) && d.min < d.max, `${at}: finite min < max`, d);
        if (d.kind === "log_uniform_values") want(d.min > 0, `${at}.min: > 0 for log_uniform_values`, d.min);
        if (d.kind === "int_uniform")
          want(Number.isInteger(d.min) && Number.isInteger(d.max), `${at}: integer bounds`, d);
        if (d.kind === "q_uniform") want(Number.isFinite(d.q) && d.q > 0, `${at}.q: > 0`, d.q);
        fits(d.min, `${at}.min`);
        fits(d.max, `${at}.max`);
    }
  }
  return problems;
}
