import { createRng, mixSeed } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { activate } from "./activations.ts";
import { DropoutStream } from "./dropout.ts";
import { initKernel } from "./initializers.ts";
import { packedMatMul, packedMatMulFirst } from "./packed-matmul.ts";
import type { TrainConfig } from "./params.ts";
import { perModel } from "./per-model.ts";

/** Batch-norm epsilon and the weight of the newest batch in the moving statistics (as PyTorch). */
const BN_EPSILON = 1e-5;
const BN_MOMENTUM = 0.1;

/** A variable holding `init`'s value; the temporary tensor is freed (the variable keeps the data). */
function variableOf(init: tf.Tensor, trainable: boolean): tf.Variable {
  const v = tf.variable(init, trainable);
  init.dispose();
  return v;
}

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

/** Batch statistics captured during a training forward pass, to update the moving averages. */
export interface BatchStats {
  readonly mean: tf.Tensor;
  readonly variance: tf.Tensor;
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
export class Mlp {
  readonly layout: readonly LayerLayout[];
  readonly k: number;
  /** Parameters per model. */
  readonly size: number;
  /** Every trainable parameter of the pack, [K, P]. */
  readonly theta: tf.Variable;
  /** Moving mean and variance [K, 1, out] of each batch-norm layer (not trainable). */
  readonly moving: readonly { readonly mean: tf.Variable; readonly variance: tf.Variable }[];
  /** [1, P]: 1 where the parameter is a kernel weight (what L1/L2 penalties apply to), else 0. */
  readonly kernelMask: tf.Tensor2D;
  private readonly dropoutStreams: readonly DropoutStream[];

  constructor(
    readonly config: TrainConfig,
    readonly nInputs: number,
    readonly nOutputs: number,
    seeds: readonly number[],
  ) {
    const K = seeds.length;
    this.k = K;
    const initRngs = seeds.map((s) => createRng(mixSeed(s, "init")));
    this.dropoutStreams = seeds.map((s) => new DropoutStream(mixSeed(s, "dropout")));
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
    this.layout = layout;
    this.size = offset;
    const P = offset;
    const theta = new Float32Array(K * P);
    const mask = new Float32Array(P);
    for (const l of layout) mask.fill(1, l.offset, l.offset + l.fanIn * l.fanOut);
    // Kernels drawn layer by layer from each model's own generator; biases 0; gamma 1, beta 0.
    for (const l of layout) {
      initRngs.forEach((rng, k) => {
        theta.set(initKernel(config.initializer, l.fanIn, l.fanOut, rng), k * P + l.offset);
        if (l.batchNorm) {
          const gamma = k * P + l.offset + l.fanIn * l.fanOut + l.fanOut;
          theta.fill(1, gamma, gamma + l.fanOut);
        }
      });
    }
    // An allocation may fail at any of these (a model too big for the heap): free what was made.
    const made: tf.Tensor[] = [];
    const keep = <T extends tf.Tensor>(t: T): T => {
      made.push(t);
      return t;
    };
    try {
      this.theta = keep(variableOf(tf.tensor2d(theta, [K, P]), true));
      this.kernelMask = keep(tf.tensor2d(mask, [1, P]));
      this.moving = layout
        .filter((l) => l.batchNorm)
        .map((l) => ({
          mean: keep(variableOf(tf.zeros([K, 1, l.fanOut]), false)),
          variance: keep(variableOf(tf.ones([K, 1, l.fanOut]), false)),
        }));
    } catch (e) {
      for (const t of made) t.dispose();
      throw e;
    }
  }

  /** Parameters per layer (for per-layer gradient norms over a [K, P] gradient). */
  get layerSizes(): number[] {
    return this.layout.map((l) => l.size);
  }

  /** Every variable, trainable or not (what early stopping snapshots). */
  get all(): tf.Variable[] {
    return [this.theta, ...this.moving.flatMap((m) => [m.mean, m.variance])];
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
        const moving = this.moving[bn++] as { mean: tf.Variable; variance: tf.Variable };
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

  /**
   * Folds a training batch's statistics into the moving averages (call outside the gradient tape);
   * with `active` ([K] boolean), only the models that took the step.
   */
  updateMovingStats(stats: readonly BatchStats[], active?: tf.Tensor): void {
    tf.tidy(() => {
      this.moving.forEach((m, i) => {
        const s = stats[i];
        if (!s) return;
        for (const [v, batch] of [
          [m.mean, s.mean],
          [m.variance, s.variance],
        ] as const) {
          const next = tf.add(tf.mul(v, 1 - BN_MOMENTUM), tf.mul(batch, BN_MOMENTUM));
          v.assign(active ? tf.where(perModel(active, v.rank), next, v) : next);
        }
      });
    });
  }

  /** Copies of every variable's value (caller disposes them). */
  snapshot(): tf.Tensor[] {
    return tf.tidy(() => this.all.map((v) => tf.clone(v)));
  }

  /**
   * Where `mask` ([K] boolean) is true, copies the variables' values into `into` (a snapshot),
   * else leaves it; returns the new snapshot (the old tensors are disposed).
   */
  updateSnapshot(into: readonly tf.Tensor[], mask: tf.Tensor): tf.Tensor[] {
    const next = tf.tidy(() => this.all.map((v, i) => tf.where(perModel(mask, v.rank), v, into[i] as tf.Tensor)));
    for (const t of into) t.dispose();
    return next;
  }

  /** Restores values from a snapshot in the models where `mask` is true (all when undefined). */
  restore(values: readonly tf.Tensor[], mask?: tf.Tensor): void {
    tf.tidy(() => {
      this.all.forEach((v, i) => {
        const s = values[i] as tf.Tensor;
        v.assign(mask ? tf.where(perModel(mask, v.rank), s, v) : s);
      });
    });
  }

  dispose(): void {
    for (const v of this.all) v.dispose();
    this.kernelMask.dispose();
  }
}
