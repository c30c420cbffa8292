import type { ParameterSpec, Params, ParamValue } from "../types.ts";

/** Equality of parameter values; lists (hidden sizes) compare element by element. */
export function sameValue(a: ParamValue | undefined, b: ParamValue | undefined): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

/**
 * Whether parameter `name` is active given candidate values of every parameter: each of its
 * `when` conditions must name an active parameter whose value is in the listed values. Conditions
 * are acyclic (checked by parseSweepSpec); a cycle here counts as inactive.
 */
export function isActive(
  name: string,
  parameters: Readonly<Record<string, ParameterSpec>>,
  values: Readonly<Record<string, ParamValue>>,
  seen: ReadonlySet<string> = new Set(),
): boolean {
  const when = parameters[name]?.when;
  if (!when) return true;
  if (seen.has(name)) return false;
  const next = new Set(seen).add(name);
  for (const [other, allowed] of Object.entries(when)) {
    if (!isActive(other, parameters, values, next)) return false;
    const v = values[other];
    if (!allowed.some((a) => sameValue(a, v))) return false;
  }
  return true;
}

/**
 * Keeps the active parameters of a full candidate assignment, in the spec's key order. Samplers
 * draw every parameter (so random streams do not shift when a condition flips) and call this last.
 */
export function activeParams(
  parameters: Readonly<Record<string, ParameterSpec>>,
  values: Readonly<Record<string, ParamValue>>,
): Params {
  const out: Record<string, ParamValue> = {};
  for (const name of Object.keys(parameters)) {
    const v = values[name];
    if (v !== undefined && isActive(name, parameters, values)) out[name] = v;
  }
  return out;
}

/** Names referenced by some `when` (the parameters that switch others on and off). */
export function controllingParams(parameters: Readonly<Record<string, ParameterSpec>>): string[] {
  const out = new Set<string>();
  for (const spec of Object.values(parameters)) for (const other of Object.keys(spec.when ?? {})) out.add(other);
  return Object.keys(parameters).filter((n) => out.has(n));
}
