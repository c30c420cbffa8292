/**
 * How each `model.layers` type becomes TensorFlow.js layers in an export: the one table to extend
 * when the trainer learns a new layer type (LayerNet's forward pass, layer-net.ts). An export must
 * compute what LayerNet computes in evaluation mode, from LayerNet's weights, so that a model
 * loaded with `tf.loadLayersModel` scores as the refit did.
 *
 * | type                | tf.layers (channels last)                         | weights: LayerNet θ block → tf.layers weights            |
 * | ------------------- | ------------------------------------------------- | -------------------------------------------------------- |
 * | `dense`             | `dense({ units })` + activation                   | kernel [in, units], bias [units] (same layout)           |
 * | `conv2d`            | `conv2d({ filters, kernelSize, strides, padding })` + activation | kernel [k, k, in channels, filters], bias [filters] (same) |
 * | `max_pool2d`        | `maxPooling2d({ poolSize, strides, padding })`    | —                                                        |
 * | `avg_pool2d`        | `averagePooling2d({ poolSize, strides, padding })`| —                                                        |
 * | `global_avg_pool2d` | `globalAveragePooling2d()`                        | —                                                        |
 * | `flatten`           | `flatten()` (row-major h, w, c as LayerNet's reshape) | —                                                    |
 * | `dropout`           | `dropout({ rate })` (identity when predicting)    | —                                                        |
 * | `batch_norm`        | `batchNormalization({ axis: -1, epsilon: BN_EPSILON })` | gamma [c], beta [c]; moving mean and variance [c] of model k |
 * | `simple_rnn`        | `simpleRNN({ units, activation, returnSequences })` | kernel [in, units], recurrent kernel [units, units], bias [units] (same) |
 * | `lstm`              | `lstm({ units, recurrentActivation: sigmoid, returnSequences })` | kernel [in, 4u], recurrent [u, 4u], bias [4u]; gates i, f, c, o (same) |
 * | `gru`               | `gru({ units, recurrentActivation: sigmoid, returnSequences })` (reset before the product) | kernel [in, 3u], recurrent [u, 3u], bias [3u]; gates z, r, h (same) |
 * | `embedding`         | `embedding({ inputDim, outputDim })`              | embeddings [input_dim, output_dim] (same)                |
 *
 * A residual block's layers are entries of the table like any; its join (`exportJoin`) adds the
 * block's input — through `conv2d({ kernelSize: 1, strides })` on images or `dense` on rows when
 * LayerNet projects it (kernel [c, c'] → [1, 1, c, c'] on images, bias [c']) — to their output with
 * `add`, then the block's activation.
 *
 * Activations (`activationLayers`): `leaky_relu` → `leakyReLU({ alpha: leaky_alpha })`, the others
 * → `activation({ activation })`, `linear` → nothing. The output layer is a linear `dense`.
 *
 * Dense and conv2d layers (the output layer and projections included) carry the initializers that
 * drew their kernel and bias in hpo (`initializerArgs`: the trial's `initializer`), so a model
 * re-initialized from `model.json` starts as the trial did; the weights set are the trained ones.
 *
 * An entry gets the symbolic tensor the layer receives and returns its output (so an entry may
 * branch and merge, e.g. a residual block), and the weights to set on the tf.layers it made, by
 * layer name. Names are fixed by position (`conv2d_0`, `batch_norm_3`, …) so two exports of the
 * same weights give the same `model.json`. A type missing from the table does not compile.
 */
import type { ExampleShape, LayerStep, LayerType, PlainLayer } from "@hpo/core";
import * as tfl from "@tensorflow/tfjs-layers";
import { BN_EPSILON } from "../packed-model.ts";
import type { ActivationName, InitializerName } from "../params.ts";

/** A tf.layers initializer (what `tfl.initializers.*` make). */
type Initializer = ReturnType<typeof tfl.initializers.glorotUniform>;

/** Values and shape of one weight, in the order tf.layers lists a layer's weights. */
export interface WeightValues {
  readonly values: Float32Array;
  readonly shape: readonly number[];
}

/** Layer types with an entry in the table (a residual block is its layers and `exportJoin`). */
export type ExportedType = Exclude<LayerType, "residual">;

/** What the entry of one layer gets. */
export interface LayerExportInput<T extends ExportedType = ExportedType> {
  readonly layer: PlainLayer & { readonly type: T };
  /** Base name of its tf.layers (`${type}_${index}`); add suffixes for more than one. */
  readonly name: string;
  /** Example shape the layer receives (no batch dimension). */
  readonly input: ExampleShape;
  /** Its trainable tensors from model k's row of θ, in LayerNet's order and shapes. */
  readonly params: readonly WeightValues[];
  /** Batch norm: model k's moving mean and variance, one per channel. */
  readonly moving?: { readonly mean: Float32Array; readonly variance: Float32Array };
  /** α of `leaky_relu` (the `leaky_alpha` parameter). */
  readonly leakyAlpha: number;
  /** The trial's `initializer` (what drew dense and conv kernels and biases). */
  readonly initializer: InitializerName;
}

/** What an entry made: the output tensor, and the weights of each tf.layers layer by name. */
export interface LayerExportOutput {
  readonly output: tfl.SymbolicTensor;
  readonly weights: ReadonlyMap<string, readonly WeightValues[]>;
}

/** The entry of one layer type: applies its tf.layers to `h`. */
export type LayerExport<T extends ExportedType> = (h: tfl.SymbolicTensor, x: LayerExportInput<T>) => LayerExportOutput;

const apply = (layer: tfl.layers.Layer, h: tfl.SymbolicTensor) => layer.apply(h) as tfl.SymbolicTensor;

/** The activation of a dense or conv2d layer as tf.layers, applied to `h` (linear: `h` itself). */
export function activationLayers(
  h: tfl.SymbolicTensor,
  activation: ActivationName,
  leakyAlpha: number,
  name: string,
): tfl.SymbolicTensor {
  if (activation === "linear") return h;
  if (activation === "leaky_relu") return apply(tfl.layers.leakyReLU({ alpha: leakyAlpha, name }), h);
  return apply(tfl.layers.activation({ activation, name }), h);
}

/**
 * tf.layers' kernel and bias initializers drawing as hpo's `initializer` does (initializers.ts)
 * for a layer of `fanIn` inputs per unit: glorot → glorotUniform and zero biases; he → N(0, 2 /
 * fanIn) (randomNormal: tf.layers' heNormal truncates) and zero biases; pytorch → U(±1/√fanIn)
 * kernels (varianceScaling, scale 1/3, fan in, uniform) and biases (randomUniform).
 */
export function initializerArgs(
  initializer: InitializerName,
  fanIn: number,
): { kernelInitializer: Initializer; biasInitializer: Initializer } {
  const limit = 1 / Math.sqrt(fanIn);
  switch (initializer) {
    case "glorot":
      return { kernelInitializer: tfl.initializers.glorotUniform({}), biasInitializer: tfl.initializers.zeros() };
    case "he":
      return {
        kernelInitializer: tfl.initializers.randomNormal({ mean: 0, stddev: Math.sqrt(2 / fanIn) }),
        biasInitializer: tfl.initializers.zeros(),
      };
    case "pytorch":
      return {
        kernelInitializer: tfl.initializers.varianceScaling({ scale: 1 / 3, mode: "fanIn", distribution: "uniform" }),
        biasInitializer: tfl.initializers.randomUniform({ minval: -limit, maxval: limit }),
      };
  }
}

/** Inputs per unit of a dense layer or a conv on `input` (kernel_size² · channels). */
const fanInOf = (input: ExampleShape, kernelSize = 1) => kernelSize * kernelSize * (input[input.length - 1] as number);

const noWeights = new Map<string, readonly WeightValues[]>();

/** A recurrent layer's tf.layers options: tf.layers' gates default to hardSigmoid, LayerNet's are sigmoid. */
const recurrentArgs = (layer: { units: number; returnSequences: boolean }, name: string) => ({
  units: layer.units,
  returnSequences: layer.returnSequences,
  recurrentActivation: "sigmoid" as const,
  // the weights are set afterwards; tf.layers' default orthogonal initializer needs tfjs-core's
  // chained ops (Tensor.flatten), which hpo does not load
  recurrentInitializer: "zeros" as const,
  name,
});
const only = (output: tfl.SymbolicTensor): LayerExportOutput => ({ output, weights: noWeights });

/** The table: layer type → its tf.layers (see the module comment for the layouts). */
export const LAYER_EXPORTS: { readonly [T in ExportedType]: LayerExport<T> } = {
  dense: (h, { layer, name, input, params, leakyAlpha, initializer }) => {
    const z = apply(tfl.layers.dense({ units: layer.units, name, ...initializerArgs(initializer, fanInOf(input)) }), h);
    return {
      output: activationLayers(z, layer.activation as ActivationName, leakyAlpha, `${name}_act`),
      weights: new Map([[name, params]]),
    };
  },
  conv2d: (h, { layer, name, input, params, leakyAlpha, initializer }) => {
    const conv = tfl.layers.conv2d({
      filters: layer.filters,
      kernelSize: layer.kernelSize,
      strides: layer.strides,
      padding: layer.padding,
      dataFormat: "channelsLast",
      name,
      ...initializerArgs(initializer, fanInOf(input, layer.kernelSize)),
    });
    return {
      output: activationLayers(apply(conv, h), layer.activation as ActivationName, leakyAlpha, `${name}_act`),
      weights: new Map([[name, params]]),
    };
  },
  max_pool2d: (h, { layer, name }) =>
    only(
      apply(
        tfl.layers.maxPooling2d({ poolSize: layer.poolSize, strides: layer.strides, padding: layer.padding, name }),
        h,
      ),
    ),
  avg_pool2d: (h, { layer, name }) =>
    only(
      apply(
        tfl.layers.averagePooling2d({
          poolSize: layer.poolSize,
          strides: layer.strides,
          padding: layer.padding,
          name,
        }),
        h,
      ),
    ),
  global_avg_pool2d: (h, { name }) => only(apply(tfl.layers.globalAveragePooling2d({ name }), h)),
  flatten: (h, { name }) => only(apply(tfl.layers.flatten({ name }), h)),
  dropout: (h, { layer, name }) => only(apply(tfl.layers.dropout({ rate: layer.rate, name }), h)),
  batch_norm: (h, { name, params, moving }) => {
    if (!moving) throw new Error(`export: ${name} has no moving statistics`);
    const channels = [moving.mean.length];
    return {
      output: apply(tfl.layers.batchNormalization({ axis: -1, epsilon: BN_EPSILON, name }), h),
      weights: new Map([
        [name, [...params, { values: moving.mean, shape: channels }, { values: moving.variance, shape: channels }]],
      ]),
    };
  },
  simple_rnn: (h, { layer, name, params }) => ({
    output: apply(
      tfl.layers.simpleRNN({
        ...recurrentArgs(layer, name),
        activation: layer.activation as Exclude<ActivationName, "leaky_relu">,
      }),
      h,
    ),
    weights: new Map([[name, params]]),
  }),
  lstm: (h, { layer, name, params }) => ({
    output: apply(tfl.layers.lstm(recurrentArgs(layer, name)), h),
    weights: new Map([[name, params]]),
  }),
  gru: (h, { layer, name, params }) => ({
    output: apply(tfl.layers.gru(recurrentArgs(layer, name)), h),
    weights: new Map([[name, params]]),
  }),
  embedding: (h, { layer, name, params }) => ({
    output: apply(tfl.layers.embedding({ inputDim: layer.inputDim, outputDim: layer.outputDim, name }), h),
    weights: new Map([[name, params]]),
  }),
};

/** Applies the table's entry for `x.layer` (one dispatch point keeps the entries' types precise). */
export function exportLayer(h: tfl.SymbolicTensor, x: LayerExportInput): LayerExportOutput {
  return (LAYER_EXPORTS[x.layer.type] as LayerExport<ExportedType>)(h, x);
}

/**
 * A residual block's join: `shortcut` (the block's input; projected when LayerNet projects it,
 * with `params` = its kernel [c, c'] and bias) added to `h` (the block's layers' output), then the
 * block's activation. tf.layers names: `<name>_shortcut`, `<name>_add`, `<name>_act`.
 */
export function exportJoin(
  h: tfl.SymbolicTensor,
  shortcut: tfl.SymbolicTensor,
  x: {
    readonly step: LayerStep & { readonly kind: "join" };
    readonly name: string;
    readonly params: readonly WeightValues[];
    readonly leakyAlpha: number;
    readonly initializer: InitializerName;
  },
): LayerExportOutput {
  const { step, name, params } = x;
  let carried = shortcut;
  const weights = new Map<string, readonly WeightValues[]>();
  if (step.shortcut.kind === "projection") {
    const { strides, inChannels, outChannels } = step.shortcut;
    const [kernel, bias] = params as [WeightValues, WeightValues];
    const image = step.input.length === 3;
    const init = initializerArgs(x.initializer, inChannels);
    const layer = image
      ? tfl.layers.conv2d({
          filters: outChannels,
          kernelSize: 1,
          strides,
          padding: "valid",
          name: `${name}_shortcut`,
          ...init,
        })
      : tfl.layers.dense({ units: outChannels, name: `${name}_shortcut`, ...init });
    carried = apply(layer, shortcut);
    weights.set(`${name}_shortcut`, [
      { values: kernel.values, shape: image ? [1, 1, inChannels, outChannels] : [inChannels, outChannels] },
      bias,
    ]);
  }
  const sum = tfl.layers.add({ name: `${name}_add` }).apply([h, carried]) as tfl.SymbolicTensor;
  return {
    output: activationLayers(sum, step.activation as ActivationName, x.leakyAlpha, `${name}_act`),
    weights,
  };
}
