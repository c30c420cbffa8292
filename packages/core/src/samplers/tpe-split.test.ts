import { describe, expect, it } from "vitest";
import type { TrialRecord } from "../types.ts";
import { defaultGamma, splitTrials } from "./tpe-split.ts";

const t = (i: number, state: TrialRecord["state"], mean?: number, prunedAt?: number): TrialRecord => ({
  sweepId: "s",
  id: `t${i}`,
  index: i,
  params: {},
  state,
  folds: [],
  ...(mean !== undefined ? { mean } : {}),
  ...(prunedAt !== undefined ? { prunedAt } : {}),
  createdAt: i,
  flags: [],
});

describe("splitTrials", () => {
  it("uses Optuna's gamma", () => {
    expect([0, 1, 10, 11, 100, 240, 251, 10000].map(defaultGamma)).toEqual([0, 1, 1, 2, 10, 24, 25, 25]);
  });

  it("puts the best γ(n) completed trials below, in trial order, and the liar's running trials above", () => {
    const trials = [
      ...Array.from({ length: 18 }, (_, i) => t(i, "completed", i / 100)),
      t(18, "running"),
      t(19, "queued"),
      t(20, "failed"),
      t(21, "cancelled"),
    ];
    const max = splitTrials(trials, "maximize");
    expect(max.below.map((x) => x.index)).toEqual([16, 17]); // 20 usable → γ = 2
    expect(max.above.map((x) => x.index)).toEqual([...Array.from({ length: 16 }, (_, i) => i), 18, 19]);
    expect(max.finished).toBe(18);
    expect(splitTrials(trials, "minimize").below.map((x) => x.index)).toEqual([0, 1]);
    expect(splitTrials(trials, "maximize", undefined, false).above.map((x) => x.index)).not.toContain(18);
  });

  it("ranks pruned trials of the same rung by their mean when they have one", () => {
    const trials = [
      t(0, "pruned", 0.5, 3),
      t(1, "pruned", 0.9, 3),
      t(2, "pruned", undefined, 3),
      ...Array.from({ length: 7 }, (_, i) => t(3 + i, "running")),
    ];
    expect(splitTrials(trials, "maximize").below.map((x) => x.index)).toEqual([1]);
    expect(splitTrials(trials, "minimize").below.map((x) => x.index)).toEqual([0]);
  });

  it("fills the good set with pruned trials that got furthest when few completed", () => {
    const trials = [
      t(0, "pruned", undefined, 1),
      t(1, "pruned", undefined, 9),
      t(2, "completed", 0.5),
      ...Array.from({ length: 17 }, (_, i) => t(3 + i, "diverged")),
    ];
    const s = splitTrials(trials, "maximize");
    expect(s.below.map((x) => x.index)).toEqual([1, 2]);
    expect(s.finished).toBe(20);
  });
});
