import { type DatasetShape, datasetShapeOf } from "./dataset-shape.ts";
import { HpoError } from "./errors.ts";
import { layerFieldRefs } from "./model-layers.ts";
import { canonicalName } from "./param-aliases.ts";
import { supportOf } from "./spec-distributions.ts";
import {
  estimateJobMemory,
  formatBytes,
  isOn,
  layersOf,
  mlpTrialShape,
  type TrialMemoryEstimate,
} from "./trial-memory.ts";
import type { Distribution, Params, ParamValue, SweepSpec } from "./types.ts";

/** The largest trial of a sweep's space and its estimate. */
export interface LargestTrial {
  /** The parameters that set its memory (hidden, batch_size, optimizer, …). */
  readonly params: Params;
  readonly estimate: TrialMemoryEstimate;
  /** "hidden [4096 × 8] with batch_size 32, 5 folds and adam". */
  readonly label: string;
}

/** The values a parameter can take that matter for memory: all of a list, the top of a range. */
function candidates(d: Distribution | undefined): readonly ParamValue[] | undefined {
  if (!d) return undefined;
  switch (d.kind) {
    case "constant":
      return [d.value];
    case "categorical":
      return d.values;
    default: {
      // The built-in parameters only accept bounded distributions (spec-distributions.ts).
      const top = supportOf(d)?.max;
      return top !== undefined && Number.isFinite(top) ? [top] : undefined;
    }
  }
}

/**
 * The trial of `spec`'s space with the largest estimated memory (estimateTrialMemory; built-in MLP).
 * The estimate grows with every memory parameter, so the largest point takes each parameter at
 * its largest (the top of a range; each listed hidden layout and optimizer; batch norm, dropout
 * and early stopping when they can be on); conditions (`when`) are ignored, which can only
 * overstate the largest trial.
 * @param data the dataset's shape; default `datasetShapeOf(spec.dataset)` (none for a CSV file:
 *   the estimate then leaves the data out and is a lower bound).
 */
export function largestTrial(
  spec: SweepSpec,
  data: DatasetShape | undefined = datasetShapeOf(spec.dataset),
): LargestTrial {
  // A parameter by its name or any alias of it (lr, num_epochs, …): the trainer reads them alike.
  const dist = (name: string) => {
    const written = Object.keys(spec.parameters).find((n) => canonicalName(n) === name && n !== "num_layers");
    return candidates(written === undefined ? undefined : spec.parameters[written]?.distribution);
  };
  const top = (name: string, fallback: number) =>
    Math.max(...(dist(name) ?? [fallback]).map((v) => (typeof v === "number" ? v : Number(v) || fallback)));
  const stacked = spec.parameters.hidden_size || spec.parameters.num_layers;
  const topOf = (name: string, fallback: number) =>
    Math.max(...(candidates(spec.parameters[name]?.distribution) ?? [fallback]).map((v) => Number(v) || 0));
  const hiddens = stacked
    ? [Array.from({ length: topOf("num_layers", 1) }, () => topOf("hidden_size", spec.model.hidden[0] ?? 64))]
    : (dist("hidden") ?? [spec.model.hidden]);
  const optimizers = dist("optimizer") ?? ["adam"];
  const on = (name: string) => (dist(name) ?? [false]).some(isOn);
  const fixed: Record<string, ParamValue> = { batch_size: top("batch_size", 32) };
  if (on("batch_norm")) fixed.batch_norm = true;
  for (const name of ["dropout", "early_stopping_patience", "momentum"]) {
    const value = top(name, 0);
    if (value > 0) fixed[name] = value;
  }
  // a layer list's swept fields: the largest value, except strides and pool sizes (smaller = larger outputs)
  for (const { field, param } of layerFieldRefs(spec.model.layers ?? [])) {
    const values = (candidates(spec.parameters[param]?.distribution) ?? []).map(Number).filter(Number.isFinite);
    if (values.length === 0) continue;
    fixed[param] = field === "strides" || field === "pool_size" ? Math.min(...values) : Math.max(...values);
  }
  // the selection phase's jobs train select.repeats repeats at once: the larger count sets the peak
  const repeats = Math.max(spec.cv.repeats ?? 1, spec.select?.repeats ?? 1);
  const repeatRange = { from: 0, count: repeats };
  // swept fields that are not numbers (a layer type, padding, activation): each at the value with
  // the largest estimate, the others held
  const named = layerFieldRefs(spec.model.layers ?? []).flatMap(({ param }) => {
    const values = candidates(spec.parameters[param]?.distribution) ?? [];
    return values.some((v) => typeof v !== "number") ? [{ param, values }] : [];
  });
  for (const { param, values } of named) fixed[param] = values[0] as ParamValue;
  for (const { param, values } of named) {
    const bytes = (v: ParamValue) =>
      estimateJobMemory(
        {
          params: { ...fixed, [param]: v, hidden: layersOf(hiddens[0]) ?? [] },
          model: spec.model,
          cv: spec.cv,
          dataset: spec.dataset,
          repeatRange,
        },
        data,
      ).bytes;
    fixed[param] = values.reduce((a, b) => (bytes(b as ParamValue) > bytes(a as ParamValue) ? b : a)) as ParamValue;
  }
  let best: { params: Params; estimate: TrialMemoryEstimate } | undefined;
  for (const hidden of hiddens) {
    for (const optimizer of optimizers) {
      const params: Params = { ...fixed, hidden: layersOf(hidden) ?? [], optimizer };
      const estimate = estimateJobMemory(
        { params, model: spec.model, cv: spec.cv, dataset: spec.dataset, repeatRange },
        data,
      );
      if (!best || estimate.bytes > best.estimate.bytes) best = { params, estimate };
    }
  }
  const { params, estimate } = best as { params: Params; estimate: TrialMemoryEstimate };
  const shape = mlpTrialShape({ params, model: spec.model, cv: spec.cv, dataset: spec.dataset, repeatRange }, data);
  const label = `${shape.model.label}${params.batch_norm ? " with batch norm," : " with"} batch_size ${params.batch_size}, ${spec.cv.folds} folds${repeats > 1 ? ` × ${repeats} repeats` : ""} and ${params.optimizer}`;
  return { params, estimate, label };
}

/**
 * Refuses a sweep whose largest trial (largestTrial) needs more than `limitBytes`. Program sweeps
 * pass: the estimate models the built-in MLP only.
 * @param limitName how the message names the limit's setting, e.g. "HPO_TRIAL_MEMORY_MB".
 * @param data the dataset's shape when known beyond `datasetShapeOf` (a CSV file the coordinator
 *   checked: its encoded input width); see `largestTrial`.
 * @throws HpoError INVALID_SPEC (400), e.g. `sweep "deep": hidden [4096 × 8] with batch_size 32,
 *   5 folds and adam needs about 38.5 GB; this fleet allows 4.0 GB per trial (HPO_TRIAL_MEMORY_MB)`,
 *   with `details: [{ path: "parameters", message }]`.
 */
export function checkSweepMemory(
  spec: SweepSpec,
  limitBytes: number,
  limitName: string,
  data: DatasetShape | undefined = datasetShapeOf(spec.dataset),
): void {
  // the estimate is the built-in MLP's; a program or a model module sizes itself
  if (spec.program !== undefined || spec.model.module !== undefined) return;
  const largest = largestTrial(spec, data);
  if (largest.estimate.bytes <= limitBytes) return;
  const atLeast = largest.estimate.complete ? "about" : "at least (before its CSV data)";
  const message = `${largest.label} needs ${atLeast} ${formatBytes(largest.estimate.bytes)}; this fleet allows ${formatBytes(limitBytes)} per trial (${limitName})`;
  const path = spec.model.layers ? "model.layers" : spec.parameters.hidden ? "parameters.hidden" : "model.hidden";
  throw new HpoError("INVALID_SPEC", `sweep "${spec.name}": ${message}`, [{ path, message }]);
}
