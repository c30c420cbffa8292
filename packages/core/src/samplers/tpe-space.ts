import type { Distribution, ParamValue } from "../types.ts";
import type { NumericalDomain } from "./parzen-estimator.ts";
import { fromUnit, qSteps, tidy, toUnit } from "./sample-distribution.ts";

/** The numeric distributions TPE models with a Parzen estimator (all but constant and categorical). */
export type NumericalDistribution = Exclude<Distribution, { kind: "constant" | "categorical" }>;

/**
 * Where TPE models a numeric parameter: uniform ones as they are, log_uniform_values in log
 * space, int_uniform and q_uniform as discrete steps (as Optuna), and every other kind (normal,
 * log-normal, beta, their `q_` variants, q_log_uniform_values) in CDF space: [0, 1], where the
 * estimator's uniform prior is the distribution itself and a point maps back through `fromUnit`.
 */
export function numericalDomain(d: NumericalDistribution): NumericalDomain {
  switch (d.kind) {
    case "uniform":
      return { low: d.min, high: d.max, step: 0, first: d.min, steps: 0 };
    case "log_uniform_values":
      return { low: Math.log(d.min), high: Math.log(d.max), step: 0, first: 0, steps: 0 };
    case "int_uniform":
      return { low: d.min - 0.5, high: d.max + 0.5, step: 1, first: d.min, steps: d.max - d.min };
    case "q_uniform": {
      const steps = qSteps(d);
      return { low: d.min - d.q / 2, high: d.min + steps * d.q + d.q / 2, step: d.q, first: d.min, steps };
    }
    default:
      return { low: 0, high: 1, step: 0, first: 0, steps: 0 };
  }
}

/** A parameter value in TPE space (see `numericalDomain`), NaN when absent or out of bounds. */
export function toTpeSpace(v: ParamValue | undefined, d: NumericalDistribution): number {
  if (typeof v !== "number" || !Number.isFinite(v)) return Number.NaN;
  switch (d.kind) {
    case "uniform":
    case "int_uniform":
    case "q_uniform":
      return v < d.min || v > d.max ? Number.NaN : v;
    case "log_uniform_values":
      return v < d.min || v > d.max ? Number.NaN : Math.log(v);
    default:
      return toUnit(d, v) ?? Number.NaN;
  }
}

/** A point of TPE space back to a parameter value. */
export function fromTpeSpace(d: NumericalDistribution, x: number): number {
  switch (d.kind) {
    case "uniform":
      return x;
    case "log_uniform_values":
      return Math.min(d.max, Math.max(d.min, Math.exp(x)));
    case "int_uniform":
      return Math.round(x);
    case "q_uniform":
      return tidy(x);
    default:
      return fromUnit(d, Math.min(1 - 1e-12, Math.max(0, x))) as number;
  }
}
