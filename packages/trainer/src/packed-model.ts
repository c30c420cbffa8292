import * as tf from "@tensorflow/tfjs-core";
import { perModel } from "./per-model.ts";

/** Batch-norm epsilon and the weight of the newest batch in the moving statistics (as PyTorch). */
export const BN_EPSILON = 1e-5;
export const BN_MOMENTUM = 0.1;

/** Batch statistics captured during a training forward pass, to update the moving averages. */
export interface BatchStats {
  readonly mean: tf.Tensor;
  readonly variance: tf.Tensor;
}

/** A batch norm's moving mean and variance (not trainable). */
export interface MovingStats {
  readonly mean: tf.Variable;
  readonly variance: tf.Variable;
}

/** A variable holding `init`'s value; the temporary tensor is freed (the variable keeps the data). */
function variableOf(init: tf.Tensor, trainable: boolean): tf.Variable {
  const v = tf.variable(init, trainable);
  init.dispose();
  return v;
}

/**
 * What every packed model shares (`Mlp`, `LayerNet`): K models of one architecture whose
 * trainable parameters are the rows of one variable θ [K, P] (so an optimizer step is a handful of
 * ops whatever the depth), a kernel mask for the L1/L2 penalties, the batch norms' moving
 * statistics, and early stopping's snapshot / restore. Subclasses define the forward pass.
 */
export abstract class PackedModel {
  readonly k: number;
  /** Parameters per model. */
  readonly size: number;
  /** Every trainable parameter of the pack, [K, P]. */
  readonly theta: tf.Variable;
  /** [1, P]: 1 where the parameter is a kernel weight (what L1/L2 penalties apply to), else 0. */
  readonly kernelMask: tf.Tensor2D;
  /** Moving mean and variance of each batch-norm layer, in layer order. */
  readonly moving: readonly MovingStats[];

  /**
   * @param theta initial θ, K·P values (model k's parameters at k·P)
   * @param mask 1 for kernel weights, P values
   * @param movingShapes the [K, 1, …, C] shape of each batch norm's moving statistics
   */
  constructor(k: number, theta: Float32Array, mask: Float32Array, movingShapes: readonly number[][]) {
    this.k = k;
    this.size = mask.length;
    // An allocation may fail at any of these (a model too big for the heap): free what was made.
    const made: tf.Tensor[] = [];
    const keep = <T extends tf.Tensor>(t: T): T => {
      made.push(t);
      return t;
    };
    try {
      this.theta = keep(variableOf(tf.tensor2d(theta, [k, this.size]), true));
      this.kernelMask = keep(tf.tensor2d(mask, [1, this.size]));
      this.moving = movingShapes.map((shape) => ({
        mean: keep(variableOf(tf.zeros(shape), false)),
        variance: keep(variableOf(tf.ones(shape), false)),
      }));
    } catch (e) {
      for (const t of made) t.dispose();
      throw e;
    }
  }

  /** Input features per example (the width of a [K, rows, features] batch). */
  abstract readonly nInputs: number;

  /** Floats of one example's activations through the model (the sum of its layers' output sizes): sizes evaluation chunks. */
  abstract get activationFloatsPerRow(): number;

  /** Parameters per parameterized layer, in θ order (per-layer gradient norms split θ by these). */
  abstract get layerSizes(): number[];

  /**
   * A stable name per parameterized layer, in θ order (`dense_0`, `conv2d_1`, `residual_3/shortcut`,
   * `output`): per-layer gradient norms are reported as `grad_norm/<name>`.
   */
  abstract get layerNames(): string[];

  /**
   * Fresh dropout masks for a training batch of `rows` rows, of which model k uses the first
   * `realRows[k]` (the rest is padding, masked to 0).
   */
  abstract drawDropoutMasks(rows: number, realRows: readonly number[]): tf.Tensor3D[];

  /**
   * Forward pass on [K, rows, features] → [K, rows, outputs]. In training mode batch norm uses
   * each model's batch statistics (pushed to `stats`; over the rows whose `rowWeights` [K, rows, 1]
   * is 1) and `masks` apply dropout; in evaluation mode the moving statistics and no dropout.
   * With `timeGrads`, a model with recurrent layers pushes to it, while its gradient is taken, the
   * [K, 2] norms of the loss gradient at the first recurrent layer's input sequence, at its first
   * and at its last timestep (kept: the caller disposes them); other models push nothing.
   */
  abstract forward(
    x: tf.Tensor3D,
    training: boolean,
    masks?: readonly tf.Tensor3D[],
    stats?: BatchStats[],
    rowWeights?: tf.Tensor3D,
    timeGrads?: tf.Tensor2D[],
  ): tf.Tensor3D;

  /** Every variable, trainable or not (what early stopping snapshots). */
  get all(): tf.Variable[] {
    return [this.theta, ...this.moving.flatMap((m) => [m.mean, m.variance])];
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
