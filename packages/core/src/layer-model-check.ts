import { datasetShapeOf } from "./dataset-shape.ts";
import type { Issue } from "./errors.ts";
import { layerShapes } from "./layer-plan.ts";
import { checkSweptType, type ExampleShape, type LayerParamRef, resolveLayer } from "./model-layers.ts";
import { fromUnit } from "./samplers/sample-distribution.ts";
import type { DatasetSpec, LayerSpec, ParameterSpec, ParamValue } from "./types.ts";

/** The smallest and the largest value a parameter can take (the first and last of a list). */
function extremes(p: ParameterSpec): [ParamValue, ParamValue] {
  const d = p.distribution;
  switch (d.kind) {
    case "constant":
      return [d.value, d.value];
    case "categorical": {
      const nums = d.values.filter((v): v is number => typeof v === "number");
      if (nums.length === d.values.length) return [Math.min(...nums), Math.max(...nums)];
      // enums (padding, activation): "valid" is the padding that can make a shape misfit
      const pick = d.values.includes("valid") ? "valid" : (d.values[0] as ParamValue);
      return [pick, pick];
    }
    default:
      // bounded ranges at their bounds; unbounded ones (normal, …) at their 0.1 % and 99.9 % quantiles
      return "min" in d ? [d.min, d.max] : [fromUnit(d, 0.001), fromUnit(d, 0.999)];
  }
}

/**
 * The smallest `input_dim` of the embedding a layer list starts with (a literal, or the smallest
 * value of the parameter it names): the one every token id of the data must stay below.
 * Undefined when the list does not start with an embedding or names a parameter not in `parameters`.
 */
export function smallestEmbeddingInputDim(
  layers: readonly LayerSpec[] | undefined,
  parameters: Readonly<Record<string, ParameterSpec>>,
): number | undefined {
  const first = layers?.[0];
  if (first?.type !== "embedding") return undefined;
  const dim = first.input_dim;
  if (typeof dim === "number") return dim;
  const name = (dim as { param?: unknown } | undefined)?.param;
  const p = typeof name === "string" && Object.hasOwn(parameters, name) ? parameters[name] : undefined;
  const v = p && extremes(p)[0];
  return typeof v === "number" ? v : undefined;
}

/** The example shape a layer list sees for a dataset: its image or sequence shape, else its rows (features unknown for CSV). */
export function layerInputShape(dataset: DatasetSpec): ExampleShape {
  const shape = datasetShapeOf(dataset);
  if (shape?.image) return shape.image;
  if (shape?.sequence) return shape.sequence;
  return [shape?.features ?? Number.NaN];
}

/**
 * Submit-time checks of a layer list against the sweep's parameters and dataset: every
 * `{ param: name }` names a parameter of the sweep, and the layers fit the dataset's examples (a
 * conv2d on tabular rows, a window larger than its input, a dense layer on images, a recurrent
 * layer on rows) with every referenced parameter at its smallest and at its largest value; a
 * swept layer type takes types that can stand for one another (`checkSweptType`). Issues are
 * appended.
 */
export function checkLayerModel(
  layers: readonly LayerSpec[],
  refs: readonly LayerParamRef[],
  parameters: Readonly<Record<string, ParameterSpec>>,
  dataset: DatasetSpec,
  activation: string,
  issues: Issue[],
): void {
  const before = issues.length;
  for (const r of refs)
    if (!Object.hasOwn(parameters, r.param))
      issues.push({ path: r.path, message: `names parameter "${r.param}", which is not in parameters` });
  if (issues.length > before) return;
  const sweptTypes = (list: readonly LayerSpec[], at: readonly (string | number)[]): void =>
    list.forEach((layer, i) => {
      if (typeof layer.type === "object")
        checkSweptType(layer, [...at, i], parameters[layer.type.param] as ParameterSpec, issues);
      if (Array.isArray(layer.layers)) sweptTypes(layer.layers as readonly LayerSpec[], [...at, i, "layers"]);
    });
  sweptTypes(layers, ["model", "layers"]);
  if (issues.length > before) return;
  const outputs = datasetShapeOf(dataset)?.outputs ?? (dataset.task === "regression" ? 1 : 2);
  const input = layerInputShape(dataset);
  for (const end of [0, 1] as const) {
    const params: Record<string, ParamValue> = {};
    for (const r of refs) params[r.param] = extremes(parameters[r.param] as ParameterSpec)[end];
    const resolved = layers.map((l, i) => resolveLayer(l, i, params, activation));
    const out = layerShapes(resolved, input, outputs);
    if ("error" in out) {
      const at = refs.length > 0 ? ` (parameters at their ${end === 0 ? "smallest" : "largest"} values)` : "";
      issues.push({ path: out.path, message: `${out.error}${at}` });
      return;
    }
  }
}
