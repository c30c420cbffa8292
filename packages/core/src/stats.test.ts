import { describe, expect, it } from "vitest";
import { aggregate, compareScores, isBetter, median } from "./stats.ts";

describe("aggregate", () => {
  it("computes mean, sample std and sem by hand", () => {
    // values 2, 4, 4, 4, 5, 5, 7, 9: mean 5, Σ(x-mean)² = 32, sample var 32/7.
    const a = aggregate([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(a.n).toBe(8);
    expect(a.mean).toBe(5);
    expect(a.std).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(a.sem).toBeCloseTo(Math.sqrt(32 / 7) / Math.sqrt(8), 12);
  });

  it("gives std 0 for one value and refuses empty or non-finite input", () => {
    expect(aggregate([0.9])).toEqual({ n: 1, mean: 0.9, std: 0, sem: 0 });
    expect(() => aggregate([])).toThrow(RangeError);
    expect(() => aggregate([1, Number.NaN])).toThrow(/non-finite/);
  });
});

describe("ordering helpers", () => {
  it("isBetter follows the goal", () => {
    expect(isBetter(0.9, 0.8, "maximize")).toBe(true);
    expect(isBetter(0.9, 0.8, "minimize")).toBe(false);
  });

  it("compareScores sorts best first with undefined last", () => {
    expect([0.2, undefined, 0.9, 0.5].sort(compareScores("maximize"))).toEqual([0.9, 0.5, 0.2, undefined]);
    expect([0.2, undefined, 0.9, 0.5].sort(compareScores("minimize"))).toEqual([0.2, 0.5, 0.9, undefined]);
  });

  it("median of odd and even lists", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });
});
