import { describe, expect, it } from "vitest";
import { MedianPruner } from "./median-pruner.ts";
import type { PruneContext } from "./pruner.ts";

const ctx = (over: Partial<PruneContext>): PruneContext => ({
  trialId: "t0009",
  step: 3,
  value: 0.5,
  goal: "maximize",
  others: [0.4, 0.6, 0.7, 0.8, 0.9],
  finishedTrials: 5,
  ...over,
});

describe("MedianPruner", () => {
  const p = new MedianPruner({ nStartupTrials: 5, nWarmupSteps: 2 });

  it("prunes below the median (maximize) and above it (minimize)", () => {
    expect(p.shouldPrune(ctx({ value: 0.65 }))).toBe(true); // median 0.7
    expect(p.shouldPrune(ctx({ value: 0.7 }))).toBe(false);
    expect(p.shouldPrune(ctx({ value: 0.75 }))).toBe(false);
    expect(p.shouldPrune(ctx({ goal: "minimize", value: 0.75 }))).toBe(true);
    expect(p.shouldPrune(ctx({ goal: "minimize", value: 0.65 }))).toBe(false);
  });

  it("compares the trial's best value so far when given", () => {
    expect(p.shouldPrune(ctx({ value: 0.6, best: 0.72 }))).toBe(false);
  });

  it("waits for n_startup_trials finished trials and for the warm-up", () => {
    expect(p.shouldPrune(ctx({ value: 0.1, finishedTrials: 4 }))).toBe(false);
    expect(p.shouldPrune(ctx({ value: 0.1, step: 2 }))).toBe(false);
    expect(p.shouldPrune(ctx({ value: 0.1, step: 3 }))).toBe(true);
  });

  it("checks only every interval_steps after the warm-up", () => {
    const q = new MedianPruner({ nStartupTrials: 0, nWarmupSteps: 1, intervalSteps: 2 });
    expect([2, 3, 4, 5].map((step) => q.shouldPrune(ctx({ value: 0.1, step })))).toEqual([true, false, true, false]);
  });

  it("needs n_min_trials others and ignores their non-finite values", () => {
    const q = new MedianPruner({ nStartupTrials: 0, nMinTrials: 3 });
    expect(q.shouldPrune(ctx({ value: 0.1, others: [0.9, Number.NaN, 0.8] }))).toBe(false);
    expect(q.shouldPrune(ctx({ value: 0.1, others: [0.9, Number.NaN, 0.8, 0.85] }))).toBe(true);
  });

  it("prunes a NaN value at once", () => {
    expect(new MedianPruner().shouldPrune(ctx({ value: Number.NaN, step: 1, others: [], finishedTrials: 0 }))).toBe(
      true,
    );
  });

  it("uses others.length as the startup count by default", () => {
    const q = new MedianPruner({ nStartupTrials: 3 });
    expect(q.shouldPrune({ trialId: "t", step: 1, value: 0, goal: "maximize", others: [1, 1] })).toBe(false);
    expect(q.shouldPrune({ trialId: "t", step: 1, value: 0, goal: "maximize", others: [1, 1, 1] })).toBe(true);
  });
});
