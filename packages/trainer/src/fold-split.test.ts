import { describe, expect, it } from "vitest";
import { loadDataset } from "./datasets/load-dataset.ts";
import { splitFolds } from "./fold-split.ts";

describe("splitFolds", () => {
  const wine = loadDataset({ name: "wine", task: "classification" }); // classes of 59, 71, 48 rows

  function classCounts(rows: readonly number[]): number[] {
    const c = [0, 0, 0];
    for (const r of rows) c[wine.labels[r] as number]! += 1;
    return c;
  }

  it("stratifies classification folds: each validation fold holds each class in proportion", () => {
    const folds = splitFolds(wine, { folds: 5, stratified: true, seed: 9 });
    for (const f of folds) {
      const c = classCounts(f.validation);
      for (const [k, total] of [59, 71, 48].entries())
        expect(Math.abs((c[k] as number) - total / 5)).toBeLessThanOrEqual(1);
    }
    const all = folds.flatMap((f) => f.validation).sort((a, b) => a - b);
    expect(all).toEqual([...Array(178).keys()]);
  });

  it("does not stratify when cv.stratified is false (some fold strays from the proportions)", () => {
    const folds = splitFolds(wine, { folds: 5, stratified: false, seed: 9 });
    const maxDev = Math.max(
      ...folds.flatMap((f) => classCounts(f.validation).map((c, k) => Math.abs(c - [59, 71, 48][k]! / 5))),
    );
    expect(maxDev).toBeGreaterThan(1);
  });

  it("names the dataset when a class has fewer rows than folds", () => {
    expect(() => splitFolds(wine, { folds: 50, stratified: true, seed: 1 })).toThrow(
      'dataset "wine": class "2" has 48 rows, fewer than cv.folds (50)',
    );
  });
});
