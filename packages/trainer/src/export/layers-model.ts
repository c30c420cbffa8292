import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import type { LayerNet } from "../layer-net.ts";
import type { Mlp } from "../model.ts";
import { BN_EPSILON } from "../packed-model.ts";
import { activationLayers, exportJoin, exportLayer, initializerArgs, type WeightValues } from "./layer-exports.ts";

/** Sets each named layer's weights on `model` (the tensors made for it are freed). */
function setWeights(model: tfl.LayersModel, named: ReadonlyMap<string, readonly WeightValues[]>): void {
  for (const [name, weights] of named) {
    const tensors = weights.map((w) => tf.tensor(w.values, [...w.shape]));
    try {
      model.getLayer(name).setWeights(tensors);
    } finally {
      for (const t of tensors) t.dispose();
    }
  }
}

/**
 * The TensorFlow.js layers model of model `k` of a trained pack: the same layers as `Mlp.forward`
 * in evaluation mode (dense → [batch norm with the moving statistics] → activation → [+ skip];
 * no dropout; a linear output: class logits or a standardized target), holding a copy of its
 * weights. Layer names are fixed (`dense_0`, `batch_norm_0`, …) so two exports of the same
 * weights give the same `model.json`. The caller disposes the model.
 */
export function toLayersModel(mlp: Mlp, k: number): tfl.LayersModel {
  const input = tfl.input({ shape: [mlp.nInputs], name: "inputs" });
  let h: tfl.SymbolicTensor = input;
  const last = mlp.layout.length - 1;
  const named = new Map<string, readonly WeightValues[]>();
  const theta = mlp.theta.dataSync() as Float32Array;
  const row = k * mlp.size;
  const moving = mlp.moving.map((m) => ({ mean: m.mean.dataSync(), variance: m.variance.dataSync() }));
  let bn = 0;
  mlp.layout.forEach((l, i) => {
    const at = row + l.offset;
    const kernel = theta.slice(at, at + l.fanIn * l.fanOut);
    const bias = theta.slice(at + l.fanIn * l.fanOut, at + l.fanIn * l.fanOut + l.fanOut);
    const z = tfl.layers
      .dense({ units: l.fanOut, name: `dense_${i}`, ...initializerArgs(mlp.config.initializer, l.fanIn) })
      .apply(h) as tfl.SymbolicTensor;
    named.set(`dense_${i}`, [
      { values: kernel, shape: [l.fanIn, l.fanOut] },
      { values: bias, shape: [l.fanOut] },
    ]);
    if (i === last) {
      h = z;
      return;
    }
    let a = z;
    if (l.batchNorm) {
      const g = at + l.fanIn * l.fanOut + l.fanOut;
      const stats = moving[bn++] as { mean: Float32Array; variance: Float32Array };
      const slice = (v: Float32Array) => v.slice(k * l.fanOut, (k + 1) * l.fanOut);
      a = tfl.layers
        .batchNormalization({ epsilon: BN_EPSILON, name: `batch_norm_${i}` })
        .apply(a) as tfl.SymbolicTensor;
      named.set(
        `batch_norm_${i}`,
        [
          theta.slice(g, g + l.fanOut),
          theta.slice(g + l.fanOut, g + 2 * l.fanOut),
          slice(stats.mean as Float32Array),
          slice(stats.variance as Float32Array),
        ].map((values) => ({ values, shape: [l.fanOut] })),
      );
    }
    a = activationLayers(a, mlp.config.activation, mlp.config.leakyAlpha, `activation_${i}`);
    if (l.residual) a = tfl.layers.add({ name: `residual_${i}` }).apply([a, h]) as tfl.SymbolicTensor;
    h = a;
  });
  const model = tfl.model({ inputs: input, outputs: h, name: "hpo_mlp" });
  setWeights(model, named);
  return model;
}

/**
 * The TensorFlow.js layers model of model `k` of a trained layer list (`LayerNet`): input the
 * flat encoded row (`nInputs` values; reshaped to [height, width, channels] for image rows), then
 * LayerNet's steps (`layerPlan`): each layer as the table in layer-exports.ts makes it, each
 * residual block's join as `exportJoin` makes it, then the linear output layer, in evaluation mode
 * (moving statistics, no dropout), holding a copy of model k's weights. tf.layers names are the
 * steps' names with `/` as `_` (`conv2d_0`, `residual_1_conv2d_0`, `residual_1_shortcut`). The
 * caller disposes the model.
 */
export function layerNetToLayersModel(net: LayerNet, k: number): tfl.LayersModel {
  const theta = net.theta.dataSync() as Float32Array;
  const moving = net.moving.map((m) => ({
    mean: m.mean.dataSync() as Float32Array,
    variance: m.variance.dataSync() as Float32Array,
  }));
  const input = tfl.input({ shape: [net.nInputs], name: "inputs" });
  let h: tfl.SymbolicTensor = input;
  if (net.inputShape.length > 1)
    h = tfl.layers.reshape({ targetShape: [...net.inputShape], name: "image" }).apply(h) as tfl.SymbolicTensor;
  const named = new Map<string, readonly WeightValues[]>();
  const forks: tfl.SymbolicTensor[] = [];
  let at = k * net.size;
  let block = 0;
  let bn = 0;
  /** The next θ block's tensors when `name` is its layer (blocks follow the steps in order). */
  const paramsOf = (name: string): WeightValues[] => {
    const b = net.blocks[block];
    if (b?.name !== name) return [];
    block++;
    return b.tensors.map((shape) => {
      const n = shape.reduce((a, v) => a * v, 1);
      at += n;
      return { values: theta.slice(at - n, at), shape };
    });
  };
  for (const step of net.steps) {
    const name = step.name.replaceAll("/", "_");
    if (step.kind === "fork") {
      forks.push(h);
      continue;
    }
    const out =
      step.kind === "join"
        ? exportJoin(h, forks.pop() as tfl.SymbolicTensor, {
            step,
            name,
            params: paramsOf(`${step.name}/shortcut`),
            leakyAlpha: net.config.leakyAlpha,
            initializer: net.config.initializer,
          })
        : exportLayer(h, {
            layer: step.layer,
            name,
            input: step.input,
            params: paramsOf(step.name),
            ...(step.layer.type === "batch_norm" && { moving: movingOf(moving[bn++], net.k, k) }),
            leakyAlpha: net.config.leakyAlpha,
            initializer: net.config.initializer,
          });
    h = out.output;
    for (const [n, w] of out.weights) named.set(n, w);
  }
  const model = tfl.model({ inputs: input, outputs: h, name: "hpo_layers" });
  setWeights(model, named);
  return model;
}

/** Model k's slice of a batch norm's moving statistics (K models side by side). */
function movingOf(stats: { mean: Float32Array; variance: Float32Array } | undefined, K: number, k: number) {
  if (!stats) throw new Error("export: a batch norm has no moving statistics");
  const c = stats.mean.length / K;
  return { mean: stats.mean.slice(k * c, (k + 1) * c), variance: stats.variance.slice(k * c, (k + 1) * c) };
}

/** The artifacts of `model` as `model.save` gives them (topology, weight specs, one weight buffer). */
export async function modelArtifacts(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: "JSON" } };
    }),
  );
  if (!saved) throw new Error("export: the model was not saved");
  return saved;
}
