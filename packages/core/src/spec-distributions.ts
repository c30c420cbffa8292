import type { Issue } from "./errors.ts";
import { show } from "./spec-issues.ts";
import type { ParameterKind } from "./spec-parameters.ts";
import type { BETA_DISTRIBUTIONS, NORMAL_DISTRIBUTIONS, RANGE_DISTRIBUTIONS } from "./spec-schema.ts";
import type { Distribution, ParamValue } from "./types.ts";

/**
 * W&B's numeric distributions, from a parameter entry as written to a tagged `Distribution`
 * (semantics of W&B's sweeps `params.py`):
 *
 *   written                         stored as                    value
 *   uniform / int_uniform           the same                     U(min, max) / integers of [min, max]
 *   q_uniform                       the same                     min + k·q in [min, max]
 *   log_uniform_values              the same                     exp(U(ln min, ln max))
 *   log_uniform                     log_uniform_values(e^min, e^max)    exp(U(min, max)): min/max are exponents
 *   inv_log_uniform                 log_uniform_values(e^-max, e^-min)  exp(-U(min, max))
 *   inv_log_uniform_values          log_uniform_values(min, max)        1/X log-uniform on [1/max, 1/min]
 *   q_log_uniform                   q_log_uniform_values(e^min, e^max, q)
 *   q_log_uniform_values            the same                     round(exp(U(ln min, ln max)) / q) · q
 *   normal, q_normal                the same                     N(mu, sigma²) (default 0, 1), rounded to q
 *   log_normal, q_log_normal        the same                     exp(N(mu, sigma²)), rounded to q
 *   beta, q_beta                    the same                     Beta(a, b) (default 1, 1), rounded to q
 *
 * `q` defaults to 1. Without `distribution`, integer bounds mean int_uniform and others uniform
 * (W&B's inference); a built-in trainer parameter that takes reals keeps uniform.
 */
export type RawDistribution =
  | { distribution?: (typeof RANGE_DISTRIBUTIONS)[number]; min: number; max: number; q?: number }
  | { distribution: (typeof NORMAL_DISTRIBUTIONS)[number]; mu?: number; sigma?: number; q?: number }
  | { distribution: (typeof BETA_DISTRIBUTIONS)[number]; a?: number; b?: number; q?: number };

/** Largest exponent whose exp is a finite double. */
const MAX_EXPONENT = 709;

/**
 * The Distribution of a numeric entry at `at` (e.g. "parameters.lr"), or undefined after
 * pushing issues (named by the keys the user wrote). `kind` is the built-in trainer's parameter
 * kind, undefined for a program's own parameter.
 */
export function numericDistribution(
  at: string,
  raw: RawDistribution,
  kind: ParameterKind | undefined,
  issues: Issue[],
  warnings: Issue[] = [],
): Distribution | undefined {
  const before = issues.length;
  const q = raw.q ?? 1;
  if (
    "mu" in raw ||
    "sigma" in raw ||
    raw.distribution === "normal" ||
    raw.distribution === "q_normal" ||
    raw.distribution === "log_normal" ||
    raw.distribution === "q_log_normal"
  ) {
    const r = raw as Extract<RawDistribution, { mu?: number }>;
    const mu = r.mu ?? 0;
    const sigma = r.sigma ?? 1;
    if ((r.distribution === "log_normal" || r.distribution === "q_log_normal") && mu + 8 * sigma > MAX_EXPONENT)
      issues.push({
        path: `${at}.mu`,
        message: `mu + 8·sigma must be <= ${MAX_EXPONENT} (exp overflows), got ${mu + 8 * sigma}`,
      });
    if (issues.length > before) return undefined;
    return r.distribution === "normal" || r.distribution === "log_normal"
      ? { kind: r.distribution, mu, sigma }
      : { kind: r.distribution, mu, sigma, q };
  }
  if (raw.distribution === "beta" || raw.distribution === "q_beta") {
    const a = raw.a ?? 1;
    const b = raw.b ?? 1;
    return raw.distribution === "beta" ? { kind: "beta", a, b } : { kind: "q_beta", a, b, q };
  }
  const r = raw as Extract<RawDistribution, { min: number }>;
  const { min, max } = r;
  const written =
    r.distribution ??
    (kind?.type === "float" || !(Number.isInteger(min) && Number.isInteger(max)) ? "uniform" : "int_uniform");
  if (!(min < max)) issues.push({ path: `${at}.min`, message: `must be < max (${max}), got ${min}` });
  if (raw.q !== undefined && !written.startsWith("q_"))
    issues.push({ path: `${at}.q`, message: `is only used by the q_ distributions, not ${written}` });
  const exponents = written === "log_uniform" || written === "q_log_uniform" || written === "inv_log_uniform";
  if (exponents && min >= 0 && max <= 1 && written !== "inv_log_uniform") {
    const lo = Math.exp(min).toPrecision(3);
    const hi = Math.exp(max).toPrecision(3);
    warnings.push({
      path: `${at}.distribution`,
      message: `${written} reads min/max as natural-log exponents (as W&B), so it draws ${lo} … ${hi}; for values between ${min} and ${max} write ${written}_values`,
    });
  }
  if (exponents) {
    for (const key of ["min", "max"] as const)
      if (Math.abs(r[key]) > MAX_EXPONENT)
        issues.push({
          path: `${at}.${key}`,
          message: `is a natural-log exponent for ${written} (the value is e^${key}) and must be within ±${MAX_EXPONENT}, got ${r[key]}`,
        });
  } else if (
    written === "log_uniform_values" ||
    written === "q_log_uniform_values" ||
    written === "inv_log_uniform_values"
  ) {
    if (min <= 0) issues.push({ path: `${at}.min`, message: `must be > 0 for ${written}, got ${min}` });
  }
  if (written === "int_uniform") {
    if (!Number.isInteger(min))
      issues.push({ path: `${at}.min`, message: `must be an integer for int_uniform, got ${min}` });
    if (!Number.isInteger(max))
      issues.push({ path: `${at}.max`, message: `must be an integer for int_uniform, got ${max}` });
  }
  if (issues.length > before) return undefined;
  switch (written) {
    case "uniform":
    case "int_uniform":
    case "log_uniform_values":
      return { kind: written, min, max };
    case "q_uniform":
    case "q_log_uniform_values":
      return { kind: written, min, max, q };
    case "inv_log_uniform_values":
      return { kind: "log_uniform_values", min, max };
    case "log_uniform":
      return { kind: "log_uniform_values", min: Math.exp(min), max: Math.exp(max) };
    case "inv_log_uniform":
      return { kind: "log_uniform_values", min: Math.exp(-max), max: Math.exp(-min) };
    case "q_log_uniform":
      return { kind: "q_log_uniform_values", min: Math.exp(min), max: Math.exp(max), q };
  }
}

/** The values a numeric distribution can give: bounds, openness, integers only. */
interface Support {
  readonly min: number;
  readonly max: number;
  /** The bound itself cannot be drawn. */
  readonly minOpen: boolean;
  readonly maxOpen: boolean;
  readonly integer: boolean;
}

const isInt = (x: number) => Number.isInteger(x);

/** What `d` can draw (constant and categorical: undefined, their values are checked one by one). */
export function supportOf(d: Distribution): Support | undefined {
  const inf = Number.POSITIVE_INFINITY;
  switch (d.kind) {
    case "constant":
    case "categorical":
      return undefined;
    case "uniform":
    case "log_uniform_values":
      return { min: d.min, max: d.max, minOpen: false, maxOpen: false, integer: false };
    case "int_uniform":
      return { min: d.min, max: d.max, minOpen: false, maxOpen: false, integer: true };
    case "q_uniform":
      return { min: d.min, max: d.max, minOpen: false, maxOpen: false, integer: isInt(d.q) && isInt(d.min) };
    case "q_log_uniform_values":
      return {
        min: Math.round(d.min / d.q) * d.q,
        max: Math.round(d.max / d.q) * d.q,
        minOpen: false,
        maxOpen: false,
        integer: isInt(d.q),
      };
    case "normal":
      return { min: -inf, max: inf, minOpen: true, maxOpen: true, integer: false };
    case "q_normal":
      return { min: -inf, max: inf, minOpen: true, maxOpen: true, integer: isInt(d.q) };
    case "log_normal":
      return { min: 0, max: inf, minOpen: true, maxOpen: true, integer: false };
    case "q_log_normal":
      return { min: 0, max: inf, minOpen: false, maxOpen: true, integer: isInt(d.q) };
    case "beta":
      // Draws stop just below 1 (fromUnit), so a [0, 1) parameter such as dropout takes them.
      return { min: 0, max: 1, minOpen: false, maxOpen: true, integer: false };
    case "q_beta":
      return { min: 0, max: Math.round(1 / d.q) * d.q, minOpen: false, maxOpen: false, integer: isInt(d.q) };
  }
}

const bound = (x: number) => (Number.isFinite(x) ? String(x) : x > 0 ? "∞" : "-∞");

/**
 * Why a built-in trainer parameter of `kind` cannot take every value `d` draws (e.g. a normal
 * distribution for learning_rate, which must be > 0), or undefined when it can.
 * @param written the distribution name the user wrote, for the message.
 */
export function supportProblem(kind: ParameterKind, d: Distribution, written: string): string | undefined {
  const s = supportOf(d);
  if (!s) return undefined;
  const range = `${s.minOpen ? "(" : "["}${bound(s.min)}, ${bound(s.max)}${s.maxOpen ? ")" : "]"}`;
  if (kind.type === "int") {
    if (!s.integer) return `${written} draws non-integers; this parameter takes integers in [${kind.min}, ${kind.max}]`;
    if (s.min < kind.min || s.max > kind.max)
      return `${written} draws values in ${range}; this parameter takes integers in [${kind.min}, ${kind.max}]`;
    return undefined;
  }
  if (kind.type !== "float") return undefined;
  const lowOk = s.min > kind.min || (s.min === kind.min && (s.minOpen || !kind.minExclusive));
  const kindMax = kind.max >= Number.MAX_VALUE ? Number.POSITIVE_INFINITY : kind.max;
  const highOk = s.max < kindMax || (s.max === kindMax && (s.maxOpen || !kind.maxExclusive));
  if (lowOk && highOk) return undefined;
  const want = `${kind.minExclusive ? "(" : "["}${bound(kind.min)}, ${kind.max >= Number.MAX_VALUE ? "∞)" : `${kind.max}${kind.maxExclusive ? ")" : "]"}`}`;
  return `${written} draws values in ${range}; this parameter takes values in ${want}`;
}

/** `values` weighted by `probabilities`: checks the pairing W&B requires. */
export function checkProbabilities(
  at: string,
  values: readonly ParamValue[],
  probabilities: readonly number[],
  issues: Issue[],
): void {
  if (probabilities.length !== values.length)
    issues.push({
      path: `${at}.probabilities`,
      message: `must have one probability per value (${values.length}), got ${probabilities.length}`,
    });
  const sum = probabilities.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > 1e-6)
    issues.push({ path: `${at}.probabilities`, message: `must sum to 1, got ${show(sum)}` });
}
