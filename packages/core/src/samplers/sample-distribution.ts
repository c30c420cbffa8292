import type { Rng } from "../rng.ts";
import type { Distribution, ParamValue } from "../types.ts";

/** Rounds away binary noise such as 0.30000000000000004 (12 significant digits). */
export function tidy(x: number): number {
  return Number(x.toPrecision(12));
}

/** Number of steps of a q_uniform distribution: its support is min + k·q for k = 0..steps. */
export function qSteps(d: { readonly min: number; readonly max: number; readonly q: number }): number {
  return Math.floor((d.max - d.min) / d.q + 1e-9);
}

/**
 * The finite support of a distribution in a fixed order, or undefined when it is continuous
 * (uniform, log_uniform_values). int_uniform is every integer of [min, max]; q_uniform is
 * min + k·q within [min, max]. Callers bound the size first (see `supportSize`).
 */
export function distributionValues(d: Distribution): readonly ParamValue[] | undefined {
  const n = supportSize(d);
  if (!Number.isFinite(n)) return undefined;
  return Array.from({ length: n }, (_, k) => valueAt(d, k));
}

/** The k-th point (0-based) of a finite support, in the order of `distributionValues`. */
export function valueAt(d: Distribution, k: number): ParamValue {
  switch (d.kind) {
    case "constant":
      return d.value;
    case "categorical":
      return d.values[k] as ParamValue;
    case "int_uniform":
      return d.min + k;
    case "q_uniform":
      return tidy(d.min + k * d.q);
    default:
      throw new RangeError(`valueAt: ${d.kind} has no finite support`);
  }
}

/** Size of the finite support, Infinity for continuous distributions. */
export function supportSize(d: Distribution): number {
  switch (d.kind) {
    case "constant":
      return 1;
    case "categorical":
      return d.values.length;
    case "int_uniform":
      return d.max - d.min + 1;
    case "q_uniform":
      return qSteps(d) + 1;
    default:
      return Number.POSITIVE_INFINITY;
  }
}

/**
 * Maps u ∈ [0, 1) to a value of the distribution (inverse CDF): uniform linearly, log-uniform
 * in log space, int_uniform and q_uniform onto equally likely support points, categorical onto
 * equally likely values. Random and quasi-random samplers share it.
 */
export function fromUnit(d: Distribution, u: number): ParamValue {
  switch (d.kind) {
    case "constant":
      return d.value;
    case "categorical":
      return d.values[Math.min(d.values.length - 1, Math.floor(u * d.values.length))] as ParamValue;
    case "uniform":
      return Math.min(d.max, d.min + u * (d.max - d.min));
    case "int_uniform":
      return Math.min(d.max, d.min + Math.floor(u * (d.max - d.min + 1)));
    case "log_uniform_values": {
      const lo = Math.log(d.min);
      const x = Math.exp(lo + u * (Math.log(d.max) - lo));
      return Math.min(d.max, Math.max(d.min, x));
    }
    case "q_uniform": {
      const steps = qSteps(d);
      const k = Math.min(steps, Math.floor(u * (steps + 1)));
      return tidy(d.min + k * d.q);
    }
  }
}

/** One draw from the distribution; consumes exactly one `rng.next()` so streams stay aligned. */
export function sampleDistribution(d: Distribution, rng: Rng): ParamValue {
  return fromUnit(d, rng.next());
}
