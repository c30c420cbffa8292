import type { ExampleShape, ResolvedLayer } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import type { LayerNet } from "../layer-net.ts";
import type { Mlp } from "../model.ts";
import { BN_EPSILON } from "../packed-model.ts";
import { activationLayers, exportLayer, type WeightValues } from "./layer-exports.ts";

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
    const z = tfl.layers.dense({ units: l.fanOut, name: `dense_${i}` }).apply(h) as tfl.SymbolicTensor;
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
 * each layer as the table in layer-exports.ts makes it, then the linear output layer, in
 * evaluation mode (moving statistics, no dropout), holding a copy of model k's weights. The caller
 * disposes the model.
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
  const all: ResolvedLayer[] = [...net.layers, { type: "dense", units: net.nOutputs, activation: "linear" }];
  const blocks = new Map(net.blocks.map((b) => [b.layer, b]));
  const named = new Map<string, readonly WeightValues[]>();
  let at = k * net.size;
  let bn = 0;
  all.forEach((layer, i) => {
    const params: WeightValues[] = [];
    for (const shape of blocks.get(i)?.tensors ?? []) {
      const n = shape.reduce((a, b) => a * b, 1);
      params.push({ values: theta.slice(at, at + n), shape });
      at += n;
    }
    const stats = layer.type === "batch_norm" ? moving[bn++] : undefined;
    const c = stats ? stats.mean.length / net.k : 0;
    const out = exportLayer(h, {
      layer,
      name: `${layer.type}_${i}`,
      input: (i === 0 ? net.inputShape : net.shapes[i - 1]) as ExampleShape,
      params,
      ...(stats && {
        moving: { mean: stats.mean.slice(k * c, (k + 1) * c), variance: stats.variance.slice(k * c, (k + 1) * c) },
      }),
      leakyAlpha: net.config.leakyAlpha,
    });
    h = out.output;
    for (const [name, w] of out.weights) named.set(name, w);
  });
  const model = tfl.model({ inputs: input, outputs: h, name: "hpo_layers" });
  setWeights(model, named);
  return model;
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
