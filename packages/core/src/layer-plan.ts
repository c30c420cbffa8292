import {
  describeShape,
  type ExampleShape,
  endWithRows,
  layerOutput,
  type PlainLayer,
  type ResolvedLayer,
} from "./model-layers.ts";

/**
 * A resolved layer list as the forward pass runs it: residual blocks opened (`fork`: keep the
 * block's input), their layers in order, and closed (`join`: add the kept input, projected when
 * needed, then the block's activation); the output layer last. Every step has a stable name that
 * per-layer gradient norms are reported under: the layer's `name:`, else `<type>_<index>`, after
 * its block's name (`conv2d_0`, `residual_3/dense_1`, `stem`, `block1/conv`), `<block>/shortcut`
 * for a projection, `output` for the output layer; names are unique within their list.
 */

/** How a residual block's input reaches the sum. */
export type Shortcut =
  | { readonly kind: "identity" }
  | {
      /**
       * A learned linear map of the last axis (channels or features: a 1×1 convolution on images,
       * a dense layer on rows) with a bias, after keeping every `strides`-th row and column of an
       * image (1 on rows): TensorFlow's 1×1 conv with that stride.
       */
      readonly kind: "projection";
      readonly strides: number;
      readonly inChannels: number;
      readonly outChannels: number;
    };

export type LayerStep =
  | {
      readonly kind: "layer";
      readonly layer: PlainLayer;
      /** `conv2d_0`, `residual_3/dense_1`, `output`. */
      readonly name: string;
      /** `model.layers[0]`, `model.layers[3].layers[1]`; the output layer: `model.layers`. */
      readonly path: string;
      readonly input: ExampleShape;
      readonly output: ExampleShape;
      readonly params: number;
    }
  | { readonly kind: "fork"; readonly name: string; readonly path: string; readonly input: ExampleShape }
  | {
      readonly kind: "join";
      /** The block's name, `residual_3`; a projection's gradient norm is `<name>/shortcut`. */
      readonly name: string;
      readonly path: string;
      /** The block's input (what the shortcut carries). */
      readonly input: ExampleShape;
      /** The inner layers' output, which is the block's output too. */
      readonly output: ExampleShape;
      readonly shortcut: Shortcut;
      readonly activation: string;
      /** The projection's parameters (0 for identity). */
      readonly params: number;
    };

/** A layer list's steps, or the first misfit with its path. */
export type LayerPlan = { readonly steps: readonly LayerStep[] } | { readonly error: string; readonly path: string };

/**
 * The shortcut from a block's `input` to its inner layers' `output`: identity when the shapes
 * agree; a projection when only the channels (features) differ, or when an image's height and
 * width shrink as a stride s does (ceil(h / s), ceil(w / s)); else why not.
 */
export function shortcutOf(input: ExampleShape, output: ExampleShape): Shortcut | { error: string } {
  if (input.length === output.length && input.every((v, i) => v === output[i])) return { kind: "identity" };
  const from = describeShape(input);
  const to = describeShape(output);
  if (input.length !== output.length)
    return {
      error: `its layers turn ${from} into ${to}; a residual block must give the kind of examples it gets (move flatten or global_avg_pool2d out of the block)`,
    };
  const inChannels = input[input.length - 1] as number;
  const outChannels = output[output.length - 1] as number;
  if (input.length !== 3) return { kind: "projection", strides: 1, inChannels, outChannels };
  const [h = 0, w = 0] = input;
  const [oh = 0, ow = 0] = output;
  for (let s = 1; s <= Math.max(h, w); s++)
    if (Math.ceil(h / s) === oh && Math.ceil(w / s) === ow)
      return { kind: "projection", strides: s, inChannels, outChannels };
  return {
    error: `its layers turn ${from} into ${to}; the shortcut can change the channels and shrink height and width by a stride (ceil(size / stride)), not this: use padding same`,
  };
}

const projectionParams = (s: Shortcut) => (s.kind === "identity" ? 0 : (s.inChannels + 1) * s.outChannels);

/**
 * Walks a resolved layer list from `input` and then the output layer (a dense layer of `outputs`
 * units on rows), returning its steps or the first misfit (`path`: the layer's, e.g.
 * `model.layers[3].layers[1]`).
 */
export function layerPlan(layers: readonly ResolvedLayer[], input: ExampleShape, outputs: number): LayerPlan {
  const steps: LayerStep[] = [];
  const walked = walk(layers, input, "model.layers", "", steps);
  if ("error" in walked) return walked;
  const shape = walked.shape;
  if (shape.length > 1)
    return {
      path: "model.layers",
      error: `the output layer needs rows, but the last layer gives ${describeShape(shape)}: end the list with ${endWithRows(shape)}`,
    };
  steps.push({
    kind: "layer",
    layer: { type: "dense", units: outputs, activation: "linear" },
    name: "output",
    path: "model.layers",
    input: shape,
    output: [outputs],
    params: ((shape[0] ?? 0) + 1) * outputs,
  });
  return { steps };
}

function walk(
  layers: readonly ResolvedLayer[],
  input: ExampleShape,
  at: string,
  prefix: string,
  steps: LayerStep[],
): { shape: ExampleShape } | { error: string; path: string } {
  let shape = input;
  // names taken in this list: the output layer's at the top, a projection's in a block
  const taken = new Set([prefix === "" ? "output" : "shortcut"]);
  for (const [i, layer] of layers.entries()) {
    const path = `${at}[${i}]`;
    const own = layer.name ?? `${layer.type}_${i}`;
    if (taken.has(own))
      return {
        error: `the name "${own}" is taken by another layer of this list${own === "output" || own === "shortcut" ? " (hpo's own)" : ""}`,
        path: `${path}.name`,
      };
    taken.add(own);
    const name = `${prefix}${own}`;
    if (layer.type === "residual") {
      steps.push({ kind: "fork", name, path, input: shape });
      const inner = walk(layer.layers, shape, `${path}.layers`, `${name}/`, steps);
      if ("error" in inner) return inner;
      const shortcut = shortcutOf(shape, inner.shape);
      if ("error" in shortcut) return { error: `residual: ${shortcut.error}`, path };
      const params = projectionParams(shortcut);
      steps.push({
        kind: "join",
        name,
        path,
        input: shape,
        output: inner.shape,
        shortcut,
        activation: layer.activation,
        params,
      });
      shape = inner.shape;
      continue;
    }
    if (layer.type === "embedding" && steps.length > 0)
      return { error: "embedding reads token ids: it must be the first layer", path };
    const out = layerOutput(layer, shape);
    if ("error" in out) return { error: out.error, path };
    steps.push({ kind: "layer", layer, name, path, input: shape, output: out.shape, params: out.params });
    shape = out.shape;
  }
  return { shape };
}

/**
 * `layerPlan` per entry of the top-level list and then the output layer: each one's output shape
 * and parameter count (a residual block's: its layers' and its projection's), or the first misfit.
 */
export function layerShapes(
  layers: readonly ResolvedLayer[],
  input: ExampleShape,
  outputs: number,
): { shapes: ExampleShape[]; params: number[] } | { error: string; path: string } {
  const plan = layerPlan(layers, input, outputs);
  if ("error" in plan) return plan;
  const shapes: ExampleShape[] = [];
  const params: number[] = [];
  let depth = 0;
  let sum = 0;
  for (const s of plan.steps) {
    if (s.kind === "fork") depth++;
    else sum += s.params;
    if (s.kind === "join") depth--;
    if (s.kind !== "fork" && depth === 0) {
      shapes.push(s.output);
      params.push(sum);
      sum = 0;
    }
  }
  return { shapes, params };
}
