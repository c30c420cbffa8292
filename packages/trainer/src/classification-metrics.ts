/**
 * Validation metrics of a classifier from its logits, in float64 JS (what `val_…` keys report).
 * Definitions follow scikit-learn's, so figures can be checked against it.
 */

import { scanLogitRow } from "./logit-row.ts";

/** The metrics of one fold's validation rows. */
export interface ClassificationScores {
  /** Mean cross-entropy of the softmax (from the logits: finite exactly when they are). */
  readonly loss: number;
  /** Mean −log(max(p_true, 1e-15)): sklearn's log_loss with its clipping. */
  readonly log_loss: number;
  /** Share of rows whose largest logit is the true class (the first on ties). */
  readonly accuracy: number;
  /** ROC AUC: of class 1's probability for two classes; macro one-vs-rest over the classes present for more. */
  readonly auc: number;
  /** Macro F1 over the classes that are true or predicted somewhere (0 where precision and recall are 0). */
  readonly f1: number;
  /** Mean recall over the classes present in the true labels. */
  readonly balanced_accuracy: number;
}

/** Smallest probability a log loss takes the logarithm of (sklearn clips at this ε). */
const LOG_LOSS_EPS = 1e-15;

/**
 * ROC AUC of `scores` for the rows `positive` marks against the others: the Mann–Whitney U
 * statistic with midranks, so tied scores count one half. NaN when either side has no row.
 */
export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let rankSum = 0;
  let nPos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1] as number] === scores[order[i] as number]) j++;
    const midrank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) {
      if (positive[order[t] as number]) {
        rankSum += midrank;
        nPos++;
      }
    }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * Scores `n` rows of `C`-class logits (row-major `logits[i·C + c]`) against class ids `labels`.
 * @returns NaN for every metric when `n` is 0; `auc` is NaN when no class has both positive and
 *          negative rows.
 */
export function classificationScores(
  labels: ArrayLike<number>,
  logits: ArrayLike<number>,
  n: number,
  C: number,
): ClassificationScores {
  if (n === 0) {
    const nan = Number.NaN;
    return { loss: nan, log_loss: nan, accuracy: nan, auc: nan, f1: nan, balanced_accuracy: nan };
  }
  const probs = new Float64Array(n * C);
  const truth = new Array<number>(C).fill(0);
  const predicted = new Array<number>(C).fill(0);
  const hits = new Array<number>(C).fill(0);
  let loss = 0;
  let logLoss = 0;
  for (let i = 0; i < n; i++) {
    const at = i * C;
    const { best, max, sumExp: sum } = scanLogitRow(logits, at, C);
    for (let c = 0; c < C; c++) probs[at + c] = Math.exp((logits[at + c] as number) - max) / sum;
    const y = labels[i] as number;
    // NaN logits make max NaN and the loss NaN (what divergence detection looks for)
    loss += max + Math.log(sum) - (logits[at + y] as number);
    logLoss -= Math.log(Math.max(probs[at + y] as number, LOG_LOSS_EPS));
    truth[y] = (truth[y] as number) + 1;
    predicted[best] = (predicted[best] as number) + 1;
    if (best === y) hits[y] = (hits[y] as number) + 1;
  }
  let f1Sum = 0;
  let f1Classes = 0;
  let recallSum = 0;
  let present = 0;
  for (let c = 0; c < C; c++) {
    const t = truth[c] as number;
    const p = predicted[c] as number;
    if (t + p > 0) {
      f1Sum += (2 * (hits[c] as number)) / (t + p);
      f1Classes++;
    }
    if (t > 0) {
      recallSum += (hits[c] as number) / t;
      present++;
    }
  }
  return {
    loss: loss / n,
    log_loss: logLoss / n,
    accuracy: hits.reduce((a, b) => a + b, 0) / n,
    auc: aucOf(labels, probs, n, C, truth),
    f1: f1Sum / f1Classes,
    balanced_accuracy: recallSum / present,
  };
}

/** Binary: AUC of class 1; more classes: mean one-vs-rest AUC over the classes with both sides present. */
function aucOf(labels: ArrayLike<number>, probs: Float64Array, n: number, C: number, truth: number[]): number {
  const column = (c: number) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = probs[i * C + c] as number;
    return out;
  };
  const isClass = (c: number) => Uint8Array.from({ length: n }, (_, i) => (labels[i] === c ? 1 : 0));
  if (C === 2) return rocAuc(column(1), isClass(1));
  let sum = 0;
  let classes = 0;
  for (let c = 0; c < C; c++) {
    if (truth[c] === 0 || truth[c] === n) continue;
    sum += rocAuc(column(c), isClass(c));
    classes++;
  }
  return classes > 0 ? sum / classes : Number.NaN;
}
