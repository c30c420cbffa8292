import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { classificationScores } from "../classification-metrics.ts";
import type { Dataset } from "../datasets/dataset.ts";
import { encodeRows, type FoldEncoder } from "../fold-encoder.ts";
import { applyStandardizer } from "../standardize.ts";
import type { Preprocessing } from "./exported-model.ts";

/** Rows per forward pass (bounds memory on large files). */
const PREDICT_CHUNK = 8_192;

/** The model inputs of `rows` of `data`: encoded and standardized with an export's preprocessing. */
export function encodeForModel(pre: Preprocessing, data: Dataset, rows: readonly number[]): Float32Array {
  const encoder: FoldEncoder = {
    numeric: pre.numeric,
    categorical: pre.categorical,
    maxCategories: Number.POSITIVE_INFINITY,
    inputs: pre.inputs,
  };
  const width = pre.inputs.length;
  const scaling = { mean: Float64Array.from(pre.mean), std: Float64Array.from(pre.std) };
  return applyStandardizer(
    scaling,
    encodeRows(encoder, data, rows),
    width,
    rows.map((_, i) => i),
  );
}

/** The model's raw outputs for `n` rows of inputs (row-major `n × inputs`): `n × outputs` values. */
export function modelOutputs(model: tfl.LayersModel, x: Float32Array, n: number, width: number): Float32Array {
  const out = new Float32Array(n * (model.outputs[0]?.shape[1] ?? 1));
  let at = 0;
  for (let start = 0; start < n; start += PREDICT_CHUNK) {
    const rows = Math.min(PREDICT_CHUNK, n - start);
    const y = tf.tidy(
      () => model.predict(tf.tensor2d(x.subarray(start * width, (start + rows) * width), [rows, width])) as tf.Tensor,
    );
    const v = y.dataSync() as Float32Array;
    y.dispose();
    out.set(v, at);
    at += v.length;
  }
  return out;
}

/** A regression output in the target's own units. */
function targetOf(pre: Preprocessing, out: number): number {
  if (pre.outputs === "target") return out;
  const { mean, std } = pre.target ?? { mean: 0, std: 1 };
  return out * std + mean;
}

/** One row's prediction: the class name (classification) or the target in original units. */
export type Prediction = string | number;

/** Predictions from the model's outputs: the class of the largest logit (the first on ties), or the de-standardized target. */
export function predictionsOf(pre: Preprocessing, outputs: Float32Array, n: number): Prediction[] {
  if (pre.task === "regression") return Array.from(outputs.subarray(0, n), (v) => targetOf(pre, v));
  const C = pre.classes.length;
  return Array.from({ length: n }, (_, i) => {
    let best = 0;
    for (let c = 1; c < C; c++) if ((outputs[i * C + c] as number) > (outputs[i * C + best] as number)) best = c;
    return pre.classes[best] as string;
  });
}

/**
 * The sweep metrics of the model on labelled rows, keyed as the folds' validation metrics
 * (`val_accuracy`, `val_loss`, … for classification; `val_loss`, `val_mse`, `val_rmse`, `val_mae`,
 * `val_r2` for regression), so a sweep's `metric.name` picks the test score out of them.
 * `labels`: class ids (classification) or targets in original units.
 */
export function scoreOutputs(
  pre: Preprocessing,
  outputs: Float32Array,
  labels: Float32Array,
  n: number,
): Record<string, number> {
  if (pre.task === "classification") {
    // log-probabilities are logits of the same probabilities (softmax(log p) = p)
    const logits = pre.outputs === "probabilities" ? outputs.map((p) => Math.log(Math.max(p, 1e-7))) : outputs;
    const s = classificationScores(labels, logits, n, pre.classes.length);
    return {
      val_accuracy: s.accuracy,
      val_loss: s.loss,
      val_auc: s.auc,
      val_f1: s.f1,
      val_balanced_accuracy: s.balanced_accuracy,
      val_log_loss: s.log_loss,
    };
  }
  const { std } = pre.target ?? { mean: 0, std: 1 };
  let sse = 0;
  let sae = 0;
  let loss = 0;
  let yMean = 0;
  for (let i = 0; i < n; i++) yMean += labels[i] as number;
  yMean /= n;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i] as number;
    const out = outputs[i] as number;
    const err = targetOf(pre, out) - y;
    const z = err / std;
    sse += err * err;
    sae += Math.abs(err);
    loss += z * z;
    ssTot += (y - yMean) ** 2;
  }
  return {
    val_loss: loss / n,
    val_mse: sse / n,
    val_rmse: Math.sqrt(sse / n),
    val_mae: sae / n,
    val_r2: ssTot > 0 ? 1 - sse / ssTot : 0,
  };
}
