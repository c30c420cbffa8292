/** How a parameter is laid out on an axis: log, linear or categorical, from its distribution. */
import type { ParamValue, SweepSpec } from "@hpo/core";
import { fmtParam } from "../format.ts";

export type AxisKind = "log" | "value" | "category";

/** Distributions drawn in log space: their parameters get a log axis. */
const LOG_KINDS: ReadonlySet<string> = new Set([
  "log_uniform_values",
  "q_log_uniform_values",
  "log_normal",
  "q_log_normal",
]);

export interface ParamAxis {
  readonly name: string;
  readonly kind: AxisKind;
  /** Category labels (kind "category"), in a stable order. */
  readonly categories: readonly string[];
  /** Maps a value to what the chart plots (a number, or the category label). */
  toAxis(v: ParamValue | undefined): number | string | null;
}

export function paramAxis(
  spec: SweepSpec | undefined,
  name: string,
  seen: readonly (ParamValue | undefined)[],
): ParamAxis {
  const dist = spec?.parameters?.[name]?.distribution;
  const numeric = seen.every((v) => v === undefined || typeof v === "number");
  if (dist && LOG_KINDS.has(dist.kind) && numeric) {
    return { name, kind: "log", categories: [], toAxis: (v) => (typeof v === "number" && v > 0 ? v : null) };
  }
  if (numeric && dist?.kind !== "categorical" && dist?.kind !== "constant") {
    return { name, kind: "value", categories: [], toAxis: (v) => (typeof v === "number" ? v : null) };
  }
  const labels = new Set<string>();
  if (dist?.kind === "categorical") for (const v of dist.values) labels.add(fmtParam(v));
  for (const v of seen) if (v !== undefined) labels.add(fmtParam(v));
  return {
    name,
    kind: "category",
    categories: [...labels],
    toAxis: (v) => (v === undefined ? null : fmtParam(v)),
  };
}
