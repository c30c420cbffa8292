import type { Issue } from "./errors.ts";
import { joinPath, show } from "./spec-issues.ts";
import { ACTIVATIONS, type ParameterKind } from "./spec-parameters.ts";
import type { LayerSpec, ParameterSpec, Params, ParamValue } from "./types.ts";

/**
 * Layer lists: `model: { layers: [...] }` (docs/trainer.md, "Layer lists"). One home for the layer
 * types, their fields, the `{ param: name }` references that make a field a sweep dimension, and
 * the shape arithmetic both the submit-time check and the trainer use.
 */

export const LAYER_TYPES = [
  "dense",
  "conv2d",
  "max_pool2d",
  "avg_pool2d",
  "global_avg_pool2d",
  "flatten",
  "dropout",
  "batch_norm",
  "residual",
  "simple_rnn",
  "lstm",
  "gru",
  "embedding",
] as const;
export type LayerType = (typeof LAYER_TYPES)[number];

/** Recurrent layers: they read sequences [timesteps, features]. */
export const RECURRENT_TYPES = ["simple_rnn", "lstm", "gru"] as const;
export type RecurrentType = (typeof RECURRENT_TYPES)[number];

/**
 * Layer types that may stand for one another, so that `type: { param: name }` makes the layer type
 * a sweep dimension: every value of the parameter must come from one group, and the layer's other
 * fields must be fields of every type the parameter takes.
 */
export const INTERCHANGEABLE_TYPES: readonly (readonly LayerType[])[] = [RECURRENT_TYPES, ["max_pool2d", "avg_pool2d"]];

interface FieldSpec {
  /** The values a field takes; `layers`: a nested layer list (a residual block's). */
  readonly kind: ParameterKind | "layers";
  readonly required?: boolean;
}

/** How deep residual blocks may nest. */
const MAX_DEPTH = 4;

const size = { kind: { type: "int", min: 1, max: 64 } } as const;
const padding = { kind: { type: "enum", choices: ["same", "valid"] } } as const;
const activation = { kind: { type: "enum", choices: ACTIVATIONS } } as const;
const units = { kind: { type: "int", min: 1, max: 65536 }, required: true } as const;
const returnSequences = { kind: { type: "bool" } } as const;
/** simple_rnn's activations: those tf.layers' simpleRNN has too (exports), so not leaky_relu. */
export const RNN_ACTIVATIONS = ACTIVATIONS.filter((a) => a !== "leaky_relu");

/** The fields of each layer type (besides `type`). Defaults are in `resolveLayer`. */
export const LAYER_FIELDS: Readonly<Record<LayerType, Readonly<Record<string, FieldSpec>>>> = {
  dense: { units: { kind: { type: "int", min: 1, max: 65536 }, required: true }, activation },
  conv2d: {
    filters: { kind: { type: "int", min: 1, max: 4096 }, required: true },
    kernel_size: { ...size, required: true },
    strides: size,
    padding,
    activation,
  },
  max_pool2d: { pool_size: size, strides: size, padding },
  avg_pool2d: { pool_size: size, strides: size, padding },
  global_avg_pool2d: {},
  flatten: {},
  dropout: { rate: { kind: { type: "float", min: 0, max: 1, maxExclusive: true }, required: true } },
  batch_norm: {},
  residual: { layers: { kind: "layers", required: true }, activation },
  simple_rnn: {
    units,
    return_sequences: returnSequences,
    activation: { kind: { type: "enum", choices: RNN_ACTIVATIONS } },
  },
  lstm: { units, return_sequences: returnSequences },
  gru: { units, return_sequences: returnSequences },
  embedding: {
    input_dim: { kind: { type: "int", min: 1, max: 1_000_000 }, required: true },
    output_dim: { kind: { type: "int", min: 1, max: 65536 }, required: true },
  },
};

/** A layer with every field a literal (params substituted, defaults filled in). */
export type ResolvedLayer = ResolvedKind & {
  /** The user's `name:` for the layer (its gradient norm's key, see layer-plan.ts); absent: `<type>_<index>`. */
  readonly name?: string;
};

type ResolvedKind =
  | { readonly type: "dense"; readonly units: number; readonly activation: string }
  | {
      readonly type: "conv2d";
      readonly filters: number;
      readonly kernelSize: number;
      readonly strides: number;
      readonly padding: "same" | "valid";
      readonly activation: string;
    }
  | {
      readonly type: "max_pool2d" | "avg_pool2d";
      readonly poolSize: number;
      readonly strides: number;
      readonly padding: "same" | "valid";
    }
  | { readonly type: "global_avg_pool2d" | "flatten" | "batch_norm" }
  | { readonly type: "dropout"; readonly rate: number }
  | {
      /** The inner list's output plus the block's input (projected when the shapes differ, see layer-plan.ts). */
      readonly type: "residual";
      readonly layers: readonly ResolvedLayer[];
      /** Applied after the sum; default linear. */
      readonly activation: string;
    }
  | {
      readonly type: RecurrentType;
      readonly units: number;
      readonly returnSequences: boolean;
      /** simple_rnn's activation (lstm and gru use tanh and sigmoid gates). */
      readonly activation: string;
    }
  | { readonly type: "embedding"; readonly inputDim: number; readonly outputDim: number };

/** A layer other than a residual block: one step of the forward pass. */
export type PlainLayer = Exclude<ResolvedLayer, { readonly type: "residual" }>;

const isRef = (v: unknown): v is { param: string } =>
  typeof v === "object" && v !== null && !Array.isArray(v) && typeof (v as { param?: unknown }).param === "string";

/** Why `v` is not a value of `kind`, or undefined. */
function checkKind(kind: ParameterKind, v: unknown): string | undefined {
  switch (kind.type) {
    case "int":
      return typeof v === "number" && Number.isInteger(v) && v >= kind.min && v <= kind.max
        ? undefined
        : `must be an integer in [${kind.min}, ${kind.max}], got ${show(v)}`;
    case "float":
      return typeof v === "number" && v >= kind.min && (kind.maxExclusive ? v < kind.max : v <= kind.max)
        ? undefined
        : `must be a number in [${kind.min}, ${kind.max}${kind.maxExclusive ? ")" : "]"}, got ${show(v)}`;
    case "enum":
      return typeof v === "string" && kind.choices.includes(v)
        ? undefined
        : `must be one of ${kind.choices.join(" | ")}, got ${show(v)}`;
    case "bool":
      return typeof v === "boolean" ? undefined : `must be true or false, got ${show(v)}`;
    default:
      return `has an unsupported kind`;
  }
}

/** A parameter named by a layer field: where, and what values the field takes. */
export interface LayerParamRef {
  readonly param: string;
  readonly path: string;
  readonly kind: ParameterKind;
}

/**
 * Checks a raw `model.layers` list (types, known fields, required fields, literal values; a field
 * may be `{ param: name }`; a residual block's `layers` are checked the same way) and returns the
 * layers and the parameter references they make. Issues name the layer's path and field
 * (`model.layers[2].filters`, `model.layers[3].layers[1].units`).
 */
export function checkLayers(raw: unknown, issues: Issue[]): { layers: LayerSpec[]; refs: LayerParamRef[] } {
  const refs: LayerParamRef[] = [];
  return { layers: checkList(raw, ["model", "layers"], 0, issues, refs), refs };
}

function checkList(
  raw: unknown,
  where: readonly (string | number)[],
  depth: number,
  issues: Issue[],
  refs: LayerParamRef[],
): LayerSpec[] {
  const layers: LayerSpec[] = [];
  const listPath = joinPath(where);
  if (!Array.isArray(raw)) {
    issues.push({ path: listPath, message: `must be a list of layers, got ${show(raw)}` });
    return layers;
  }
  if (raw.length === 0 || raw.length > 64)
    issues.push({ path: listPath, message: `must hold 1 to 64 layers, got ${raw.length}` });
  raw.slice(0, 64).forEach((entry, i) => {
    const at = [...where, i];
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      issues.push({
        path: joinPath(at),
        message: `must be a mapping such as { type: dense, units: 64 }, got ${show(entry)}`,
      });
      return;
    }
    const rec = entry as Record<string, unknown>;
    const type = rec.type;
    const before = issues.length;
    let checked: Record<string, unknown>;
    if (isRef(type)) {
      // a swept type: its fields are checked against each type it takes (checkSweptType, at submit)
      if (Object.keys(type).length !== 1)
        issues.push({
          path: joinPath([...at, "type"]),
          message: "a parameter reference is { param: name } and nothing else",
        });
      else refs.push({ param: type.param, path: joinPath([...at, "type"]), kind: SWEPT_TYPE_KIND });
      checked = checkFields(rec, SWEPT_TYPE_FIELDS, "a swept type", { at, depth, refs, issues, required: false });
    } else if (typeof type !== "string" || !(LAYER_TYPES as readonly string[]).includes(type)) {
      issues.push({
        path: joinPath([...at, "type"]),
        message: `must be one of ${LAYER_TYPES.join(" | ")} (or { param: name } to sweep ${INTERCHANGEABLE_TYPES.map((g) => g.join("/")).join(" or ")}), got ${show(type)}`,
      });
      return;
    } else
      checked = checkFields(rec, LAYER_FIELDS[type as LayerType], type, { at, depth, refs, issues, required: true });
    if (issues.length === before) layers.push(checked as LayerSpec);
  });
  return layers;
}

/** What `type: { param: name }` may take: the types of the interchangeable groups. */
const SWEPT_TYPE_KIND: ParameterKind = { type: "enum", choices: [...new Set(INTERCHANGEABLE_TYPES.flat())] };

/** Fields of any interchangeable type (a swept type's fields are checked per type at submit). */
const SWEPT_TYPE_FIELDS: Readonly<Record<string, FieldSpec>> = Object.fromEntries(
  INTERCHANGEABLE_TYPES.flat().flatMap((t) =>
    Object.entries(LAYER_FIELDS[t]).map(([name, spec]) => [name, { kind: spec.kind }] as const),
  ),
);

/** Where `checkFields` checks, and what it adds to. */
interface FieldCheck {
  /** Path of the layer (`["model", "layers", 2]`). */
  readonly at: readonly (string | number)[];
  /** Nesting depth of the layer's list (residual blocks). */
  readonly depth: number;
  readonly refs: LayerParamRef[];
  readonly issues: Issue[];
  /** Report required fields that are missing. */
  readonly required: boolean;
}

/**
 * Checks the fields of one layer (`rec`) against `fields` (of `type`): known names, literal values,
 * `{ param: name }` references (added to `refs`), nested layer lists (`checkList`) and, when
 * `required`, the required fields. Returns the layer with its nested lists checked.
 */
function checkFields(
  rec: Record<string, unknown>,
  fields: Readonly<Record<string, FieldSpec>>,
  type: string,
  { at, depth, refs, issues, required }: FieldCheck,
): Record<string, unknown> {
  const checked: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(rec)) {
    checked[name] = value;
    if (name === "type") continue;
    if (name === "name") {
      if (typeof value !== "string" || !LAYER_NAME.test(value))
        issues.push({
          path: joinPath([...at, name]),
          message: `must be a name of letters, digits, _ and - (at most 64, a letter first), got ${show(value)}`,
        });
      continue;
    }
    const spec = fields[name];
    const path = joinPath([...at, name]);
    if (!spec) {
      const known = Object.keys(fields);
      issues.push({
        path,
        message: `is not a field of ${type}; ${known.length ? `its fields: ${known.join(", ")}` : "it takes none"}`,
      });
      continue;
    }
    if (spec.kind === "layers") {
      if (depth + 1 >= MAX_DEPTH) issues.push({ path, message: `residual blocks nest at most ${MAX_DEPTH - 1} deep` });
      else checked[name] = checkList(value, [...at, name], depth + 1, issues, refs);
      continue;
    }
    if (isRef(value)) {
      if (Object.keys(value).length !== 1)
        issues.push({ path, message: "a parameter reference is { param: name } and nothing else" });
      else refs.push({ param: value.param, path, kind: spec.kind });
      continue;
    }
    const why = checkKind(spec.kind, value);
    if (why) issues.push({ path, message: `${why} (or { param: name } to sweep it)` });
  }
  if (required)
    for (const [name, spec] of Object.entries(fields))
      if (spec.required && rec[name] === undefined)
        issues.push({ path: joinPath([...at, name]), message: `is required for ${type}` });
  return checked;
}

/** What a layer's `name:` may be (no `/`: it joins a block's name and its layers'). */
const LAYER_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/**
 * Checks a layer (at `at`) whose `type` is `{ param: name }` against the parameter's spec: its
 * values are layer types of one interchangeable group, and the layer's fields are fields of each
 * (required ones present). Issues are appended.
 */
export function checkSweptType(
  layer: LayerSpec,
  at: readonly (string | number)[],
  p: ParameterSpec,
  issues: Issue[],
): void {
  const name = (layer.type as { param: string }).param;
  const d = p.distribution;
  const values = d.kind === "categorical" ? d.values : d.kind === "constant" ? [d.value] : undefined;
  const group = INTERCHANGEABLE_TYPES.find((g) => values?.every((v) => (g as readonly unknown[]).includes(v)));
  if (!values || !group) {
    issues.push({
      path: joinPath([...at, "type"]),
      message: `names parameter "${name}", whose values must be layer types that can stand for one another (${INTERCHANGEABLE_TYPES.map((g) => g.join(", ")).join("; or ")}), got ${values ? show(values) : `a ${d.kind} distribution`}`,
    });
    return;
  }
  for (const type of new Set(values as LayerType[])) {
    const mine: Issue[] = [];
    checkFields({ ...layer }, LAYER_FIELDS[type], type, {
      at,
      depth: 0,
      refs: [],
      issues: mine,
      required: true,
    });
    for (const issue of mine) issues.push({ ...issue, message: `${issue.message} (when ${name} is ${type})` });
  }
}

/** Every `{ param: name }` field of a checked layer list, residual blocks' layers included. */
export function layerFieldRefs(layers: readonly LayerSpec[]): { field: string; param: string }[] {
  return layers.flatMap((l) =>
    Object.entries(l).flatMap(([field, v]) => {
      if (isRef(v)) return [{ field, param: v.param }];
      return field === "layers" && Array.isArray(v) ? layerFieldRefs(v as readonly LayerSpec[]) : [];
    }),
  );
}

/** Checks that a value of `param` (from the sweep's `parameters`) fits every field that names it. */
export function checkRefValue(ref: LayerParamRef, v: ParamValue): string | undefined {
  const why = checkKind(ref.kind, v);
  return why && `${why} (it sets ${ref.path})`;
}

/**
 * The layer with params substituted and defaults filled in: dense/conv2d activation = the model's
 * `activation`; conv2d strides 1, padding valid; pooling pool_size 2, strides = pool_size, padding
 * valid; residual activation linear (its inner layers resolved the same way); recurrent layers
 * return_sequences false, simple_rnn activation tanh. A swept `type` takes its parameter's value.
 * @param at the layer's index in `model.layers`, or its path (`model.layers[3].layers[1]`)
 * @throws Error naming the layer when a referenced parameter is missing from `params`.
 */
export function resolveLayer(
  layer: LayerSpec,
  at: number | string,
  params: Params,
  defaultActivation: string,
): ResolvedLayer {
  const resolved = resolveKind(layer, at, params, defaultActivation);
  return typeof layer.name === "string" ? { ...resolved, name: layer.name } : resolved;
}

function resolveKind(layer: LayerSpec, at: number | string, params: Params, defaultActivation: string): ResolvedKind {
  const where = typeof at === "number" ? `model.layers[${at}]` : at;
  const get = (field: string): ParamValue | undefined => {
    const v = layer[field];
    if (v === undefined) return undefined;
    if (!isRef(v)) return v as ParamValue;
    const p = params[v.param];
    if (p === undefined) throw new Error(`${where}.${field}: parameter "${v.param}" has no value in this trial`);
    return p;
  };
  const num = (field: string, fallback: number) => {
    const v = get(field);
    const n = typeof v === "string" ? Number(v) : v;
    return typeof n === "number" ? n : fallback;
  };
  const str = (field: string, fallback: string) => {
    const v = get(field);
    return typeof v === "string" ? v : fallback;
  };
  const pad = () => (str("padding", "valid") === "same" ? "same" : "valid");
  const type = str("type", "") as LayerType;
  switch (type) {
    case "dense":
      return { type: "dense", units: num("units", 1), activation: str("activation", defaultActivation) };
    case "conv2d":
      return {
        type: "conv2d",
        filters: num("filters", 1),
        kernelSize: num("kernel_size", 1),
        strides: num("strides", 1),
        padding: pad(),
        activation: str("activation", defaultActivation),
      };
    case "max_pool2d":
    case "avg_pool2d": {
      const poolSize = num("pool_size", 2);
      return { type, poolSize, strides: num("strides", poolSize), padding: pad() };
    }
    case "dropout":
      return { type: "dropout", rate: num("rate", 0) };
    case "residual": {
      const inner = (layer.layers ?? []) as readonly LayerSpec[];
      return {
        type: "residual",
        layers: inner.map((l, i) => resolveLayer(l, `${where}.layers[${i}]`, params, defaultActivation)),
        activation: str("activation", "linear"),
      };
    }
    case "simple_rnn":
    case "lstm":
    case "gru": {
      const seq = get("return_sequences");
      return {
        type,
        units: num("units", 1),
        returnSequences: seq === true || seq === "true",
        activation: type === "simple_rnn" ? str("activation", "tanh") : "tanh",
      };
    }
    case "embedding":
      return { type: "embedding", inputDim: num("input_dim", 1), outputDim: num("output_dim", 1) };
    case "global_avg_pool2d":
    case "flatten":
    case "batch_norm":
      return { type };
    default:
      throw new Error(`${where}.type: ${show(type)} is not a layer type`);
  }
}

/**
 * Shape of one example between layers: [features] (rows), [timesteps, features] (sequences) or
 * [height, width, channels] (images).
 */
export type ExampleShape = readonly number[];

/** Output size of a convolution or pooling window along one axis (TensorFlow's arithmetic). */
export function windowOut(inSize: number, window: number, stride: number, padding: "same" | "valid"): number {
  return padding === "same" ? Math.ceil(inSize / stride) : Math.floor((inSize - window) / stride) + 1;
}

export const describeShape = (s: ExampleShape) =>
  s.length === 3
    ? `images of ${s[0]}×${s[1]}×${s[2]}`
    : s.length === 2
      ? `sequences of ${s[0]} timesteps × ${s[1]} features`
      : `rows of ${s[0] ?? "?"} features`;

const notImage = (type: string, input: ExampleShape) =>
  `${type} needs images [height, width, channels], got ${describeShape(input)}${input.length === 1 ? " (a tabular dataset)" : ""}`;

/** What a layer list must end with (before the output layer) when its last layer gives `shape`. */
export const endWithRows = (shape: ExampleShape) =>
  shape.length === 3 ? "flatten or global_avg_pool2d" : "flatten or a recurrent layer without return_sequences";

/** Trainable parameters of a recurrent layer of `units` on `features` inputs (kernel, recurrent kernel, bias). */
export function recurrentParams(type: RecurrentType, features: number, units: number): number {
  const gates = type === "lstm" ? 4 : type === "gru" ? 3 : 1;
  return gates * units * (features + units + 1);
}

/**
 * One layer's output shape and trainable parameter count, or why the input does not fit it
 * (residual blocks: `layerPlan`).
 */
export function layerOutput(
  layer: PlainLayer,
  input: ExampleShape,
): { shape: ExampleShape; params: number } | { error: string } {
  const image = input.length === 3;
  const [h = 0, w = 0, c = 0] = input;
  switch (layer.type) {
    case "dense":
      if (input.length > 1)
        return { error: `dense needs rows, got ${describeShape(input)}: put ${endWithRows(input)} before it` };
      return { shape: [layer.units], params: ((input[0] ?? 0) + 1) * layer.units };
    case "global_avg_pool2d":
      if (!image) return { error: notImage(layer.type, input) };
      return { shape: [c], params: 0 };
    case "conv2d":
    case "max_pool2d":
    case "avg_pool2d": {
      if (!image) return { error: notImage(layer.type, input) };
      const k = layer.type === "conv2d" ? layer.kernelSize : layer.poolSize;
      const oh = windowOut(h, k, layer.strides, layer.padding);
      const ow = windowOut(w, k, layer.strides, layer.padding);
      if (oh < 1 || ow < 1)
        return {
          error: `${layer.type} with a ${k}×${k} window and padding valid does not fit ${describeShape(input)}`,
        };
      if (layer.type === "conv2d") return { shape: [oh, ow, layer.filters], params: (k * k * c + 1) * layer.filters };
      return { shape: [oh, ow, c], params: 0 };
    }
    case "flatten":
      return { shape: [input.reduce((a, b) => a * b, 1)], params: 0 };
    case "batch_norm":
      return { shape: input, params: 2 * (input[input.length - 1] ?? 0) };
    case "dropout":
      return { shape: input, params: 0 };
    case "simple_rnn":
    case "lstm":
    case "gru": {
      if (input.length !== 2)
        return {
          error: `${layer.type} needs sequences [timesteps, features], got ${describeShape(input)}: use a sequence dataset (adding), an embedding or a recurrent layer with return_sequences: true before it`,
        };
      const [timesteps = 0, features = 0] = input;
      return {
        shape: layer.returnSequences ? [timesteps, layer.units] : [layer.units],
        params: recurrentParams(layer.type, features, layer.units),
      };
    }
    case "embedding":
      if (input.length !== 1)
        return {
          error: `embedding needs rows of token ids [timesteps], got ${describeShape(input)}: it must be the first layer, on a dataset of integer ids`,
        };
      return { shape: [h, layer.outputDim], params: layer.inputDim * layer.outputDim };
  }
}
