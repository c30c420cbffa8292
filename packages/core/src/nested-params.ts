import type { Issue } from "./errors.ts";
import { joinPath } from "./spec-issues.ts";
import type { ParameterSpec, Params, ParamValue } from "./types.ts";

/**
 * W&B's nested parameters: an entry holding `parameters` (and nothing else) is a group, e.g.
 *
 *   parameters:
 *     optimizer:
 *       parameters:
 *         lr: { min: 0.0001, max: 0.1 }
 *         name: { values: [adam, sgd] }
 *
 * The spec flattens a group into dotted names (`optimizer.lr`, `optimizer.name`, each with its
 * `path`, ["optimizer", "lr"]), so samplers, trials, the leaderboard and the dashboard see plain
 * names. A program gets them back nested: `nestParams` builds `{"optimizer": {"lr": …, "name": …}}`
 * for `HPO_PARAMS` (and W&B's `${args_json}`), and the dotted names are the `--optimizer.lr=…`
 * arguments, as W&B's agent passes them.
 */

/** Deepest group nesting accepted. */
export const MAX_PARAMETER_DEPTH = 8;

/** One leaf of `parameters` as written: its flat (dotted) name, its entry and its path. */
export interface FlatParameter {
  readonly name: string;
  readonly entry: unknown;
  /** The key path, present only for a parameter inside a group. */
  readonly path?: readonly string[];
}

/**
 * The key path of a parameter as written in the file: ["parameters", "opt", "parameters", "lr"]
 * for a grouped one (`path` ["opt", "lr"]), ["parameters", name] otherwise.
 */
export function writtenPath(name: string, path: readonly string[] | undefined): string[] {
  return path ? ["parameters", ...path.flatMap((k, i) => (i === 0 ? [k] : ["parameters", k]))] : ["parameters", name];
}

function isGroup(entry: unknown): entry is { parameters: unknown } {
  return entry !== null && typeof entry === "object" && !Array.isArray(entry) && "parameters" in entry;
}

/**
 * The leaves of a `parameters` mapping, groups flattened in order. Pushes an issue for a group
 * with other keys beside `parameters`, an empty or non-mapping group, nesting deeper than
 * MAX_PARAMETER_DEPTH, and a dotted name given twice (`a.b` and a group `a` holding `b`).
 */
export function flattenParameters(raw: Readonly<Record<string, unknown>>, issues: Issue[]): FlatParameter[] {
  const out: FlatParameter[] = [];
  const seen = new Set<string>();
  const walk = (group: Readonly<Record<string, unknown>>, path: readonly string[]): void => {
    for (const [key, entry] of Object.entries(group)) {
      const keys = [...path, key];
      const at = joinPath(writtenPath(key, keys));
      if (!isGroup(entry)) {
        const name = keys.join(".");
        if (seen.has(name)) issues.push({ path: at, message: `is given twice (as ${name})` });
        seen.add(name);
        out.push(path.length > 0 ? { name, entry, path: keys } : { name, entry });
        continue;
      }
      const others = Object.keys(entry).filter((k) => k !== "parameters");
      const inner = entry.parameters;
      if (others.length > 0)
        issues.push({
          path: `${at}.${others[0]}`,
          message: "is not allowed beside parameters (a group holds only parameters)",
        });
      else if (inner === null || typeof inner !== "object" || Array.isArray(inner) || Object.keys(inner).length === 0)
        issues.push({ path: `${at}.parameters`, message: "must be a non-empty mapping of parameters" });
      else if (keys.length > MAX_PARAMETER_DEPTH)
        issues.push({ path: at, message: `nests parameters deeper than ${MAX_PARAMETER_DEPTH} levels` });
      else walk(inner as Record<string, unknown>, keys);
    }
  };
  walk(raw, []);
  return out;
}

/** A params object as a program receives it: nested where the sweep nested its parameters. */
export type NestedParams = { readonly [key: string]: ParamValue | NestedParams };

/**
 * A trial's params with grouped parameters nested back (`{"optimizer.lr": 0.01}` →
 * `{"optimizer": {"lr": 0.01}}`), by each parameter's `path`; other names stay as they are, dots
 * included.
 */
export function nestParams(
  parameters: Readonly<Record<string, Pick<ParameterSpec, "path">>>,
  params: Params,
): NestedParams {
  const out: Record<string, ParamValue | NestedParams> = {};
  for (const [name, value] of Object.entries(params)) {
    const path = parameters[name]?.path;
    if (!path) {
      out[name] = value;
      continue;
    }
    let node = out;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (next === undefined || typeof next !== "object" || Array.isArray(next)) node[key] = {};
      node = node[key] as Record<string, ParamValue | NestedParams>;
    }
    node[path[path.length - 1] as string] = value;
  }
  return out;
}
