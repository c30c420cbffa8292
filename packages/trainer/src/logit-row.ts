/** One row of class logits, scanned once for what both the softmax and its cross-entropy need. */
export interface LogitRow {
  /** Index of the largest logit (the first on ties). */
  readonly best: number;
  /** The largest logit (NaN when the row's first logit is NaN). */
  readonly max: number;
  /** Σ exp(logit − max): the softmax's denominator, shifted by `max` so it cannot overflow. */
  readonly sumExp: number;
}

/**
 * Scans the `C` logits of one row, `logits[at]` to `logits[at + C − 1]`.
 * The row's cross-entropy for class y is then `max + log(sumExp) − logits[at + y]`, and its
 * softmax `exp(logits[at + c] − max) / sumExp`; NaN logits make them NaN (what divergence
 * detection looks for). Never throws; `C` must be at least 1.
 */
export function scanLogitRow(logits: ArrayLike<number>, at: number, C: number): LogitRow {
  let best = 0;
  let max = logits[at] as number;
  for (let c = 1; c < C; c++) {
    const x = logits[at + c] as number;
    if (x > max) {
      max = x;
      best = c;
    }
  }
  let sumExp = 0;
  for (let c = 0; c < C; c++) sumExp += Math.exp((logits[at + c] as number) - max);
  return { best, max, sumExp };
}
