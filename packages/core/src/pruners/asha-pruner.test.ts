import { describe, expect, it } from "vitest";
import { AshaPruner, isPromotable } from "./asha-pruner.ts";

const at = (step: number, value: number, others: number[], goal: "maximize" | "minimize" = "maximize") => ({
  trialId: "t0001",
  step,
  value,
  goal,
  others,
});

describe("AshaPruner", () => {
  it("has rungs at min_resource·η^k below max_resource", () => {
    const p = new AshaPruner({ minResource: 1, reductionFactor: 3, maxResource: 20 });
    const rungs = Array.from({ length: 30 }, (_, i) => i + 1).filter((s) => p.rungOf(s) !== undefined);
    expect(rungs).toEqual([1, 3, 9]);
    expect(new AshaPruner({ minResource: 2, reductionFactor: 2, minEarlyStoppingRate: 1 }).rungOf(4)).toBe(0);
  });

  it("keeps the top 1/η of a rung, itself included", () => {
    const p = new AshaPruner({ minResource: 1, reductionFactor: 3 });
    // 6 values at the rung with ours → keep 2: ours must beat all but one.
    expect(p.shouldPrune(at(3, 0.85, [0.9, 0.5, 0.6, 0.7, 0.8]))).toBe(false);
    expect(p.shouldPrune(at(3, 0.75, [0.9, 0.5, 0.6, 0.7, 0.8]))).toBe(true);
    expect(p.shouldPrune(at(3, 0.2, [0.9, 0.5, 0.6, 0.7, 0.8], "minimize"))).toBe(false);
    expect(p.shouldPrune(at(3, 0.65, [0.9, 0.5, 0.6, 0.7, 0.8], "minimize"))).toBe(true);
  });

  it("lets the first trial at a rung go on and then only the best while n < η", () => {
    const p = new AshaPruner({ reductionFactor: 3 });
    expect(p.shouldPrune(at(1, 0.1, []))).toBe(false);
    expect(p.shouldPrune(at(1, 0.1, [0.2]))).toBe(true);
    expect(p.shouldPrune(at(1, 0.3, [0.2]))).toBe(false);
  });

  it("never prunes off-rung, before the grace period or at max_resource", () => {
    const p = new AshaPruner({ minResource: 1, reductionFactor: 3, gracePeriod: 4, maxResource: 9 });
    expect(p.shouldPrune(at(2, 0, [1, 1, 1]))).toBe(false); // not a rung
    expect(p.shouldPrune(at(3, 0, [1, 1, 1]))).toBe(false); // rung before the grace period
    expect(p.shouldPrune(at(9, 0, [1, 1, 1]))).toBe(false); // the last epoch
    expect(new AshaPruner({ gracePeriod: 4 }).shouldPrune(at(9, 0, [1, 1, 1]))).toBe(true);
  });

  it("isPromotable counts ties in our favour", () => {
    expect(isPromotable(0.5, [0.5, 0.5], 3, "maximize")).toBe(true);
    expect(isPromotable(0.4, [0.5, 0.5], 3, "maximize")).toBe(false);
  });
});
