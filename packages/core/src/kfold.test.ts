import { describe, expect, it } from "vitest";
import { HpoError } from "./errors.ts";
import { foldRunsOf, kFoldSplit, maxFoldRunsOf, repeatRangeOf, repeatSeed } from "./kfold.ts";

function checkPartition(folds: ReturnType<typeof kFoldSplit>, n: number): void {
  const seen = new Array<number>(n).fill(0);
  for (const f of folds) {
    const val = new Set(f.validation);
    expect(f.train.some((i) => val.has(i))).toBe(false);
    expect(f.train.length + f.validation.length).toBe(n);
    for (const i of f.validation) seen[i] = (seen[i] ?? 0) + 1;
  }
  // Every row is validated exactly once across folds.
  expect(seen.every((c) => c === 1)).toBe(true);
}

describe("kFoldSplit", () => {
  it("makes k disjoint folds that cover every row, sizes within one", () => {
    const folds = kFoldSplit(103, 5, 1);
    expect(folds).toHaveLength(5);
    checkPartition(folds, 103);
    const sizes = folds.map((f) => f.validation.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it("stratifies: each fold holds each class in proportion", () => {
    // 60 of class a, 30 of b, 15 of c.
    const labels = [...Array(60).fill("a"), ...Array(30).fill("b"), ...Array(15).fill("c")] as string[];
    const folds = kFoldSplit(labels.length, 5, 3, labels);
    checkPartition(folds, labels.length);
    for (const f of folds) {
      const count = (c: string) => f.validation.filter((i) => labels[i] === c).length;
      expect(count("a")).toBe(12);
      expect(count("b")).toBe(6);
      expect(count("c")).toBe(3);
    }
  });

  it("keeps per-class counts within one when classes do not divide evenly", () => {
    const labels = [...Array(17).fill(0), ...Array(8).fill(1)] as number[];
    const folds = kFoldSplit(labels.length, 3, 0, labels);
    checkPartition(folds, labels.length);
    for (const cls of [0, 1]) {
      const counts = folds.map((f) => f.validation.filter((i) => labels[i] === cls).length);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }
    const sizes = folds.map((f) => f.validation.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it("is deterministic under a seed and shuffles differently across seeds", () => {
    expect(kFoldSplit(50, 5, 7)).toEqual(kFoldSplit(50, 5, 7));
    expect(kFoldSplit(50, 5, 8)).not.toEqual(kFoldSplit(50, 5, 7));
  });

  it("refuses k < 2, k > n and classes smaller than k", () => {
    expect(() => kFoldSplit(10, 1, 0)).toThrow(HpoError);
    expect(() => kFoldSplit(10, 2.5, 0)).toThrow(/integer >= 2/);
    expect(() => kFoldSplit(3, 5, 0)).toThrow(/exceeds the number of rows/);
    expect(() => kFoldSplit(6, 3, 0, ["a", "a", "a", "a", "b", "b"])).toThrow(
      /class "b" has 2 rows, fewer than cv.folds \(3\)/,
    );
    try {
      kFoldSplit(10, 1, 0);
    } catch (e) {
      expect((e as HpoError).code).toBe("INVALID_DATASET");
    }
  });
});

describe("repeated K-fold helpers", () => {
  it("keeps cv.seed for repeat 0 and draws distinct seeds for the others", () => {
    expect(repeatSeed(7, 0)).toBe(7);
    const seeds = [1, 2, 3, 4].map((r) => repeatSeed(7, r));
    expect(new Set([7, ...seeds]).size).toBe(5);
    expect(repeatSeed(7, 2)).toBe(repeatSeed(7, 2));
    expect(repeatSeed(8, 2)).not.toBe(repeatSeed(7, 2));
  });

  it("counts K × R fold runs, all of cv.repeats by default", () => {
    expect(repeatRangeOf({})).toEqual({ from: 0, count: 1 });
    expect(foldRunsOf({ folds: 5 })).toBe(5);
    expect(foldRunsOf({ folds: 5, repeats: 3 })).toBe(15);
    expect(foldRunsOf({ folds: 5, repeats: 3 }, { from: 3, count: 2 })).toBe(10);
    // the most a trial can end with: its repeats and those of the selection phase
    expect(maxFoldRunsOf({ cv: { folds: 5 } })).toBe(5);
    expect(maxFoldRunsOf({ cv: { folds: 5, repeats: 3 }, select: { repeats: 2 } })).toBe(25);
  });
});
