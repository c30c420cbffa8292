import { createRng, mixSeed } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { activate } from "./activations.ts";
import { DropoutStream } from "./dropout.ts";
import { initBias, initKernel } from "./initializers.ts";
import { packedMatMul, packedMatMulFirst } from "./packed-matmul.ts";
import { type BatchStats, BN_EPSILON, type MovingStats, PackedModel } from "./packed-model.ts";
import type { TrainConfig } from "./params.ts";

/** Where one layer's parameters live in the flat parameter vector of each model. */
export interface LayerLayout {
  readonly fanIn: number;
  readonly fanOut: number;
  /** Offset of the layer's first parameter (its kernel) in a model's parameter vector. */
  readonly offset: number;
  /** kernel (fanIn·fanOut) + bias (fanOut) [+ gamma + beta (2·fanOut) with batch norm]. */
  readonly size: number;
  readonly batchNorm: boolean;
  /** Identity skip connection (residual and input width equals output width). */
  readonly residual: boolean;
}

/** One layer's parameters as tensors of the pack: kernel [K, in, out], the rest [K, 1, out]. */
export interface LayerViews {
  readonly kernel: tf.Tensor3D;
  readonly bias: tf.Tensor3D;
  readonly gamma?: tf.Tensor3D;
  readonly beta?: tf.Tensor3D;
}

/**
 * K multilayer perceptrons of the same architecture trained side by side ("packed": one set of
 * kernel launches for the K folds of a trial), on raw tfjs-core variables (no tfjs-layers). All
 * trainable parameters live in one variable `theta` [K, P] (model k's flat vector in row k), so an
 * optimizer step is a handful of ops whatever the depth; `forward` views it as kernels and biases.
 * Model k is initialized, and draws its dropout masks, from `seeds[k]` exactly as it would alone,
 * so a pack gives the same results as K packs of one. Hidden layers are dense → [batch norm] →
 * activation → [+ skip] → [inverted dropout]; the output layer is linear (logits for
 * classification, one value for regression). Inputs are [K, rows, features]. Call `dispose()`.
 */
export class Mlp extends PackedModel {
  readonly layout: readonly LayerLayout[];
  private readonly dropoutStreams: readonly DropoutStream[];

  constructor(
    readonly config: TrainConfig,
    readonly nInputs: number,
    readonly nOutputs: number,
    seeds: readonly number[],
  ) {
    const K = seeds.length;
    const initRngs = seeds.map((s) => createRng(mixSeed(s, "init")));
    const sizes = [nInputs, ...config.hidden, nOutputs];
    const layout: LayerLayout[] = [];
    let offset = 0;
    for (let i = 0; i + 1 < sizes.length; i++) {
      const fanIn = sizes[i] as number;
      const fanOut = sizes[i + 1] as number;
      const hidden = i + 1 < sizes.length - 1;
      const batchNorm = hidden && config.batchNorm;
      const size = fanIn * fanOut + fanOut + (batchNorm ? 2 * fanOut : 0);
      layout.push({ fanIn, fanOut, offset, size, batchNorm, residual: hidden && config.residual && fanIn === fanOut });
      offset += size;
    }
    const P = offset;
    const theta = new Float32Array(K * P);
    const mask = new Float32Array(P);
    for (const l of layout) mask.fill(1, l.offset, l.offset + l.fanIn * l.fanOut);
    // Kernels (then biases: 0 but for pytorch) drawn layer by layer from each model's own
    // generator; gamma 1, beta 0.
    for (const l of layout) {
      initRngs.forEach((rng, k) => {
        theta.set(initKernel(config.initializer, l.fanIn, l.fanOut, rng), k * P + l.offset);
        theta.set(initBias(config.initializer, l.fanOut, l.fanIn, rng), k * P + l.offset + l.fanIn * l.fanOut);
        if (l.batchNorm) {
          const gamma = k * P + l.offset + l.fanIn * l.fanOut + l.fanOut;
          theta.fill(1, gamma, gamma + l.fanOut);
        }
      });
    }
    super(
      K,
      theta,
      mask,
      layout.filter((l) => l.batchNorm).map((l) => [K, 1, l.fanOut]),
    );
    this.layout = layout;
    this.dropoutStreams = seeds.map((s) => new DropoutStream(mixSeed(s, "dropout")));
  }

  override get activationFloatsPerRow(): number {
    return this.layout.reduce((a, l) => a + l.fanOut, 0);
  }

  /** Parameters per layer (for per-layer gradient norms over a [K, P] gradient). */
  override get layerSizes(): number[] {
    return this.layout.map((l) => l.size);
  }

  /** `dense_0`, `dense_1`, …, `output` (the names `toLayersModel` gives the exported layers). */
  override get layerNames(): string[] {
    return this.layout.map((_, i) => (i === this.layout.length - 1 ? "output" : `dense_${i}`));
  }

  /** Kernel, bias (and batch-norm) views of `theta`, differentiable (call inside the tape). */
  views(): LayerViews[] {
    const K = this.k;
    const sizes: number[] = [];
    for (const l of this.layout) {
      sizes.push(l.fanIn * l.fanOut, l.fanOut);
      if (l.batchNorm) sizes.push(l.fanOut, l.fanOut);
    }
    const parts = tf.split(this.theta, sizes, 1);
    let i = 0;
    const vec = (l: LayerLayout) => tf.reshape(parts[i++] as tf.Tensor, [K, 1, l.fanOut]) as tf.Tensor3D;
    return this.layout.map((l) => {
      const kernel = tf.reshape(parts[i++] as tf.Tensor, [K, l.fanIn, l.fanOut]) as tf.Tensor3D;
      const bias = vec(l);
      if (!l.batchNorm) return { kernel, bias };
      const gamma = vec(l);
      return { kernel, bias, gamma, beta: vec(l) };
    });
  }

  /**
   * Draws fresh dropout masks for a training batch of `rows` rows, of which model k uses the first
   * `realRows[k]` (the rest is padding, masked to 0): one [K, rows, h] tensor per hidden layer.
   */
  drawDropoutMasks(rows: number, realRows: readonly number[]): tf.Tensor3D[] {
    if (this.config.dropout <= 0) return [];
    const K = this.k;
    // Draw model by model and layer by layer, as a pack of one would, so packing changes nothing.
    const buffers = this.config.hidden.map((h) => new Float32Array(K * rows * h));
    this.dropoutStreams.forEach((stream, k) => {
      const r = realRows[k] ?? rows;
      if (r <= 0) return;
      this.config.hidden.forEach((h, l) => {
        stream.fill(buffers[l] as Float32Array, k * rows * h, r * h, this.config.dropout);
      });
    });
    // in a tidy: if one upload fails, the masks made before it are freed
    return tf.tidy(() => buffers.map((b, l) => tf.tensor3d(b, [K, rows, this.config.hidden[l] as number])));
  }

  /**
   * Forward pass on [K, rows, features]. In training mode batch norm uses the batch statistics of
   * each model (pushed to `stats` when given; over the rows with weight 1 when `rowWeights`
   * [K, rows, 1] marks padding) and `masks` apply dropout; in evaluation mode batch norm uses the
   * moving statistics and there is no dropout.
   */
  forward(
    x: tf.Tensor3D,
    training: boolean,
    masks: readonly tf.Tensor3D[] = [],
    stats?: BatchStats[],
    rowWeights?: tf.Tensor3D,
  ): tf.Tensor3D {
    let h: tf.Tensor3D = x;
    const views = this.views();
    // Model-by-model products pay off on wasm only (see packedMatMul); elsewhere a batched matMul.
    const wasm = tf.getBackend() === "wasm";
    const matMul = (i: number) =>
      wasm ? (i === 0 ? packedMatMulFirst : packedMatMul) : (a: tf.Tensor3D, b: tf.Tensor3D) => tf.matMul(a, b);
    let bn = 0;
    views.forEach((layer, i) => {
      const l = this.layout[i] as LayerLayout;
      let z = tf.add(matMul(i)(h, layer.kernel), layer.bias) as tf.Tensor3D;
      if (i === views.length - 1) {
        h = z;
        return;
      }
      if (layer.gamma && layer.beta) {
        const moving = this.moving[bn++] as MovingStats;
        let mean: tf.Tensor = moving.mean;
        let variance: tf.Tensor = moving.variance;
        if (training) {
          if (rowWeights) {
            const n = tf.maximum(tf.sum(rowWeights, 1, true), 1);
            mean = tf.div(tf.sum(tf.mul(z, rowWeights), 1, true), n);
            variance = tf.div(tf.sum(tf.mul(tf.square(tf.sub(z, mean)), rowWeights), 1, true), n);
          } else {
            const m = tf.moments(z, 1, true);
            mean = m.mean;
            variance = m.variance;
          }
          stats?.push({ mean, variance });
        }
        z = tf.add(
          tf.mul(tf.div(tf.sub(z, mean), tf.sqrt(tf.add(variance, BN_EPSILON))), layer.gamma),
          layer.beta,
        ) as tf.Tensor3D;
      }
      let a = activate(z, this.config.activation, this.config.leakyAlpha) as tf.Tensor3D;
      if (l.residual) a = tf.add(a, h) as tf.Tensor3D;
      const mask = training ? masks[i] : undefined;
      h = mask ? (tf.mul(a, mask) as tf.Tensor3D) : a;
    });
    return h;
  }
}
