import { createRng, evalChunkRows, gradNormKey, METRICS, mixSeed, shuffled, TIME_GRAD_KEYS } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { clipByGlobalNorm, clipByValue, squaredNorms } from "./clip.ts";
import "./register-gradients.ts";
import { classificationScores } from "./classification-metrics.ts";
import type { FoldData } from "./fold-data.ts";
import { LayerNet } from "./layer-net.ts";
import { manualGrads, supportsManualGrads } from "./manual-grads.ts";
import { Mlp } from "./model.ts";
import { createOptimizer } from "./optimizers/create-optimizer.ts";
import type { Optimizer } from "./optimizers/optimizer.ts";
import type { BatchStats, PackedModel } from "./packed-model.ts";
import type { TrainConfig } from "./params.ts";
import { TrainStats } from "./train-stats.ts";

/** Longest stretch of synchronous training before yielding to the event loop. */
const YIELD_EVERY_MS = 50;

/** Metrics of one fold after one epoch, keyed as in EpochReport fold records. */
export type FoldRecord = Readonly<Record<string, number>>;

/** Metric keys a fold record holds for each task (what a sweep's metric may name): core's METRICS. */
export const METRIC_KEYS = METRICS;

/** Row counts of one split of every model of the pack. */
interface SplitSizes {
  /** Rows of each model. */
  readonly n: readonly number[];
  /** Longest row count. */
  readonly N: number;
  /** Regression: Σ(y − ȳ)² of each model's split, in original units. */
  readonly ssTot: readonly number[];
}

/** One split (validation) of every model of the pack, on the device, padded to the longest. */
interface PackedSplit extends SplitSizes {
  /** [K, N, d]; rows past a model's own count are zeros. */
  readonly x: tf.Tensor3D;
  /** One-hot [K, N, C] (classification) or standardized targets [K, N, 1] (regression). */
  readonly y: tf.Tensor3D;
  /** Class ids [K, N] int32 (classification) or targets in original units [K, N, 1] (regression). */
  readonly raw: tf.Tensor;
  /** [K, N] 1 for real rows, 0 for padding; undefined when no model is padded. */
  readonly weights?: tf.Tensor2D;
}

/** Row counts and (regression) total sums of squares of one split of each model. */
function sizesOf(ys: readonly Float32Array[], task: "classification" | "regression"): SplitSizes {
  const n = ys.map((y) => y.length);
  const ssTot = ys.map((y) => {
    if (task !== "regression") return 0;
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    return y.reduce((a, b) => a + (b - mean) ** 2, 0);
  });
  return { n, N: Math.max(...n), ssTot };
}

/** Options of a `PackedTrainer`. */
export interface PackedTrainerOptions {
  /**
   * Hand-derived gradients (`manualGrads`) when the model allows them (dense layers, relu/linear/
   * tanh/sigmoid, no batch norm or residual); false forces autodiff. Default true.
   */
  readonly manualGrads?: boolean;
  /**
   * [height, width, channels] of each example when the rows are images (a layer list's conv2d
   * sees them so), [timesteps, features] when they are sequences; default: rows of `nFeatures`.
   */
  readonly inputShape?: readonly number[];
}

/**
 * Trains K folds of a trial as one pack (stacked weights, batched matmuls: one set of kernel
 * launches per step for all folds), one epoch at a time. Model k uses `seeds[k]` for its weights,
 * shuffles and dropout, so a pack gives the same results as K packs of one fold (up to float
 * rounding). Shorter folds are padded; padded rows weigh nothing, and a model with no real row in
 * a step (or stopped early) keeps its weights and optimizer state. Owns its tensors: `dispose()`.
 * Gradient norms are measured on the first mini-batch of each epoch, before clipping.
 */
export class PackedTrainer {
  readonly model: PackedModel;
  readonly k: number;
  private readonly optimizer: Optimizer;
  /** The training rows stay in JS memory (mini-batches are assembled there). */
  private readonly train: SplitSizes;
  private readonly val: PackedSplit;
  /** The inner validation split early stopping watches (FoldData.xInner), when the folds have one. */
  private readonly inner: PackedSplit | undefined;
  private readonly yMean: tf.Tensor | undefined;
  private readonly yStd: tf.Tensor | undefined;
  private gradNorms: tf.Tensor2D | undefined;
  /** [K, 2]: the loss gradient's norm at the first recurrent layer's first and last timestep (recurrent nets). */
  private timeGradNorms: tf.Tensor2D | undefined;
  /** When training last yielded to the event loop (see YIELD_EVERY_MS). */
  private lastYield = Date.now();
  private best: tf.Tensor[] | undefined;
  private readonly bestValLoss: number[];
  private readonly sinceBest: number[];
  /** Update steps taken by each model (Adam's t). */
  private readonly steps: number[];
  /** Gradients derived by hand (`manualGrads`) rather than by autodiff. */
  private readonly manual: boolean;
  /** Classification with a class weight other than 1 in some fold (`class_weight: balanced`). */
  private readonly classWeighted: boolean;
  /** Running training metrics of the current epoch (from each step's forward pass). */
  private readonly trainStats: TrainStats;
  /** Epochs trained (lockstep). */
  epoch = 0;
  /** Epochs trained by each model (stops counting when it stops early). */
  readonly epochs: number[];
  /** Models that early stopping ended (their best weights are restored). */
  readonly stopped: boolean[];
  /** Per model, the record of the epoch whose weights it ends with (the best under early stopping). */
  readonly finalRecords: (FoldRecord | undefined)[];

  constructor(
    private readonly data: readonly FoldData[],
    readonly config: TrainConfig,
    readonly task: "classification" | "regression",
    readonly nClasses: number,
    private readonly seeds: readonly number[],
    options: PackedTrainerOptions = {},
  ) {
    const K = data.length;
    this.k = K;
    this.classWeighted = task === "classification" && data.some((d) => d.classWeights.some((w) => w !== 1));
    const nFeatures = (data[0] as FoldData).nFeatures;
    const outputs = task === "classification" ? nClasses : 1;
    const image = options.inputShape?.reduce((a, b) => a * b, 1) === nFeatures ? options.inputShape : undefined;
    this.model = config.layers
      ? new LayerNet(config, config.layers, image ?? [nFeatures], outputs, seeds)
      : new Mlp(config, nFeatures, outputs, seeds);
    this.optimizer = createOptimizer(config);
    this.manual = (options.manualGrads ?? true) && this.model instanceof Mlp && supportsManualGrads(this.model);
    this.trainStats = new TrainStats(data, task);
    this.train = sizesOf(
      data.map((d) => d.yTrain),
      task,
    );
    let val: PackedSplit | undefined;
    let inner: PackedSplit | undefined;
    try {
      val = this.pack(
        data.map((d) => d.xVal),
        data.map((d) => d.yVal),
        data,
        nFeatures,
      );
      if (data.every((d) => d.xInner && d.yInner)) {
        inner = this.pack(
          data.map((d) => d.xInner as Float32Array),
          data.map((d) => d.yInner as Float32Array),
          data,
          nFeatures,
        );
      }
      if (task === "regression") {
        [this.yMean, this.yStd] = tf.tidy(() => [
          tf.tensor3d(
            data.map((d) => d.yMean),
            [K, 1, 1],
          ),
          tf.tensor3d(
            data.map((d) => d.yStd),
            [K, 1, 1],
          ),
        ]);
      }
    } catch (e) {
      // an allocation failed half-way through building the trainer: free what was made
      for (const t of [val?.x, val?.y, val?.raw, val?.weights, inner?.x, inner?.y, inner?.raw, inner?.weights])
        t?.dispose();
      this.model.dispose();
      throw e;
    }
    this.val = val;
    this.inner = inner;
    this.bestValLoss = new Array<number>(K).fill(Number.POSITIVE_INFINITY);
    this.sinceBest = new Array<number>(K).fill(0);
    this.steps = new Array<number>(K).fill(0);
    this.epochs = new Array<number>(K).fill(0);
    this.stopped = new Array<boolean>(K).fill(false);
    this.finalRecords = new Array<FoldRecord | undefined>(K).fill(undefined);
  }

  private pack(
    xs: readonly Float32Array[],
    ys: readonly Float32Array[],
    data: readonly FoldData[],
    d: number,
  ): PackedSplit {
    const K = xs.length;
    const sizes = sizesOf(ys, this.task);
    const { n, N } = sizes;
    const x = new Float32Array(K * N * d);
    const padded = n.some((m) => m !== N);
    const w = new Float32Array(K * N);
    xs.forEach((xk, k) => {
      x.set(xk, k * N * d);
      w.fill(1, k * N, k * N + (n[k] as number));
    });
    const regression = this.task === "regression";
    const yFlat = new Float32Array(K * N);
    ys.forEach((y, k) => {
      yFlat.set(y, k * N);
    });
    const tensors = tf.tidy(() => {
      const weights = padded ? tf.tensor2d(w, [K, N]) : undefined;
      const xt = tf.tensor3d(x, [K, N, d]);
      if (!regression) {
        const ids = tf.tensor2d(Int32Array.from(yFlat), [K, N], "int32");
        const y = tf.cast(tf.oneHot(ids, this.nClasses), "float32") as tf.Tensor3D;
        return { x: xt, y, raw: ids as tf.Tensor, weights };
      }
      const raw = tf.tensor3d(yFlat, [K, N, 1]);
      const mean = tf.tensor3d(
        data.map((f) => f.yMean),
        [K, 1, 1],
      );
      const std = tf.tensor3d(
        data.map((f) => f.yStd),
        [K, 1, 1],
      );
      const y = tf.div(tf.sub(raw, mean), std) as tf.Tensor3D;
      return { x: xt, y, raw: raw as tf.Tensor, weights };
    });
    return { ...sizes, ...tensors };
  }

  /** Per-row loss [K, rows]: cross-entropy from logits, or squared error of standardized targets. */
  private perRowLoss(out: tf.Tensor3D, y: tf.Tensor3D): tf.Tensor2D {
    return (
      this.task === "classification"
        ? tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(out)), 2))
        : tf.squeeze(tf.squaredDifference(out, y), [2])
    ) as tf.Tensor2D;
  }

  /** Per-model mean loss [K] over the rows whose weight is 1 (all rows when `w` is undefined). */
  private losses(out: tf.Tensor3D, y: tf.Tensor3D, w?: tf.Tensor2D): tf.Tensor1D {
    const perRow = this.perRowLoss(out, y);
    if (!w) return tf.mean(perRow, 1) as tf.Tensor1D;
    return tf.div(tf.sum(tf.mul(perRow, w), 1), tf.maximum(tf.sum(w, 1), 1)) as tf.Tensor1D;
  }

  /**
   * Each row's share of its model's step loss [K·rows]: class weight / real rows of the model
   * (padding 0); undefined when every share is 1/rows (no padding, no class weights).
   */
  private rowScales(targets: Float32Array, rows: number, real: readonly number[]): Float32Array | undefined {
    if (!this.classWeighted && real.every((r) => r === rows)) return undefined;
    const scale = new Float32Array(this.k * rows);
    real.forEach((r, k) => {
      const cw = (this.data[k] as FoldData).classWeights;
      for (let i = 0; i < r; i++) {
        const w = this.classWeighted ? (cw[targets[k * rows + i] as number] as number) : 1;
        scale[k * rows + i] = w / Math.max(r, 1);
      }
    });
    return scale;
  }

  /**
   * Trains one epoch at learning rate `lr` for every model not stopped (seeded shuffle per model and
   * epoch). Returns false when `signal` aborted between two mini-batches (the epoch is unfinished).
   */
  async trainEpoch(lr: number, signal?: AbortSignal): Promise<boolean> {
    const { n, N } = this.train;
    const bs = Math.min(this.config.batchSize, N);
    const perms = n.map((nk, k) =>
      shuffled([...Array(nk).keys()], createRng(mixSeed(this.seeds[k] as number, "shuffle", this.epoch))),
    );
    for (let start = 0; start < N; start += bs) {
      // Let abort events (pub/sub, worker messages) through during long epochs, and across short
      // ones: the clock runs on from the last yield, whichever epoch it was in.
      if (Date.now() - this.lastYield > YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        this.lastYield = Date.now();
      }
      if (signal?.aborted) return false;
      const rows = Math.min(bs, N - start);
      const real = n.map((nk, k) => (this.stopped[k] ? 0 : Math.max(0, Math.min(rows, nk - start))));
      if (real.every((r) => r === 0)) continue;
      real.forEach((r, k) => {
        if (r > 0) this.steps[k] = (this.steps[k] as number) + 1;
      });
      this.step(perms, start, rows, real, lr, start === 0);
    }
    this.epoch++;
    this.stopped.forEach((s, k) => {
      if (!s) this.epochs[k] = (this.epochs[k] as number) + 1;
    });
    return true;
  }

  /**
   * The mini-batch [K, rows, ·] of features and targets, assembled in JS from the folds' arrays and
   * uploaded once (slicing or gathering a big tensor copies all of it on the wasm backend).
   */
  private batch(
    perms: readonly number[][],
    start: number,
    rows: number,
    real: readonly number[],
  ): [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D | undefined, Float32Array] {
    const K = this.k;
    const d = this.model.nInputs;
    const classification = this.task === "classification";
    const yw = classification ? this.nClasses : 1;
    const x = new Float32Array(K * rows * d);
    const y = new Float32Array(K * rows * yw);
    const targets = new Float32Array(K * rows);
    // The transposed features [K, d, rows] too for hand-derived gradients (saves two ops per step).
    const xT = this.manual ? new Float32Array(K * rows * d) : undefined;
    real.forEach((r, k) => {
      const fold = this.data[k] as FoldData;
      const perm = perms[k] as number[];
      for (let i = 0; i < r; i++) {
        const row = perm[start + i] as number;
        const at = k * rows + i;
        x.set(fold.xTrain.subarray(row * d, row * d + d), at * d);
        if (xT) for (let j = 0; j < d; j++) xT[(k * d + j) * rows + i] = fold.xTrain[row * d + j] as number;
        const target = fold.yTrain[row] as number;
        targets[at] = target;
        if (classification) y[at * yw + target] = 1;
        else y[at] = (target - fold.yMean) / fold.yStd;
      }
    });
    return [tf.tensor3d(x, [K, rows, d]), tf.tensor3d(y, [K, rows, yw]), xT && tf.tensor3d(xT, [K, d, rows]), targets];
  }

  private step(
    perms: readonly number[][],
    start: number,
    rows: number,
    real: readonly number[],
    lr: number,
    measure: boolean,
  ): void {
    const { config, model } = this;
    const K = this.k;
    const theta = model.theta;
    const stats: BatchStats[] = [];
    const masks = model.drawDropoutMasks(rows, real);
    const timeGrads: tf.Tensor2D[] = [];
    const padded = real.some((r) => r !== rows);
    const allActive = real.every((r) => r > 0);
    try {
      tf.tidy(() => {
        const [xb, yb, xbT, targets] = this.batch(perms, start, rows, real);
        let w3: tf.Tensor3D | undefined;
        if (padded) {
          const w = new Float32Array(K * rows);
          real.forEach((r, k) => {
            w.fill(1, k * rows, k * rows + r);
          });
          w3 = tf.tensor3d(w, [K, rows, 1]);
        }
        const scales = this.rowScales(targets, rows, real);
        const scale3 = scales && tf.tensor3d(scales, [K, rows, 1]);
        const active = allActive
          ? undefined
          : tf.tensor1d(
              real.map((r) => (r > 0 ? 1 : 0)),
              "bool",
            );
        let g: tf.Tensor2D;
        let output: tf.Tensor3D;
        if (this.manual) {
          const r = manualGrads(model as Mlp, xb, yb, this.task, masks, scale3 ?? 1 / rows, xbT);
          g = r.grad;
          output = r.out;
        } else {
          let out: tf.Tensor3D | undefined;
          const { grads } = tf.variableGrads(() => {
            out = model.forward(xb, true, masks, stats, w3, measure ? timeGrads : undefined);
            tf.keep(out);
            for (const s of stats) {
              tf.keep(s.mean);
              tf.keep(s.variance);
            }
            const perRow = this.perRowLoss(out, yb);
            return (
              scale3 ? tf.sum(tf.mul(perRow, tf.squeeze(scale3, [2]))) : tf.div(tf.sum(perRow), rows)
            ) as tf.Scalar;
          }, [theta]);
          g = grads[theta.name] as tf.Tensor2D;
          output = out as tf.Tensor3D;
        }
        this.trainStats.add(tf.keep(output), targets, real, rows);
        if (config.weightDecay > 0) g = tf.add(g, tf.mul(tf.mul(theta, model.kernelMask), config.weightDecay));
        if (config.l1 > 0) g = tf.add(g, tf.mul(tf.mul(tf.sign(theta), model.kernelMask), config.l1));
        // Squared norms per model [K]: per layer, and all together.
        let globalSq: tf.Tensor1D | undefined;
        if (measure) {
          const perLayer = (tf.split(g, model.layerSizes, 1) as tf.Tensor2D[]).map(squaredNorms);
          globalSq = tf.addN(perLayer) as tf.Tensor1D;
          this.gradNorms?.dispose();
          this.gradNorms = tf.keep(tf.sqrt(tf.stack([globalSq, ...perLayer], 1)) as tf.Tensor2D);
          const time = timeGrads.pop();
          if (time) {
            this.timeGradNorms?.dispose();
            this.timeGradNorms = time;
          }
        }
        if (config.clipValue > 0) {
          g = clipByValue(g, config.clipValue);
          globalSq = undefined;
        }
        if (config.clipNorm > 0) g = clipByGlobalNorm(g, config.clipNorm, globalSq);
        this.optimizer.apply([theta], [g], { lr, t: this.steps, active });
        if (stats.length > 0) model.updateMovingStats(stats, active);
      });
    } finally {
      for (const t of timeGrads) t.dispose();
      for (const m of masks) m.dispose();
      for (const s of stats) {
        s.mean.dispose();
        s.variance.dispose();
      }
    }
  }

  /** Rows per evaluation forward pass (core's `evalChunkRows`: what bounds the pass's activations). */
  private get evalChunk(): number {
    return evalChunkRows(this.k, this.model.activationFloatsPerRow);
  }

  /**
   * Logits [K, N, C] of a split in evaluation mode (classification), in chunks of `evalChunk`
   * rows, each in its own tidy (a chunk's activations are freed before the next).
   */
  private logitsOf(split: PackedSplit): tf.Tensor3D {
    const parts: tf.Tensor3D[] = [];
    const chunk = this.evalChunk;
    for (let start = 0; start < split.N; start += chunk) {
      const rows = Math.min(chunk, split.N - start);
      // one chunk covering the split uses its tensor as it is (a slice would copy it)
      parts.push(
        tf.tidy(() =>
          this.model.forward(rows === split.N ? split.x : tf.slice(split.x, [0, start, 0], [this.k, rows, -1]), false),
        ),
      );
    }
    return parts.length === 1 ? (parts[0] as tf.Tensor3D) : (tf.concat(parts, 1) as tf.Tensor3D);
  }

  /** Sums per model over a split in evaluation mode (regression): [K, 3] (loss·n, SSE, SAE). */
  private regressionSums(split: PackedSplit): tf.Tensor2D {
    const K = this.k;
    const parts: tf.Tensor2D[] = [];
    const chunk = this.evalChunk;
    for (let start = 0; start < split.N; start += chunk) {
      const rows = Math.min(chunk, split.N - start);
      // one chunk covering the split uses its tensors as they are (a slice would copy them)
      const whole = rows === split.N;
      parts.push(
        tf.tidy(() =>
          this.chunkSums(
            whole ? split.x : tf.slice(split.x, [0, start, 0], [K, rows, -1]),
            whole ? split.y : tf.slice(split.y, [0, start, 0], [K, rows, -1]),
            whole ? split.weights : split.weights && tf.slice(split.weights, [0, start], [K, rows]),
            whole ? split.raw : tf.slice(split.raw, [0, start, 0], [K, rows, 1]),
            rows,
          ),
        ),
      );
    }
    return parts.length === 1 ? (parts[0] as tf.Tensor2D) : (tf.addN(parts) as tf.Tensor2D);
  }

  /** One evaluation chunk's [K, 3] sums (regressionSums). */
  private chunkSums(
    x: tf.Tensor3D,
    y: tf.Tensor3D,
    w: tf.Tensor2D | undefined,
    raw: tf.Tensor,
    rows: number,
  ): tf.Tensor2D {
    const out = this.model.forward(x, false);
    const lossSum = tf.mul(this.losses(out, y, w), w ? tf.sum(w, 1) : rows);
    const weighted = (t: tf.Tensor) => tf.sum(w ? tf.mul(t, w) : t, 1);
    const pred = tf.add(tf.mul(out, this.yStd as tf.Tensor), this.yMean as tf.Tensor);
    const err = tf.squeeze(tf.sub(pred, raw), [2]);
    return tf.stack([lossSum, weighted(tf.square(err)), weighted(tf.abs(err))], 1) as tf.Tensor2D;
  }

  /**
   * The epoch's records, read from the device once. Training metrics (`loss`, `accuracy` or `mse`,
   * `rmse`, `mae`, `r2`) are the running mean over the epoch's mini-batches, as scored by each
   * step's own forward pass (dropout active, weights before that step's update, no class weights;
   * see `TrainStats`); validation metrics (`val_…`) come from one forward pass over the validation
   * rows in evaluation mode (no dropout, moving batch-norm statistics): classification adds
   * `val_auc`, `val_f1`, `val_balanced_accuracy`, `val_log_loss` (see classification-metrics.ts),
   * regression `val_mse`, `val_rmse`, `val_mae`, `val_r2`; with an inner validation split,
   * `inner_val_loss` (what early stopping watches). Each record also has `gap`
   * (val_loss − loss), `lr`, and `grad_norm` and per layer `grad_norm/<layer name>` (`gradNormKey`)
   * of the epoch's first mini-batch; a recurrent net adds `TIME_GRAD_KEYS` (the gradient's norm at
   * its first recurrent layer's first and last timestep, same batch).
   */
  evaluate(lr: number): FoldRecord[] {
    const classification = this.task === "classification";
    const read = (split: PackedSplit | undefined) => {
      if (!split || split.N === 0) return undefined;
      const values = tf.tidy(() => (classification ? this.logitsOf(split) : this.regressionSums(split)));
      const v = values.dataSync();
      values.dispose();
      return v;
    };
    const v = read(this.val);
    const innerValues = read(this.inner);
    const grads = this.gradNorms?.dataSync();
    const gradCols = this.gradNorms?.shape[1] ?? 0;
    const names = this.model.layerNames;
    const time = this.timeGradNorms?.dataSync();
    const train = this.trainStats.read();
    const { N } = this.val;
    const C = this.nClasses;
    return Array.from({ length: this.k }, (_, k) => {
      const t = train[k] as (typeof train)[number];
      const n = this.val.n[k] as number;
      const rec: Record<string, number> = { loss: t.loss / t.rows };
      if (innerValues && this.inner) {
        const { N: Ni } = this.inner;
        const ni = this.inner.n[k] as number;
        rec.inner_val_loss = classification
          ? classificationScores(
              (this.data[k] as FoldData).yInner as Float32Array,
              innerValues.subarray(k * Ni * C, (k * Ni + ni) * C),
              ni,
              C,
            ).loss
          : (innerValues[k * 3] as number) / ni;
      }
      if (!v) {
        // no validation rows (a refit on every row outside the test split): training metrics only
        if (classification) rec.accuracy = t.correct / t.rows;
        else rec.mse = t.sse / t.rows;
        return rec;
      }
      if (classification) {
        rec.accuracy = t.correct / t.rows;
        const s = classificationScores((this.data[k] as FoldData).yVal, v.subarray(k * N * C, (k * N + n) * C), n, C);
        rec.val_loss = s.loss;
        rec.val_accuracy = s.accuracy;
        rec.val_auc = s.auc;
        rec.val_f1 = s.f1;
        rec.val_balanced_accuracy = s.balanced_accuracy;
        rec.val_log_loss = s.log_loss;
      } else {
        const regression = (prefix: string, rows: number, sse: number, sae: number, ssTot: number) => {
          rec[`${prefix}mse`] = sse / rows;
          rec[`${prefix}rmse`] = Math.sqrt(sse / rows);
          rec[`${prefix}mae`] = sae / rows;
          rec[`${prefix}r2`] = ssTot > 0 ? 1 - sse / ssTot : 0;
        };
        regression("", t.rows, t.sse, t.sae, this.train.ssTot[k] as number);
        const [lossSum, sse, sae] = [v[k * 3], v[k * 3 + 1], v[k * 3 + 2]] as number[];
        rec.val_loss = (lossSum as number) / n;
        regression("val_", n, sse as number, sae as number, this.val.ssTot[k] as number);
      }
      rec.gap = (rec.val_loss as number) - (rec.loss as number);
      rec.lr = lr;
      if (grads) {
        rec.grad_norm = grads[k * gradCols] as number;
        names.forEach((name, l) => {
          rec[gradNormKey(name)] = grads[k * gradCols + 1 + l] as number;
        });
      }
      if (time) {
        rec[TIME_GRAD_KEYS.first] = time[2 * k] as number;
        rec[TIME_GRAD_KEYS.last] = time[2 * k + 1] as number;
      }
      return rec;
    });
  }

  /**
   * Early-stopping bookkeeping after an epoch (one record per model; stopped models are skipped):
   * keeps the best weights of each model (`inner_val_loss` when the folds have an inner validation
   * split, else `val_loss`, lower than its best by more than `min_delta`),
   * and after `patience` epochs without one restores them and marks the model stopped. Without
   * early stopping the final record is the latest one.
   */
  observe(records: readonly FoldRecord[]): void {
    const { earlyStoppingPatience: patience, earlyStoppingMinDelta: minDelta } = this.config;
    const K = this.k;
    if (patience <= 0) {
      records.forEach((r, k) => {
        this.finalRecords[k] = r;
      });
      return;
    }
    const improved = new Array<boolean>(K).fill(false);
    const stopping = new Array<boolean>(K).fill(false);
    records.forEach((rec, k) => {
      if (this.stopped[k]) return;
      const valLoss = (rec.inner_val_loss ?? rec.val_loss) as number;
      if (valLoss < (this.bestValLoss[k] as number) - minDelta) {
        this.bestValLoss[k] = valLoss;
        this.sinceBest[k] = 0;
        this.finalRecords[k] = rec;
        improved[k] = true;
      } else {
        this.sinceBest[k] = (this.sinceBest[k] as number) + 1;
        if ((this.sinceBest[k] as number) >= patience) stopping[k] = true;
      }
    });
    const maskOf = (flags: readonly boolean[]) =>
      tf.tensor3d(
        flags.map((f) => (f ? 1 : 0)),
        [K, 1, 1],
        "bool",
      );
    if (improved.some(Boolean)) {
      if (!this.best) {
        this.best = this.model.snapshot();
      } else {
        const mask = maskOf(improved);
        try {
          this.best = this.model.updateSnapshot(this.best, mask);
        } finally {
          mask.dispose();
        }
      }
    }
    if (stopping.some(Boolean)) {
      const mask = maskOf(stopping);
      try {
        if (this.best) this.model.restore(this.best, mask);
      } finally {
        mask.dispose();
      }
      stopping.forEach((s, k) => {
        if (s) this.stopped[k] = true;
      });
    }
  }

  /** True when every model of the pack stopped early. */
  get done(): boolean {
    return this.stopped.every(Boolean);
  }

  dispose(): void {
    for (const t of this.best ?? []) t.dispose();
    this.best = undefined;
    this.gradNorms?.dispose();
    this.gradNorms = undefined;
    this.timeGradNorms?.dispose();
    this.timeGradNorms = undefined;
    this.yMean?.dispose();
    this.yStd?.dispose();
    this.optimizer.dispose();
    this.trainStats.dispose();
    this.model.dispose();
    this.val.x.dispose();
    this.val.y.dispose();
    this.val.raw.dispose();
    this.val.weights?.dispose();
    for (const t of [this.inner?.x, this.inner?.y, this.inner?.raw, this.inner?.weights]) t?.dispose();
  }
}
