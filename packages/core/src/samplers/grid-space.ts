import type { ParameterSpec, Params, ParamValue } from "../types.ts";
import { controllingParams, isActive } from "./active-params.ts";
import { supportSize, valueAt } from "./sample-distribution.ts";

/**
 * The cartesian product of finite parameter supports, with conditions respected: a parameter
 * whose `when` does not match is left out instead of multiplying the grid. The space is a list
 * of branches (one per assignment of the controlling parameters); inside a branch the free
 * parameters are decoded from the index in mixed radix (the first parameter varies slowest).
 */
export interface GridSpace {
  /** Number of distinct combinations; Infinity when a continuous parameter is active. */
  readonly size: number;
  /**
   * True when `size` is only a lower bound that passed `limit`: the count stopped early (`at`
   * then throws). Without conditions the count is exact, whatever its size.
   */
  readonly truncated: boolean;
  /** True when the walk stopped because the controlling parameters passed `maxBranches` combinations. */
  readonly branchLimited: boolean;
  /** Combination number `index` (0 ≤ index < size), parameters in spec order. */
  at(index: number): Params;
}

interface Branch {
  readonly fixed: Readonly<Record<string, ParamValue>>;
  readonly free: readonly { readonly name: string; readonly size: number }[];
  readonly size: number;
}

/** Controllers ordered so that a controller's own conditions come before it. */
function topoOrder(parameters: Readonly<Record<string, ParameterSpec>>, names: readonly string[]): string[] {
  const out: string[] = [];
  const done = new Set<string>();
  const visit = (n: string, stack: Set<string>): void => {
    if (done.has(n) || stack.has(n)) return;
    stack.add(n);
    for (const dep of Object.keys(parameters[n]?.when ?? {})) visit(dep, stack);
    done.add(n);
    out.push(n);
  };
  for (const n of names) visit(n, new Set());
  return out;
}

/**
 * The grid over `parameters`. Counting stops as soon as the size is known to pass `limit`
 * (default: no limit): first from the product of the unconditional parameters' supports (a lower
 * bound, computed without enumerating anything), then while walking the branches, so refusing an
 * oversized grid costs at most `limit` branches, and at most `maxBranches` (default: no limit)
 * assignments of the controlling parameters are walked. Conditions are looked up in sets, so a
 * long `when` list costs nothing per branch.
 */
export function gridSpace(
  parameters: Readonly<Record<string, ParameterSpec>>,
  limit = Number.POSITIVE_INFINITY,
  maxBranches = Number.POSITIVE_INFINITY,
): GridSpace {
  const names = Object.keys(parameters);
  let lowerBound = 1;
  for (const name of names) {
    const p = parameters[name] as ParameterSpec;
    if (!p.when) lowerBound *= supportSize(p.distribution);
  }
  if (lowerBound > limit)
    return tooBig(
      lowerBound,
      names.some((n) => parameters[n]?.when !== undefined),
    );
  const controllers = topoOrder(parameters, controllingParams(parameters));
  const isController = new Set(controllers);
  const branches: Branch[] = [];
  let truncated = false;
  let branchLimited = false;
  let counted = 0;

  const leaf = (fixed: Record<string, ParamValue>): void => {
    if (branches.length >= maxBranches) {
      branchLimited = truncated = true;
      return;
    }
    const free: { name: string; size: number }[] = [];
    let size = 1;
    for (const name of names) {
      if (isController.has(name) || !isActive(name, parameters, fixed)) continue;
      const n = supportSize((parameters[name] as ParameterSpec).distribution);
      free.push({ name, size: n });
      size *= n;
    }
    branches.push({ fixed: { ...fixed }, free, size });
    counted += size;
    if (counted > limit) truncated = true;
  };
  const walk = (i: number, fixed: Record<string, ParamValue>): void => {
    if (truncated) return;
    const name = controllers[i];
    if (name === undefined) {
      leaf(fixed);
      return;
    }
    const d = (parameters[name] as ParameterSpec).distribution;
    if (!isActive(name, parameters, fixed)) {
      walk(i + 1, fixed);
      return;
    }
    const n = supportSize(d);
    if (!Number.isFinite(n)) {
      // A continuous controller cannot be enumerated; the grid is infinite.
      branches.push({ fixed: {}, free: [], size: Number.POSITIVE_INFINITY });
      truncated = true;
      return;
    }
    for (let k = 0; k < n && !truncated; k++) walk(i + 1, { ...fixed, [name]: valueAt(d, k) });
  };
  walk(0, {});

  const offsets: number[] = [];
  let total = 0;
  for (const b of branches) {
    offsets.push(total);
    total += b.size;
  }

  return {
    size: total,
    truncated,
    branchLimited,
    at(index: number): Params {
      if (!(index >= 0 && index < total) || !Number.isFinite(total))
        throw new RangeError(`grid index ${index} outside [0, ${total})`);
      let lo = 0;
      let hi = branches.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((offsets[mid] as number) <= index) lo = mid;
        else hi = mid - 1;
      }
      const branch = branches[lo] as Branch;
      let r = index - (offsets[lo] as number);
      const values: Record<string, ParamValue> = { ...branch.fixed };
      for (let j = branch.free.length - 1; j >= 0; j--) {
        const { name, size } = branch.free[j] as { name: string; size: number };
        values[name] = valueAt((parameters[name] as ParameterSpec).distribution, r % size);
        r = Math.floor(r / size);
      }
      const out: Record<string, ParamValue> = {};
      for (const name of names) if (values[name] !== undefined) out[name] = values[name];
      return out;
    },
  };
}

/** A grid known to hold `size` combinations (at least that many when `conditional`); not enumerable. */
function tooBig(size: number, conditional: boolean): GridSpace {
  return {
    size,
    truncated: conditional,
    branchLimited: false,
    at(index: number): Params {
      throw new RangeError(`grid index ${index}: the grid of ${size} combinations was not enumerated`);
    },
  };
}
