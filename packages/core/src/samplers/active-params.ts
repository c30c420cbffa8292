import type { ParameterSpec, Params, ParamValue } from "../types.ts";

/** Equality of parameter values; lists (hidden sizes) compare element by element. */
export function sameValue(a: ParamValue | undefined, b: ParamValue | undefined): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

/**
 * A key per distinct value: values are equal (`sameValue`) exactly when their keys are. Numbers,
 * strings and booleans keep their type apart ("1" is not 1); lists join their numbers.
 */
export function valueKey(v: ParamValue | undefined): string {
  return Array.isArray(v) ? `l:${v.join(",")}` : `${typeof v}:${String(v)}`;
}

const allowedSets = new WeakMap<readonly ParamValue[], ReadonlySet<string>>();

/** The keys of a `when` list as a set, built once per list (lists of a parsed spec never change). */
export function allowedKeys(allowed: readonly ParamValue[]): ReadonlySet<string> {
  let set = allowedSets.get(allowed);
  if (!set) {
    set = new Set(allowed.map(valueKey));
    allowedSets.set(allowed, set);
  }
  return set;
}

/** Deepest chain of conditions followed; deeper means a cycle (parseSweepSpec refuses those). */
const MAX_CONDITION_DEPTH = 64;

/**
 * Whether parameter `name` is active given candidate values of every parameter: each of its
 * `when` conditions must name an active parameter whose value is in the listed values. Conditions
 * are acyclic (checked by parseSweepSpec); a cycle here counts as inactive.
 */
export function isActive(
  name: string,
  parameters: Readonly<Record<string, ParameterSpec>>,
  values: Readonly<Record<string, ParamValue>>,
  depth = 0,
): boolean {
  const when = parameters[name]?.when;
  if (!when) return true;
  if (depth >= MAX_CONDITION_DEPTH) return false;
  for (const other in when) {
    if (!isActive(other, parameters, values, depth + 1)) return false;
    if (!allowedKeys(when[other] as readonly ParamValue[]).has(valueKey(values[other]))) return false;
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
