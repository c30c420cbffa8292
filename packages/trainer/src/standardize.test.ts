import { describe, expect, it } from "vitest";
import { applyStandardizer, fitStandardizer } from "./standardize.ts";

describe("standardizer", () => {
  // 2 features; rows 0-2 are training rows, row 3 is a validation outlier.
  const features = Float32Array.from([1, 5, 2, 5, 3, 5, 1000, -7]);

  it("fits on the training rows only, so validation rows do not leak into the scaling", () => {
    const s = fitStandardizer(features, 2, [0, 1, 2]);
    expect(s.mean[0]).toBeCloseTo(2);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(2 / 3));
    const train = applyStandardizer(s, features, 2, [0, 1, 2]);
    expect(Array.from(train.filter((_, i) => i % 2 === 0)).map((v) => +v.toFixed(4))).toEqual([-1.2247, 0, 1.2247]);
    const val = applyStandardizer(s, features, 2, [3]);
    expect(val[0]).toBeCloseTo((1000 - 2) / Math.sqrt(2 / 3), 2);
  });

  it("gives a constant feature std 1 (zeros after scaling, no NaN)", () => {
    const s = fitStandardizer(features, 2, [0, 1, 2]);
    expect(s.std[1]).toBe(1);
    const val = applyStandardizer(s, features, 2, [0, 3]);
    expect(val[1]).toBe(0);
    expect(val[3]).toBe(-12);
  });
});
