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
    const p = new AshaPruner({ min_resource: 1, reduction_factor: 3, max_resource: 20 });
    const rungs = Array.from({ length: 30 }, (_, i) => i + 1).filter((s) => p.rungOf(s) !== undefined);
    expect(rungs).toEqual([1, 3, 9]);
    expect(new AshaPruner({ min_resource: 2, reduction_factor: 2, min_early_stopping_rate: 1 }).rungOf(4)).toBe(0);
  });

  it("keeps the top 1/η of a rung, itself included", () => {
    const p = new AshaPruner({ min_resource: 1, reduction_factor: 3 });
    // 6 values at the rung with ours → keep 2: ours must beat all but one.
    expect(p.shouldPrune(at(3, 0.85, [0.9, 0.5, 0.6, 0.7, 0.8]))).toBe(false);
    expect(p.shouldPrune(at(3, 0.75, [0.9, 0.5, 0.6, 0.7, 0.8]))).toBe(true);
    expect(p.shouldPrune(at(3, 0.2, [0.9, 0.5, 0.6, 0.7, 0.8], "minimize"))).toBe(false);
    expect(p.shouldPrune(at(3, 0.65, [0.9, 0.5, 0.6, 0.7, 0.8], "minimize"))).toBe(true);
  });

  it("lets the first trial at a rung go on and then only the best while n < η", () => {
    const p = new AshaPruner({ reduction_factor: 3 });
    expect(p.shouldPrune(at(1, 0.1, []))).toBe(false);
    expect(p.shouldPrune(at(1, 0.1, [0.2]))).toBe(true);
    expect(p.shouldPrune(at(1, 0.3, [0.2]))).toBe(false);
  });

  it("never prunes off-rung, before the grace period or at max_resource", () => {
    const p = new AshaPruner({ min_resource: 1, reduction_factor: 3, grace_period: 4, max_resource: 9 });
    expect(p.shouldPrune(at(2, 0, [1, 1, 1]))).toBe(false); // not a rung
    expect(p.shouldPrune(at(3, 0, [1, 1, 1]))).toBe(false); // rung before the grace period
    expect(p.shouldPrune(at(9, 0, [1, 1, 1]))).toBe(false); // the last epoch
    expect(new AshaPruner({ grace_period: 4 }).shouldPrune(at(9, 0, [1, 1, 1]))).toBe(true);
  });

  it("isPromotable counts ties in our favour", () => {
    expect(isPromotable(0.5, [0.5, 0.5], 3, "maximize")).toBe(true);
    expect(isPromotable(0.4, [0.5, 0.5], 3, "maximize")).toBe(false);
  });
});
