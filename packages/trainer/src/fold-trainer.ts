import { createRng, mixSeed, shuffled } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { clipByGlobalNorm, clipByValue, squaredNorm } from "./clip.ts";
import type { FoldData } from "./fold-data.ts";
import { meanSquaredError, softmaxCrossEntropy } from "./losses.ts";
import { type BatchStats, Mlp } from "./model.ts";
import { createOptimizer } from "./optimizers/create-optimizer.ts";
import type { Optimizer } from "./optimizers/optimizer.ts";
import type { TrainConfig } from "./params.ts";

/** Rows per forward pass when evaluating (bounds memory on large datasets). */
const EVAL_CHUNK = 16_384;
/** Longest stretch of synchronous training before yielding to the event loop. */
const YIELD_EVERY_MS = 50;

/** Metrics of one fold after one epoch, keyed as in EpochReport fold records. */
export type FoldRecord = Readonly<Record<string, number>>;

/** Metric keys a fold record holds for each task (what a sweep's metric may name). */
export const METRIC_KEYS = {
  classification: ["loss", "accuracy", "val_loss", "val_accuracy"],
  regression: ["loss", "mse", "mae", "r2", "val_loss", "val_mse", "val_mae", "val_r2"],
} as const;

interface Split {
  readonly x: tf.Tensor2D;
  /** One-hot [n, C] (classification) or standardized targets [n, 1] (regression). */
  readonly y: tf.Tensor2D;
  /** Class ids [n] (classification) or targets in original units [n, 1] (regression). */
  readonly raw: tf.Tensor;
  readonly n: number;
  /** Regression: Σ(y − ȳ)² of this split, in original units. */
  readonly ssTot: number;
}

/**
 * Trains one fold of a trial, one epoch at a time, so that a trial can run its K folds in lockstep.
 * Owns its tensors (data, model, optimizer, early-stopping snapshot): call `dispose()`.
 * Diagnostics (gradient norms) are measured on the first mini-batch of each epoch, before clipping.
 */
export class FoldTrainer {
  readonly model: Mlp;
  private readonly optimizer: Optimizer;
  private readonly train: Split;
  private readonly val: Split;
  private gradNorms: tf.Tensor | undefined;
  private bestSnapshot: tf.Tensor[] | undefined;
  private bestValLoss = Number.POSITIVE_INFINITY;
  private sinceBest = 0;
  /** Epochs trained so far. */
  epochs = 0;
  /** True once early stopping ended this fold (its best weights are restored). */
  stopped = false;
  /** Record of the epoch whose weights the fold ends with (the best one under early stopping). */
  finalRecord: FoldRecord | undefined;

  constructor(
    readonly fold: number,
    private readonly data: FoldData,
    readonly config: TrainConfig,
    readonly task: "classification" | "regression",
    readonly nClasses: number,
    private readonly seed: number,
  ) {
    const nOut = task === "classification" ? nClasses : 1;
    this.model = new Mlp(config, data.nFeatures, nOut, seed);
    this.optimizer = createOptimizer(config);
    this.train = this.split(data.xTrain, data.yTrain);
    this.val = this.split(data.xVal, data.yVal);
  }

  private split(x: Float32Array, y: Float32Array): Split {
    const n = y.length;
    const d = this.data.nFeatures;
    let ssTot = 0;
    if (this.task === "regression") {
      const mean = y.reduce((a, b) => a + b, 0) / n;
      ssTot = y.reduce((a, b) => a + (b - mean) ** 2, 0);
    }
    return tf.tidy(() => {
      const xs = tf.tensor2d(x, [n, d]);
      if (this.task === "classification") {
        const ids = tf.tensor1d(Int32Array.from(y), "int32");
        return { x: xs, y: tf.cast(tf.oneHot(ids, this.nClasses), "float32") as tf.Tensor2D, raw: ids, n, ssTot };
      }
      const raw = tf.tensor2d(y, [n, 1]);
      const std = tf.div(tf.sub(raw, this.data.yMean), this.data.yStd) as tf.Tensor2D;
      return { x: xs, y: std, raw, n, ssTot };
    });
  }

  private loss(out: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
    return this.task === "classification" ? softmaxCrossEntropy(out, y) : meanSquaredError(out, y);
  }

  /**
   * Trains one epoch (seeded shuffle per fold and epoch) at learning rate `lr`. Returns false when
   * `signal` aborted between two mini-batches (the epoch is left unfinished).
   */
  async trainEpoch(lr: number, signal?: AbortSignal): Promise<boolean> {
    const { n } = this.train;
    const bs = Math.min(this.config.batchSize, n);
    const perm = shuffled([...Array(n).keys()], createRng(mixSeed(this.seed, "shuffle", this.epochs)));
    const [xs, ys] = tf.tidy(() => {
      const idx = tf.tensor1d(Int32Array.from(perm), "int32");
      return [tf.gather(this.train.x, idx), tf.gather(this.train.y, idx)] as const;
    });
    try {
      let lastYield = Date.now();
      for (let start = 0; start < n; start += bs) {
        // Let abort events (pub/sub, worker messages) through during long epochs.
        if (Date.now() - lastYield > YIELD_EVERY_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = Date.now();
        }
        if (signal?.aborted) return false;
        const rows = Math.min(bs, n - start);
        this.step(xs, ys, start, rows, lr, start === 0);
      }
    } finally {
      xs.dispose();
      ys.dispose();
    }
    this.epochs++;
    return true;
  }

  private step(xs: tf.Tensor2D, ys: tf.Tensor2D, start: number, rows: number, lr: number, measure: boolean): void {
    const { config, model } = this;
    const vars = model.trainable;
    const stats: BatchStats[] = [];
    const masks = model.drawDropoutMasks(rows);
    try {
      tf.tidy(() => {
        const xb = tf.slice(xs, [start, 0], [rows, -1]);
        const yb = tf.slice(ys, [start, 0], [rows, -1]);
        const { grads } = tf.variableGrads(() => {
          const out = model.forward(xb, true, masks, stats);
          for (const s of stats) {
            tf.keep(s.mean);
            tf.keep(s.variance);
          }
          return this.loss(out, yb);
        }, vars);
        let g = vars.map((v) => grads[v.name] as tf.Tensor);
        if (config.weightDecay > 0 || config.l1 > 0) {
          g = g.map((gi, i) => {
            const v = vars[i] as tf.Variable;
            if (v.rank !== 2) return gi; // penalties apply to kernels only
            let out = gi;
            if (config.weightDecay > 0) out = tf.add(out, tf.mul(v, config.weightDecay));
            if (config.l1 > 0) out = tf.add(out, tf.mul(tf.sign(v), config.l1));
            return out;
          });
        }
        let globalNorm: tf.Scalar | undefined;
        if (measure || config.clipNorm > 0) {
          const perLayer: tf.Scalar[] = [];
          let k = 0;
          for (const group of model.groups) {
            perLayer.push(squaredNorm(g.slice(k, k + group.length)));
            k += group.length;
          }
          globalNorm = tf.sqrt(tf.addN(perLayer)) as tf.Scalar;
          if (measure) {
            this.gradNorms?.dispose();
            this.gradNorms = tf.keep(tf.sqrt(tf.stack([tf.addN(perLayer), ...perLayer])));
          }
        }
        if (config.clipValue > 0) {
          g = clipByValue(g, config.clipValue);
          if (config.clipNorm > 0) globalNorm = undefined;
        }
        if (config.clipNorm > 0) g = clipByGlobalNorm(g, config.clipNorm, globalNorm);
        this.optimizer.apply(vars, g, lr);
        if (stats.length > 0) model.updateMovingStats(stats);
      });
    } finally {
      for (const m of masks) m.dispose();
      for (const s of stats) {
        s.mean.dispose();
        s.variance.dispose();
      }
    }
  }

  /** Sums over one split in evaluation mode: [loss·n, correct] or [loss·n, SSE, SAE] (original units). */
  private evalSums(split: Split): tf.Tensor1D {
    const parts: tf.Tensor1D[] = [];
    for (let start = 0; start < split.n; start += EVAL_CHUNK) {
      const rows = Math.min(EVAL_CHUNK, split.n - start);
      const x = tf.slice(split.x, [start, 0], [rows, -1]);
      const y = tf.slice(split.y, [start, 0], [rows, -1]);
      const out = this.model.forward(x, false);
      const lossSum = tf.mul(this.loss(out, y), rows);
      if (this.task === "classification") {
        const ids = tf.slice(split.raw, [start], [rows]);
        const correct = tf.sum(tf.cast(tf.equal(tf.argMax(out, 1), ids), "float32"));
        parts.push(tf.stack([lossSum, correct]) as tf.Tensor1D);
      } else {
        const raw = tf.slice(split.raw, [start, 0], [rows, 1]);
        const pred = tf.add(tf.mul(out, this.data.yStd), this.data.yMean);
        const err = tf.sub(pred, raw);
        parts.push(tf.stack([lossSum, tf.sum(tf.square(err)), tf.sum(tf.abs(err))]) as tf.Tensor1D);
      }
    }
    return parts.length === 1 ? (parts[0] as tf.Tensor1D) : (tf.addN(parts) as tf.Tensor1D);
  }

  /**
   * Evaluates train and validation splits (no dropout, moving batch-norm statistics) and reads every
   * number of the epoch from the device once. Includes `gap` (val_loss − loss), `lr`, and the
   * gradient norms `grad_norm`, `grad_norm_l0`… of the epoch's first mini-batch.
   */
  evaluate(lr: number): FoldRecord {
    const values = tf.tidy(() => {
      const parts = [this.evalSums(this.train), this.evalSums(this.val)];
      if (this.gradNorms) parts.push(this.gradNorms as tf.Tensor1D);
      return tf.concat(parts);
    });
    const v = values.dataSync();
    values.dispose();
    const rec: Record<string, number> = {};
    const width = this.task === "classification" ? 2 : 3;
    const fill = (prefix: string, offset: number, split: Split) => {
      const lossSum = v[offset] as number;
      rec[`${prefix}loss`] = lossSum / split.n;
      if (this.task === "classification") {
        rec[`${prefix}accuracy`] = (v[offset + 1] as number) / split.n;
      } else {
        const sse = v[offset + 1] as number;
        rec[`${prefix}mse`] = sse / split.n;
        rec[`${prefix}mae`] = (v[offset + 2] as number) / split.n;
        rec[`${prefix}r2`] = split.ssTot > 0 ? 1 - sse / split.ssTot : 0;
      }
    };
    fill("", 0, this.train);
    fill("val_", width, this.val);
    rec.gap = (rec.val_loss as number) - (rec.loss as number);
    rec.lr = lr;
    if (this.gradNorms) {
      rec.grad_norm = v[2 * width] as number;
      for (let l = 0; 2 * width + 1 + l < v.length; l++) rec[`grad_norm_l${l}`] = v[2 * width + 1 + l] as number;
    }
    return rec;
  }

  /**
   * Early-stopping bookkeeping after an epoch: keeps a snapshot of the best weights (val_loss lower
   * than the best by more than `minDelta`), and after `patience` epochs without one restores them
   * and marks the fold stopped. Without early stopping the final record is the latest one.
   */
  observe(record: FoldRecord): void {
    const { earlyStoppingPatience: patience, earlyStoppingMinDelta: minDelta } = this.config;
    if (patience <= 0) {
      this.finalRecord = record;
      return;
    }
    const valLoss = record.val_loss as number;
    if (valLoss < this.bestValLoss - minDelta) {
      this.bestValLoss = valLoss;
      this.sinceBest = 0;
      this.finalRecord = record;
      this.disposeSnapshot();
      this.bestSnapshot = this.model.snapshot();
      return;
    }
    this.sinceBest++;
    if (this.sinceBest >= patience) {
      if (this.bestSnapshot) this.model.restore(this.bestSnapshot);
      this.disposeSnapshot();
      this.stopped = true;
    }
  }

  private disposeSnapshot(): void {
    for (const t of this.bestSnapshot ?? []) t.dispose();
    this.bestSnapshot = undefined;
  }

  dispose(): void {
    this.disposeSnapshot();
    this.gradNorms?.dispose();
    this.gradNorms = undefined;
    this.optimizer.dispose();
    this.model.dispose();
    for (const s of [this.train, this.val]) {
      s.x.dispose();
      s.y.dispose();
      s.raw.dispose();
    }
  }
}
