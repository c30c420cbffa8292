import { kFoldSplit, repeatSeed } from "@hpo/core";
import { describe, expect, it } from "vitest";
import { loadDataset } from "./datasets/load-dataset.ts";
import { splitFolds, testSplit, withInnerSplit } from "./fold-split.ts";

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

  it("keeps the test split out of every fold: the folds partition exactly the other rows", () => {
    const cv = { folds: 5, stratified: true, seed: 9, test_fraction: 0.2 };
    const test = testSplit(wine, cv);
    expect(test?.heldOut).toHaveLength(Math.round(59 * 0.2) + Math.round(71 * 0.2) + Math.round(48 * 0.2));
    expect(classCounts(test?.heldOut ?? [])).toEqual([12, 14, 10]);
    const held = new Set(test?.heldOut);
    const folds = splitFolds(wine, cv);
    for (const f of folds) expect([...f.train, ...f.validation].some((r) => held.has(r))).toBe(false);
    const validated = folds.flatMap((f) => f.validation).sort((a, b) => a - b);
    expect(validated).toEqual(test?.kept);
    // the same seed draws the same test split; another seed another one
    expect(testSplit(wine, cv)?.heldOut).toEqual(test?.heldOut);
    expect(testSplit(wine, { ...cv, seed: 10 })?.heldOut).not.toEqual(test?.heldOut);
  });

  it("leaves the folds of a sweep without a test split as they were", () => {
    expect(testSplit(wine, { folds: 5, stratified: true, seed: 9 })).toBeUndefined();
    const folds = splitFolds(wine, { folds: 5, stratified: true, seed: 9 });
    expect(folds).toEqual(kFoldSplit(178, 5, 9, Array.from(wine.labels)));
  });

  it("runs R × K folds with cv.repeats: each repeat partitions the rows with its own shuffle", () => {
    const cv = { folds: 5, stratified: true, seed: 9, repeats: 3 };
    const folds = splitFolds(wine, cv);
    expect(folds).toHaveLength(15);
    // repeat 0 is the plain K-fold of cv.seed, so repeats: 1 and old sweeps keep their folds
    expect(folds.slice(0, 5)).toEqual(splitFolds(wine, { folds: 5, stratified: true, seed: 9 }));
    for (let r = 0; r < 3; r++) {
      const repeat = folds.slice(r * 5, r * 5 + 5);
      expect(repeat.flatMap((f) => f.validation).sort((a, b) => a - b)).toEqual([...Array(178).keys()]);
      expect(repeat).toEqual(kFoldSplit(178, 5, repeatSeed(9, r), Array.from(wine.labels)));
    }
    expect(folds[5]?.validation).not.toEqual(folds[0]?.validation);
    // a later range (the selection phase) gives the folds those repeats would have had
    const more = splitFolds(wine, cv, { from: 3, count: 2 });
    expect(more).toHaveLength(10);
    expect(more[0]).toEqual(kFoldSplit(178, 5, repeatSeed(9, 3), Array.from(wine.labels))[0]);
    expect(splitFolds(wine, { ...cv, repeats: 5 }).slice(15)).toEqual(more);
  });

  it("takes the inner validation split from the fold's training rows only when early stopping is on", () => {
    const cv = { folds: 5, stratified: true, seed: 9 };
    const [fold] = splitFolds(wine, cv);
    if (!fold) throw new Error("no fold");
    expect(withInnerSplit(wine, cv, fold, 0, 0)).toBe(fold);
    expect(withInnerSplit(wine, { ...cv, early_stopping: "fold" }, fold, 5, 0)).toBe(fold);
    const inner = withInnerSplit(wine, cv, fold, 5, 0);
    expect(inner.validation).toBe(fold.validation);
    expect([...inner.train, ...(inner.inner ?? [])].sort((a, b) => a - b)).toEqual(fold.train);
    // stratified: each class gives round(10 %) of its rows
    expect(Math.abs((inner.inner?.length ?? 0) - fold.train.length * 0.1)).toBeLessThanOrEqual(1.5);
    expect(withInnerSplit(wine, { ...cv, inner_fraction: 0.25 }, fold, 5, 0).inner?.length).toBeGreaterThan(30);
  });
});
