import type { Issue } from "./errors.ts";
import { canonicalChoice } from "./param-aliases.ts";
import { allowedKeys, valueKey } from "./samplers/active-params.ts";
import { checkProbabilities, numericDistribution, type RawDistribution, supportProblem } from "./spec-distributions.ts";
import { joinPath, show } from "./spec-issues.ts";
import type { ParameterKind } from "./spec-parameters.ts";
import { LIMITS } from "./spec-schema.ts";
import type { Distribution, ParameterSpec, ParamValue } from "./types.ts";

/** A parameter entry as the zod schemas of spec-schema.ts leave it. */
export type RawParameter = (
  | { distribution?: "constant"; value: ParamValue }
  | { distribution?: "categorical" | "categorical_w_probabilities"; values: ParamValue[]; probabilities?: number[] }
  | RawDistribution
) & { when?: Record<string, ParamValue[]> };

function range(kind: { min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean }): string {
  const hi = kind.max >= Number.MAX_VALUE ? "∞)" : `${kind.max}${kind.maxExclusive ? ")" : "]"}`;
  return `${kind.minExclusive ? "(" : "["}${kind.min}, ${hi}`;
}

/** Why `v` is not a valid value of a parameter of this kind, or undefined when it is. */
export function checkValue(kind: ParameterKind, v: ParamValue): string | undefined {
  switch (kind.type) {
    case "float": {
      const ok =
        typeof v === "number" &&
        (kind.minExclusive ? v > kind.min : v >= kind.min) &&
        (kind.maxExclusive ? v < kind.max : v <= kind.max);
      return ok ? undefined : `must be a number in ${range(kind)}, got ${show(v)}`;
    }
    case "int":
      return typeof v === "number" && Number.isInteger(v) && v >= kind.min && v <= kind.max
        ? undefined
        : `must be an integer in ${range(kind)}, got ${show(v)}`;
    case "bool":
      return typeof v === "boolean" ? undefined : `must be true or false, got ${show(v)}`;
    case "enum":
      return typeof v === "string" && kind.choices.includes(canonicalChoice(v))
        ? undefined
        : `must be one of ${kind.choices.join(" | ")} (any case), got ${show(v)}`;
    case "layers": {
      const ok =
        Array.isArray(v) &&
        v.length <= kind.maxLayers &&
        v.every((u) => Number.isInteger(u) && u >= 1 && u <= kind.maxUnits);
      return ok
        ? undefined
        : `must be a list of layer sizes such as [128, 64] (up to ${kind.maxLayers} integers in 1..${kind.maxUnits}), got ${show(v)}`;
    }
  }
}

/**
 * Turns a parsed parameter entry into a tagged Distribution after checking it against the
 * parameter's kind (types, ranges, bounds; `kind` undefined: a program's own parameter, any
 * value). Repeated `values` are kept, as W&B does (they weigh more in random search). Pushes
 * issues (at `at`, the entry's path as written) and returns undefined when invalid.
 */
export function normaliseParameter(
  name: string,
  raw: RawParameter,
  kind: ParameterKind | undefined,
  issues: Issue[],
  warnings: Issue[] = [],
  at = `parameters.${name}`,
): ParameterSpec | undefined {
  const before = issues.length;
  let distribution: Distribution;
  if ("value" in raw) {
    const why = kind && checkValue(kind, raw.value);
    if (why) issues.push({ path: `${at}.value`, message: why });
    distribution = { kind: "constant", value: raw.value };
  } else if ("values" in raw) {
    raw.values.forEach((v, i) => {
      const why = kind && checkValue(kind, v);
      if (why) issues.push({ path: `${at}.values[${i}]`, message: why });
    });
    if (raw.probabilities) checkProbabilities(at, raw.values, raw.probabilities, issues);
    distribution = raw.probabilities
      ? { kind: "categorical", values: raw.values, probabilities: raw.probabilities }
      : { kind: "categorical", values: raw.values };
  } else {
    if (kind && kind.type !== "float" && kind.type !== "int") {
      issues.push({
        path: at,
        message: `takes ${kind.type === "layers" ? "lists of layer sizes" : kind.type === "bool" ? "true/false" : "named choices"}: use values: [...] instead of ${"min" in raw ? "min/max" : `distribution ${raw.distribution}`}`,
      });
      return undefined;
    }
    const d = numericDistribution(at, raw, kind, issues, warnings);
    if (!d) return undefined;
    distribution = d;
    if (kind) checkKind(name, at, raw, d, kind, issues);
  }
  if (issues.length > before) return undefined;
  return raw.when ? { distribution, when: distinctWhen(raw.when) } : { distribution };
}

/** Checks a numeric distribution against a built-in trainer parameter's kind. */
function checkKind(
  name: string,
  at: string,
  raw: RawDistribution,
  d: Distribution,
  kind: ParameterKind,
  issues: Issue[],
): void {
  const written = raw.distribution ?? d.kind;
  if (kind.type === "int" && (d.kind === "uniform" || d.kind === "log_uniform_values")) {
    issues.push({
      path: `${at}.distribution`,
      message: `${name} takes integers: use int_uniform, q_uniform with an integer q, or values, not ${written}`,
    });
    return;
  }
  if (kind.type === "int" && d.kind === "q_uniform" && (!Number.isInteger(d.q) || !Number.isInteger(d.min))) {
    issues.push({
      path: `${at}.q`,
      message: `${name} takes integers: q_uniform needs an integer q and min, got q ${d.q}, min ${d.min}`,
    });
    return;
  }
  if (kind.type !== "int" && kind.type !== "float") return;
  if (
    "min" in raw &&
    (written === "uniform" || written === "int_uniform" || written === "q_uniform" || written === "log_uniform_values")
  ) {
    // Bounds written as values: name the bound that is out of range.
    for (const key of ["min", "max"] as const) {
      const why = checkValue(
        {
          type: "float",
          min: kind.min,
          max: kind.max,
          ...(kind.type === "float" ? { minExclusive: kind.minExclusive, maxExclusive: kind.maxExclusive } : {}),
        },
        raw[key],
      );
      if (why) issues.push({ path: `${at}.${key}`, message: why });
    }
    return;
  }
  const why = supportProblem(kind, d, written);
  if (why) issues.push({ path: `${at}.distribution`, message: why });
}

/** `when` with each list's repeated values dropped (a list is a set of allowed values). */
function distinctWhen(when: Record<string, ParamValue[]>): Record<string, ParamValue[]> {
  const out: Record<string, ParamValue[]> = {};
  for (const [other, allowed] of Object.entries(when)) {
    const seen = new Set<string>();
    const values = allowed.filter((v) => !seen.has(valueKey(v)) && seen.add(valueKey(v)));
    Object.defineProperty(out, other, { value: values, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Checks every `when`: it names another existing categorical/constant parameter, lists only
 * values that parameter can take, and conditions do not form a cycle.
 */
export function checkConditions(parameters: Readonly<Record<string, ParameterSpec>>, issues: Issue[]): void {
  const names = Object.keys(parameters);
  let conditionValues = 0;
  for (const p of Object.values(parameters))
    for (const allowed of Object.values(p.when ?? {})) conditionValues += allowed.length;
  if (conditionValues > LIMITS.conditionValues) {
    issues.push({
      path: "parameters",
      message: `the when lists hold ${conditionValues.toLocaleString("en-US")} distinct values in all; the limit is ${LIMITS.conditionValues.toLocaleString("en-US")}`,
    });
    return;
  }
  for (const [name, p] of Object.entries(parameters)) {
    for (const [other, allowed] of Object.entries(p.when ?? {})) {
      const at = joinPath(["parameters", name, "when", other]);
      const target = Object.hasOwn(parameters, other) ? parameters[other] : undefined;
      if (other === name) issues.push({ path: at, message: "a parameter cannot depend on itself" });
      else if (!target)
        issues.push({
          path: at,
          message: `refers to "${other}", which is not among the parameters (${names.join(", ")})`,
        });
      else {
        const d = target.distribution;
        const domain = d.kind === "categorical" ? d.values : d.kind === "constant" ? [d.value] : undefined;
        if (!domain)
          issues.push({
            path: at,
            message: `refers to "${other}", which is not categorical (conditions need ${other} to use values: [...])`,
          });
        else {
          const keys = allowedKeys(domain);
          allowed.forEach((v, i) => {
            if (!keys.has(valueKey(v)))
              issues.push({
                path: `${at}[${i}]`,
                message: `${show(v)} is not one of the values of ${other} (${domain.map(show).join(", ")})`,
              });
          });
        }
      }
    }
  }
  // Cycle check (self-references were reported above).
  const state = new Map<string, "visiting" | "done">();
  const visit = (n: string, trail: string[]): void => {
    if (state.get(n) === "done") return;
    if (state.get(n) === "visiting") {
      const cycle = [...trail.slice(trail.indexOf(n)), n];
      issues.push({ path: `parameters.${n}.when`, message: `conditions form a cycle: ${cycle.join(" → ")}` });
      return;
    }
    state.set(n, "visiting");
    for (const dep of Object.keys(parameters[n]?.when ?? {}))
      if (dep !== n && parameters[dep]) visit(dep, [...trail, n]);
    state.set(n, "done");
  };
  for (const n of names) visit(n, []);
}
