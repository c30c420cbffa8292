import { describe, expect, it } from "vitest";
import { classificationScores, rocAuc } from "./classification-metrics.ts";

/** Logits whose softmax is `probs` (row-major, rows summing to 1). */
const logitsOf = (probs: readonly number[][]) => Float64Array.from(probs.flat(), Math.log);

describe("rocAuc", () => {
  it("counts every positive–negative pair ranked right, a tie as one half", () => {
    // pairs (pos, neg): 0.5>0.2, 0.5=0.5 (½), 0.9>0.2, 0.9>0.5 → 3.5 / 4
    expect(rocAuc([0.2, 0.5, 0.5, 0.9], [0, 1, 0, 1])).toBe(0.875);
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    expect(rocAuc([0.3, 0.3, 0.3, 0.3], [1, 0, 1, 0])).toBe(0.5);
    expect(rocAuc([0.9, 0.1], [0, 1])).toBe(0);
  });

  it("is NaN when one side has no row", () => {
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeNaN();
    expect(rocAuc([], [])).toBeNaN();
  });
});

describe("classificationScores", () => {
  it("binary: AUC of class 1's probability, accuracy, log loss", () => {
    const probs = [
      [0.8, 0.2],
      [0.4, 0.6],
      [0.6, 0.4],
      [0.1, 0.9],
    ];
    const s = classificationScores([0, 0, 1, 1], logitsOf(probs), 4, 2);
    // class-1 scores 0.2, 0.6 (neg) vs 0.4, 0.9 (pos): 0.4>0.2, 0.4<0.6, 0.9>both → 3/4
    expect(s.auc).toBeCloseTo(0.75, 12);
    expect(s.accuracy).toBe(0.5);
    expect(s.log_loss).toBeCloseTo(-(Math.log(0.8) + Math.log(0.4) + Math.log(0.4) + Math.log(0.9)) / 4, 12);
    expect(s.loss).toBeCloseTo(s.log_loss, 12);
    // recall: class 0 1/2, class 1 1/2; F1: class 0 2·1/(2+2), class 1 the same
    expect(s.balanced_accuracy).toBeCloseTo(0.5, 12);
    expect(s.f1).toBeCloseTo(0.5, 12);
  });

  it("macro F1 over the classes true or predicted: a predicted class absent from the labels counts 0, a class absent from both not at all", () => {
    // true 0 0 1 1, predicted 0 1 1 2, with a 4th class nobody has
    const probs = [
      [0.7, 0.1, 0.1, 0.1],
      [0.1, 0.7, 0.1, 0.1],
      [0.1, 0.7, 0.1, 0.1],
      [0.1, 0.1, 0.7, 0.1],
    ];
    const s = classificationScores([0, 0, 1, 1], logitsOf(probs), 4, 4);
    // F1: class 0 2·1/(2+1) = 2/3, class 1 2·1/(2+2) = 1/2, class 2 0 → mean over 3
    expect(s.f1).toBeCloseTo((2 / 3 + 1 / 2 + 0) / 3, 12);
    // recall over the classes present in the labels only: (1/2 + 1/2) / 2
    expect(s.balanced_accuracy).toBeCloseTo(0.5, 12);
    expect(s.accuracy).toBe(0.5);
  });

  it("multi-class AUC: mean one-vs-rest over the classes with both sides present, ties as one half", () => {
    // rows 0 and 1 are identical, so their probabilities tie exactly
    const probs = [
      [0.5, 0.3, 0.2],
      [0.5, 0.3, 0.2],
      [0.2, 0.6, 0.2],
      [0.1, 0.1, 0.8],
    ];
    const s = classificationScores([0, 1, 1, 2], logitsOf(probs), 4, 3);
    // class 0: pos {0.5} vs neg {0.5, 0.2, 0.1} → (½ + 1 + 1)/3 = 5/6
    // class 1: pos {0.3, 0.6} vs neg {0.3, 0.1} → (½ + 1 + 1 + 1)/4 = 7/8
    // class 2: pos {0.8} vs neg {0.2, 0.2, 0.2} → 1
    expect(s.auc).toBeCloseTo((5 / 6 + 7 / 8 + 1) / 3, 12);
    // no row of class 2: left out of the mean. class 0: 5/6; class 1: pos {0.3, 0.6, 0.1} vs neg {0.3} → 1.5/3
    expect(classificationScores([0, 1, 1, 1], logitsOf(probs), 4, 3).auc).toBeCloseTo((5 / 6 + 1 / 2) / 2, 12);
  });

  it("clips the log loss at 1e-15 as sklearn does, while the loss stays the cross-entropy of the logits", () => {
    const s = classificationScores([0], Float64Array.from([0, 100]), 1, 2);
    expect(s.log_loss).toBeCloseTo(-Math.log(1e-15), 10);
    expect(s.loss).toBeCloseTo(100, 10);
  });

  it("gives NaN for an empty split and a NaN loss for NaN logits", () => {
    expect(classificationScores([], [], 0, 2).auc).toBeNaN();
    expect(classificationScores([0], [Number.NaN, 1], 1, 2).loss).toBeNaN();
  });

  // Figures computed once with scikit-learn 1.2.1 (Debian python3-sklearn): roc_auc_score (binary;
  // multi_class="ovr", average="macro"), f1_score(average="macro"), balanced_accuracy_score,
  // log_loss, accuracy_score on the same labels and probabilities (argmax for the predictions).
  it("matches scikit-learn on a binary problem with tied scores", () => {
    const y = [0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0];
    const p1 = [0.1, 0.8, 0.5, 0.5, 0.7, 0.2, 0.5, 0.9, 0.3, 0.4, 0.5, 0.6];
    const s = classificationScores(y, logitsOf(p1.map((p) => [1 - p, p])), y.length, 2);
    expect(s.auc).toBeCloseTo(0.7777777777777778, 12);
    expect(s.f1).toBeCloseTo(0.6571428571428571, 12);
    expect(s.balanced_accuracy).toBeCloseTo(0.6666666666666667, 12);
    expect(s.log_loss).toBeCloseTo(0.534780080007389, 12);
    expect(s.accuracy).toBeCloseTo(0.6666666666666666, 12);
  });

  it("matches scikit-learn on a 3-class problem (macro one-vs-rest AUC)", () => {
    const y = [0, 1, 2, 2, 1, 0, 2, 1, 0, 2];
    // rows 7 and 8 are identical (exact ties); no other value repeats within a column, since
    // probabilities that went through a softmax tie only when their rows do
    const probs = [
      [0.6, 0.3, 0.1],
      [0.2, 0.5, 0.3],
      [0.1, 0.15, 0.75],
      [0.25, 0.42, 0.33],
      [0.5, 0.35, 0.15],
      [0.7, 0.22, 0.08],
      [0.18, 0.12, 0.7],
      [0.4, 0.4, 0.2],
      [0.4, 0.4, 0.2],
      [0.05, 0.1, 0.85],
    ];
    const s = classificationScores(y, logitsOf(probs), y.length, 3);
    expect(s.auc).toBeCloseTo(0.9206349206349206, 12);
    expect(s.f1).toBeCloseTo(0.669047619047619, 12);
    expect(s.balanced_accuracy).toBeCloseTo(0.6944444444444443, 12);
    expect(s.log_loss).toBeCloseTo(0.6358589906921556, 12);
  });
});
