import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import type { Mlp } from "../model.ts";

/** Batch-norm epsilon of the trainer's Mlp (model.ts). */
const BN_EPSILON = 1e-5;

function activationLayer(mlp: Mlp, i: number): tfl.layers.Layer {
  const { activation, leakyAlpha } = mlp.config;
  if (activation === "leaky_relu") return tfl.layers.leakyReLU({ alpha: leakyAlpha, name: `activation_${i}` });
  return tfl.layers.activation({ activation, name: `activation_${i}` });
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
  const named: { name: string; weights: tf.Tensor[] }[] = [];
  const theta = mlp.theta.dataSync();
  const row = k * mlp.size;
  const moving = mlp.moving.map((m) => ({ mean: m.mean.dataSync(), variance: m.variance.dataSync() }));
  let bn = 0;
  mlp.layout.forEach((l, i) => {
    const at = row + l.offset;
    const kernel = theta.slice(at, at + l.fanIn * l.fanOut);
    const bias = theta.slice(at + l.fanIn * l.fanOut, at + l.fanIn * l.fanOut + l.fanOut);
    const z = tfl.layers.dense({ units: l.fanOut, name: `dense_${i}` }).apply(h) as tfl.SymbolicTensor;
    named.push({ name: `dense_${i}`, weights: [tf.tensor2d(kernel, [l.fanIn, l.fanOut]), tf.tensor1d(bias)] });
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
      named.push({
        name: `batch_norm_${i}`,
        weights: [
          tf.tensor1d(theta.slice(g, g + l.fanOut)),
          tf.tensor1d(theta.slice(g + l.fanOut, g + 2 * l.fanOut)),
          tf.tensor1d(slice(stats.mean as Float32Array)),
          tf.tensor1d(slice(stats.variance as Float32Array)),
        ],
      });
    }
    a = activationLayer(mlp, i).apply(a) as tfl.SymbolicTensor;
    if (l.residual) a = tfl.layers.add({ name: `residual_${i}` }).apply([a, h]) as tfl.SymbolicTensor;
    h = a;
  });
  const model = tfl.model({ inputs: input, outputs: h, name: "hpo_mlp" });
  for (const { name, weights } of named) {
    try {
      model.getLayer(name).setWeights(weights);
    } finally {
      for (const w of weights) w.dispose();
    }
  }
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
