import { describe, expect, it } from "vitest";
import { learningRateAt } from "./lr-schedule.ts";

const base = { learningRate: 0.1, lrDecay: 0.5, lrDecayEpochs: 10 };

describe("learningRateAt", () => {
  it("constant", () => {
    expect([0, 5, 99].map((e) => learningRateAt({ ...base, lrSchedule: "constant" }, e, 100))).toEqual([0.1, 0.1, 0.1]);
  });
  it("step: halves every lr_decay_steps epochs", () => {
    const lr = (e: number) => learningRateAt({ ...base, lrSchedule: "step" }, e, 100);
    expect([lr(0), lr(9), lr(10), lr(25)]).toEqual([0.1, 0.1, 0.05, 0.025]);
  });
  it("exponential: η·decay^epoch", () => {
    const lr = (e: number) => learningRateAt({ ...base, lrDecay: 0.9, lrSchedule: "exponential" }, e, 100);
    expect(lr(0)).toBe(0.1);
    expect(lr(2)).toBeCloseTo(0.081, 12);
  });
  it("cosine: from η down towards 0 over maxEpochs", () => {
    const lr = (e: number) => learningRateAt({ ...base, lrSchedule: "cosine" }, e, 10);
    expect(lr(0)).toBe(0.1);
    expect(lr(5)).toBeCloseTo(0.05, 12);
    expect(lr(9)).toBeCloseTo(0.1 * 0.5 * (1 + Math.cos(0.9 * Math.PI)), 12);
    expect(lr(9)).toBeGreaterThan(0);
  });
});
