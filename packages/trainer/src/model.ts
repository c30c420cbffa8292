import { createRng, mixSeed, type Rng } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { activate } from "./activations.ts";
import { dropoutMask } from "./dropout.ts";
import { initKernel } from "./initializers.ts";
import type { TrainConfig } from "./params.ts";

/** Batch-norm epsilon and the weight of the newest batch in the moving statistics (as PyTorch). */
const BN_EPSILON = 1e-5;
const BN_MOMENTUM = 0.1;

/** A variable holding `init`'s value; the temporary tensor is freed (the variable keeps the data). */
function variableOf(init: tf.Tensor, trainable: boolean): tf.Variable {
  const v = tf.variable(init, trainable);
  init.dispose();
  return v;
}

/** One dense layer; hidden layers may carry batch-norm parameters and moving statistics. */
export interface DenseLayer {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
  readonly gamma?: tf.Variable;
  readonly beta?: tf.Variable;
  readonly movingMean?: tf.Variable;
  readonly movingVar?: tf.Variable;
  /** Identity skip connection (residual and input width equals output width). */
  readonly residual: boolean;
}

/** Batch statistics captured during a training forward pass, to update the moving averages. */
export interface BatchStats {
  readonly mean: tf.Tensor;
  readonly variance: tf.Tensor;
}

/**
 * A multilayer perceptron on raw tfjs-core variables (no tfjs-layers): hidden layers are
 * dense → [batch norm] → activation → [+ skip] → [inverted dropout]; the output layer is linear
 * (logits for classification, one value for regression). Call `dispose()` when done.
 */
export class Mlp {
  readonly layers: readonly DenseLayer[];
  private readonly dropoutRng: Rng;

  constructor(
    readonly config: TrainConfig,
    readonly nInputs: number,
    readonly nOutputs: number,
    seed: number,
  ) {
    const initRng = createRng(mixSeed(seed, "init"));
    this.dropoutRng = createRng(mixSeed(seed, "dropout"));
    const sizes = [nInputs, ...config.hidden, nOutputs];
    const layers: DenseLayer[] = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      const fanIn = sizes[i] as number;
      const fanOut = sizes[i + 1] as number;
      const hidden = i + 1 < sizes.length - 1;
      const bn = hidden && config.batchNorm;
      layers.push({
        kernel: variableOf(tf.tensor2d(initKernel(config.initializer, fanIn, fanOut, initRng), [fanIn, fanOut]), true),
        bias: variableOf(tf.zeros([fanOut]), true),
        ...(bn
          ? {
              gamma: variableOf(tf.ones([fanOut]), true),
              beta: variableOf(tf.zeros([fanOut]), true),
              movingMean: variableOf(tf.zeros([fanOut]), false),
              movingVar: variableOf(tf.ones([fanOut]), false),
            }
          : {}),
        residual: hidden && config.residual && fanIn === fanOut,
      });
    }
    this.layers = layers;
  }

  /** Trainable variables grouped per layer (for per-layer gradient norms), in layer order. */
  get groups(): tf.Variable[][] {
    return this.layers.map((l) => [l.kernel, l.bias, ...(l.gamma && l.beta ? [l.gamma, l.beta] : [])]);
  }

  /** Every trainable variable, in `groups` order. */
  get trainable(): tf.Variable[] {
    return this.groups.flat();
  }

  /** Every variable, trainable or not (what early stopping snapshots). */
  get all(): tf.Variable[] {
    return this.layers.flatMap((l) => [
      l.kernel,
      l.bias,
      ...[l.gamma, l.beta, l.movingMean, l.movingVar].filter((v): v is tf.Variable => v !== undefined),
    ]);
  }

  /** Draws fresh dropout masks for a training batch of `rows` rows (one per hidden layer). */
  drawDropoutMasks(rows: number): tf.Tensor2D[] {
    if (this.config.dropout <= 0) return [];
    return this.config.hidden.map((h) =>
      tf.tensor2d(dropoutMask(rows * h, this.config.dropout, this.dropoutRng), [rows, h]),
    );
  }

  /**
   * Forward pass. In training mode batch norm uses the batch statistics (pushed to `stats` when
   * given) and `masks` (from `drawDropoutMasks`) apply dropout; in evaluation mode batch norm uses
   * the moving statistics and there is no dropout.
   */
  forward(x: tf.Tensor2D, training: boolean, masks: readonly tf.Tensor2D[] = [], stats?: BatchStats[]): tf.Tensor2D {
    let h: tf.Tensor2D = x;
    this.layers.forEach((layer, i) => {
      let z = tf.add(tf.matMul(h, layer.kernel as tf.Tensor2D), layer.bias) as tf.Tensor2D;
      if (i === this.layers.length - 1) {
        h = z;
        return;
      }
      if (layer.gamma && layer.beta && layer.movingMean && layer.movingVar) {
        let mean: tf.Tensor = layer.movingMean;
        let variance: tf.Tensor = layer.movingVar;
        if (training) {
          const m = tf.moments(z, 0);
          mean = m.mean;
          variance = m.variance;
          stats?.push({ mean, variance });
        }
        z = tf.add(
          tf.mul(tf.div(tf.sub(z, mean), tf.sqrt(tf.add(variance, BN_EPSILON))), layer.gamma),
          layer.beta,
        ) as tf.Tensor2D;
      }
      let a = activate(z, this.config.activation, this.config.leakyAlpha) as tf.Tensor2D;
      if (layer.residual) a = tf.add(a, h) as tf.Tensor2D;
      const mask = training ? masks[i] : undefined;
      h = mask ? (tf.mul(a, mask) as tf.Tensor2D) : a;
    });
    return h;
  }

  /** Folds a training batch's statistics into the moving averages (call outside the gradient tape). */
  updateMovingStats(stats: readonly BatchStats[]): void {
    let k = 0;
    for (const layer of this.layers) {
      if (!layer.movingMean || !layer.movingVar) continue;
      const s = stats[k++];
      if (!s) break;
      tf.tidy(() => {
        layer.movingMean?.assign(tf.add(tf.mul(layer.movingMean, 1 - BN_MOMENTUM), tf.mul(s.mean, BN_MOMENTUM)));
        layer.movingVar?.assign(tf.add(tf.mul(layer.movingVar, 1 - BN_MOMENTUM), tf.mul(s.variance, BN_MOMENTUM)));
      });
    }
  }

  /** Copies of every variable's value (caller disposes them). */
  snapshot(): tf.Tensor[] {
    return this.all.map((v) => tf.clone(v));
  }

  /** Restores values from `snapshot()` (does not dispose them). */
  restore(values: readonly tf.Tensor[]): void {
    this.all.forEach((v, i) => {
      v.assign(values[i] as tf.Tensor);
    });
  }

  dispose(): void {
    for (const v of this.all) v.dispose();
  }
}
