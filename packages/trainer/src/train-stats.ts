import type * as tf from "@tensorflow/tfjs-core";
import type { FoldData } from "./fold-data.ts";
import { scanLogitRow } from "./logit-row.ts";

/** One training step's outputs, kept until the epoch's metrics are read. */
interface StepOutputs {
  /** The training forward pass's outputs [K, rows, C] (logits) or [K, rows, 1] (standardized). */
  readonly out: tf.Tensor;
  /** Row r of model k's target in `targets[k·rows + r]`: class id, or target in original units. */
  readonly targets: Float32Array;
  /** Real rows of each model in this step (the rest is padding). */
  readonly real: readonly number[];
  readonly rows: number;
}

/**
 * Per-model sums over the rows trained since the last `read`: rows, loss·rows, and correct
 * predictions (classification) or SSE and SAE in original units (regression).
 */
export interface TrainSums {
  readonly rows: number;
  readonly loss: number;
  readonly correct: number;
  readonly sse: number;
  readonly sae: number;
}

/**
 * Training metrics as the running mean over an epoch's mini-batches (what Keras reports): each
 * step's forward-pass outputs (dropout active, weights before the step's update) are kept and
 * scored in JS when the epoch's metrics are read, so training costs no extra pass over the
 * training rows and no extra device op. Losses are computed in float64 from the logits
 * (log-sum-exp), so they stay finite exactly when the logits are finite.
 */
export class TrainStats {
  private pending: StepOutputs[] = [];
  private last: TrainSums[] | undefined;

  constructor(
    private readonly data: readonly FoldData[],
    private readonly task: "classification" | "regression",
  ) {}

  /** Keeps `out` (the caller must have `tf.keep`-ed it; this object disposes it). */
  add(out: tf.Tensor, targets: Float32Array, real: readonly number[], rows: number): void {
    this.pending.push({ out, targets, real, rows });
  }

  /**
   * Sums of each model over the steps since the previous call (the previous call's sums when no
   * step ran since), and frees the kept outputs.
   */
  read(): TrainSums[] {
    if (this.pending.length === 0 && this.last) return this.last;
    const K = this.data.length;
    const acc = Array.from({ length: K }, () => ({ rows: 0, loss: 0, correct: 0, sse: 0, sae: 0 }));
    for (const s of this.pending) {
      const v = s.out.dataSync();
      const width = s.out.shape[2] as number;
      s.real.forEach((r, k) => {
        const a = acc[k] as (typeof acc)[number];
        a.rows += r;
        if (this.task === "classification") this.scoreClasses(a, v, s, k, r, width);
        else this.scoreTargets(a, v, s, k, r);
      });
      s.out.dispose();
    }
    this.pending = [];
    this.last = acc;
    return acc;
  }

  private scoreClasses(
    a: { loss: number; correct: number },
    v: Float32Array | Int32Array | Uint8Array,
    s: StepOutputs,
    k: number,
    r: number,
    C: number,
  ): void {
    for (let i = 0; i < r; i++) {
      const at = (k * s.rows + i) * C;
      const { best, max, sumExp: sum } = scanLogitRow(v, at, C);
      const y = s.targets[k * s.rows + i] as number;
      // NaN logits make max NaN and the loss NaN (what divergence detection looks for).
      a.loss += max + Math.log(sum) - (v[at + y] as number);
      if (best === y) a.correct++;
    }
  }

  private scoreTargets(
    a: { loss: number; sse: number; sae: number },
    v: Float32Array | Int32Array | Uint8Array,
    s: StepOutputs,
    k: number,
    r: number,
  ): void {
    const { yMean, yStd } = this.data[k] as FoldData;
    for (let i = 0; i < r; i++) {
      const out = v[k * s.rows + i] as number;
      const target = s.targets[k * s.rows + i] as number;
      const z = out - (target - yMean) / yStd;
      const err = out * yStd + yMean - target;
      a.loss += z * z;
      a.sse += err * err;
      a.sae += Math.abs(err);
    }
  }

  /** Frees the kept outputs (when an epoch is abandoned). */
  dispose(): void {
    for (const s of this.pending) s.out.dispose();
    this.pending = [];
  }
}
