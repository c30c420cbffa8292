import type { Issue } from "./errors.ts";
import { allowedKeys, valueKey } from "./samplers/active-params.ts";
import { joinPath, show } from "./spec-issues.ts";
import type { ParameterKind } from "./spec-parameters.ts";
import { LIMITS } from "./spec-schema.ts";
import type { Distribution, ParameterSpec, ParamValue } from "./types.ts";

/** A parameter entry as the zod schemas of spec-schema.ts leave it. */
export type RawParameter =
  | { distribution?: "constant"; value: ParamValue; when?: Record<string, ParamValue[]> }
  | { distribution?: "categorical"; values: ParamValue[]; when?: Record<string, ParamValue[]> }
  | {
      distribution?: "uniform" | "int_uniform" | "log_uniform_values" | "q_uniform";
      min: number;
      max: number;
      q?: number;
      when?: Record<string, ParamValue[]>;
    };

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
      return typeof v === "string" && kind.choices.includes(v)
        ? undefined
        : `must be one of ${kind.choices.join(" | ")}, got ${show(v)}`;
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
 * parameter's kind (types, ranges, bounds). Pushes issues and returns undefined when invalid.
 */
export function normaliseParameter(
  name: string,
  raw: RawParameter,
  kind: ParameterKind,
  issues: Issue[],
): ParameterSpec | undefined {
  const at = `parameters.${name}`;
  const before = issues.length;
  let distribution: Distribution;
  if ("value" in raw) {
    const why = checkValue(kind, raw.value);
    if (why) issues.push({ path: `${at}.value`, message: why });
    distribution = { kind: "constant", value: raw.value };
  } else if ("values" in raw) {
    const seen = new Set<string>();
    raw.values.forEach((v, i) => {
      const why = checkValue(kind, v);
      if (why) issues.push({ path: `${at}.values[${i}]`, message: why });
      else if (seen.has(valueKey(v))) issues.push({ path: `${at}.values[${i}]`, message: `repeats ${show(v)}` });
      seen.add(valueKey(v));
    });
    distribution = { kind: "categorical", values: raw.values };
  } else {
    const { min, max } = raw;
    if (kind.type !== "float" && kind.type !== "int") {
      issues.push({
        path: at,
        message: `takes ${kind.type === "layers" ? "lists of layer sizes" : kind.type === "bool" ? "true/false" : "named choices"}: use values: [...] instead of min/max`,
      });
      return undefined;
    }
    const type = raw.distribution ?? (kind.type === "int" ? "int_uniform" : "uniform");
    if (!(min < max)) issues.push({ path: `${at}.min`, message: `must be < max (${max}), got ${min}` });
    if (type === "log_uniform_values" && min <= 0)
      issues.push({ path: `${at}.min`, message: `must be > 0 for log_uniform_values, got ${min}` });
    if (type === "int_uniform") {
      if (!Number.isInteger(min))
        issues.push({ path: `${at}.min`, message: `must be an integer for int_uniform, got ${min}` });
      if (!Number.isInteger(max))
        issues.push({ path: `${at}.max`, message: `must be an integer for int_uniform, got ${max}` });
    }
    if (raw.q !== undefined && type !== "q_uniform")
      issues.push({ path: `${at}.q`, message: `is only used by q_uniform, not ${type}` });
    const q = raw.q ?? 1;
    if (kind.type === "int") {
      if (type === "uniform" || type === "log_uniform_values") {
        issues.push({
          path: `${at}.distribution`,
          message: `${name} takes integers: use int_uniform, q_uniform with an integer q, or values, not ${type}`,
        });
      } else if (type === "q_uniform" && (!Number.isInteger(q) || !Number.isInteger(min))) {
        issues.push({
          path: `${at}.q`,
          message: `${name} takes integers: q_uniform needs an integer q and min, got q ${q}, min ${min}`,
        });
      }
    }
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
      if (why && !issues.slice(before).some((i) => i.path === `${at}.${key}`))
        issues.push({ path: `${at}.${key}`, message: why });
    }
    distribution = type === "q_uniform" ? { kind: type, min, max, q } : { kind: type, min, max };
  }
  if (issues.length > before) return undefined;
  return raw.when ? { distribution, when: distinctWhen(raw.when) } : { distribution };
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
