import type { Rng } from "../rng.ts";
import type { Distribution, ParamValue } from "../types.ts";
import { betaCdf, betaQuantile } from "./beta-math.ts";
import { normalCdf, normalQuantile } from "./normal-math.ts";

/** Rounds away binary noise such as 0.30000000000000004 (12 significant digits). */
export function tidy(x: number): number {
  return Number(x.toPrecision(12));
}

/** Number of steps of a q_uniform distribution: its support is min + k·q for k = 0..steps. */
export function qSteps(d: { readonly min: number; readonly max: number; readonly q: number }): number {
  return Math.floor((d.max - d.min) / d.q + 1e-9);
}

/**
 * The finite support of a distribution in a fixed order, or undefined when it is continuous or
 * unbounded (every kind but constant, categorical, int_uniform and q_uniform; the quantised
 * W&B kinds such as q_log_uniform_values are not enumerated, as W&B's grid does not either). A
 * categorical with `probabilities` has the values of probability > 0 (grid tries each once). int_uniform is every integer of [min, max]; q_uniform is
 * min + k·q within [min, max]. Callers bound the size first (see `supportSize`).
 */
export function distributionValues(d: Distribution): readonly ParamValue[] | undefined {
  const n = supportSize(d);
  if (!Number.isFinite(n)) return undefined;
  return Array.from({ length: n }, (_, k) => valueAt(d, k));
}

/** The values of a weighted categorical that can be drawn (probability > 0), in order. */
function drawable(values: readonly ParamValue[], probabilities: readonly number[]): readonly ParamValue[] {
  return values.filter((_, i) => (probabilities[i] as number) > 0);
}

/** The k-th point (0-based) of a finite support, in the order of `distributionValues`. */
export function valueAt(d: Distribution, k: number): ParamValue {
  switch (d.kind) {
    case "constant":
      return d.value;
    case "categorical":
      return (d.probabilities ? drawable(d.values, d.probabilities) : d.values)[k] as ParamValue;
    case "int_uniform":
      return d.min + k;
    case "q_uniform":
      return tidy(d.min + k * d.q);
    default:
      throw new RangeError(`valueAt: ${d.kind} has no finite support`);
  }
}

/** Size of the finite support, Infinity for the others (see `distributionValues`). */
export function supportSize(d: Distribution): number {
  switch (d.kind) {
    case "constant":
      return 1;
    case "categorical":
      return d.probabilities ? drawable(d.values, d.probabilities).length : d.values.length;
    case "int_uniform":
      return d.max - d.min + 1;
    case "q_uniform":
      return qSteps(d) + 1;
    default:
      return Number.POSITIVE_INFINITY;
  }
}

/** `x` rounded to the nearest multiple of `q` (W&B's quantisation of the `q_` distributions). */
export function quantise(x: number, q: number): number {
  return tidy(Math.round(x / q) * q);
}

/** The largest double below 1: beta draws stay in [0, 1). */
const BELOW_ONE = 1 - Number.EPSILON / 2;

/** u kept off 0 and 1, where the quantiles of unbounded distributions are infinite. */
function open01(u: number): number {
  return Math.min(1 - 1e-12, Math.max(1e-12, u));
}

/** The value of a categorical distribution with `probabilities` at u (W&B: first cumulative > u). */
function weightedValue(values: readonly ParamValue[], probabilities: readonly number[], u: number): ParamValue {
  let acc = 0;
  let last = 0;
  for (let i = 0; i < values.length; i++) {
    const p = probabilities[i] as number;
    if (p <= 0) continue;
    acc += p;
    last = i;
    if (acc > u) return values[i] as ParamValue;
  }
  return values[last] as ParamValue;
}

/**
 * Maps u ∈ [0, 1) to a value of the distribution (inverse CDF, as W&B's `ppf`): uniform linearly,
 * log-uniform in log space, int_uniform and q_uniform onto equally likely support points,
 * categorical onto equally likely values (or by `probabilities`), normal, log-normal and beta by
 * their quantile functions; the `q_` kinds other than q_uniform round to the nearest multiple of
 * q. Random and quasi-random samplers share it; TPE uses it for the kinds it models in CDF space.
 */
export function fromUnit(d: Distribution, u: number): ParamValue {
  switch (d.kind) {
    case "constant":
      return d.value;
    case "categorical":
      return d.probabilities
        ? weightedValue(d.values, d.probabilities, u)
        : (d.values[Math.min(d.values.length - 1, Math.floor(u * d.values.length))] as ParamValue);
    case "uniform":
      return Math.min(d.max, d.min + u * (d.max - d.min));
    case "int_uniform":
      return Math.min(d.max, d.min + Math.floor(u * (d.max - d.min + 1)));
    case "log_uniform_values":
      return logUniform(d.min, d.max, u);
    case "q_log_uniform_values":
      return quantise(logUniform(d.min, d.max, u), d.q);
    case "q_uniform": {
      const steps = qSteps(d);
      const k = Math.min(steps, Math.floor(u * (steps + 1)));
      return tidy(d.min + k * d.q);
    }
    case "normal":
      return d.mu + d.sigma * normalQuantile(open01(u));
    case "q_normal":
      return quantise(d.mu + d.sigma * normalQuantile(open01(u)), d.q);
    case "log_normal":
      return Math.exp(d.mu + d.sigma * normalQuantile(open01(u)));
    case "q_log_normal":
      return quantise(Math.exp(d.mu + d.sigma * normalQuantile(open01(u))), d.q);
    case "beta":
      return Math.min(BELOW_ONE, betaQuantile(u, d.a, d.b));
    case "q_beta":
      return quantise(betaQuantile(u, d.a, d.b), d.q);
  }
}

function logUniform(min: number, max: number, u: number): number {
  const lo = Math.log(min);
  return Math.min(max, Math.max(min, Math.exp(lo + u * (Math.log(max) - lo))));
}

/**
 * The CDF of a numeric distribution at v, in [0, 1] (for `q_` kinds, of the distribution before
 * rounding): the inverse of `fromUnit` up to quantisation. Undefined for constant and categorical.
 */
export function toUnit(d: Distribution, v: number): number | undefined {
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  switch (d.kind) {
    case "constant":
    case "categorical":
      return undefined;
    case "uniform":
    case "q_uniform":
      return clamp((v - d.min) / (d.max - d.min));
    case "int_uniform":
      return clamp((v - d.min + 0.5) / (d.max - d.min + 1));
    case "log_uniform_values":
    case "q_log_uniform_values":
      return v <= 0 ? 0 : clamp((Math.log(v) - Math.log(d.min)) / (Math.log(d.max) - Math.log(d.min)));
    case "normal":
    case "q_normal":
      return normalCdf((v - d.mu) / d.sigma);
    case "log_normal":
    case "q_log_normal":
      return v <= 0 ? 0 : normalCdf((Math.log(v) - d.mu) / d.sigma);
    case "beta":
    case "q_beta":
      return betaCdf(v, d.a, d.b);
  }
}

/** One draw from the distribution; consumes exactly one `rng.next()` so streams stay aligned. */
export function sampleDistribution(d: Distribution, rng: Rng): ParamValue {
  return fromUnit(d, rng.next());
}
