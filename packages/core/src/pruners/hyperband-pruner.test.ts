import { describe, expect, it } from "vitest";
import { HyperbandPruner } from "./hyperband-pruner.ts";
import { createPruner, NopPruner, othersInGroup } from "./index.ts";

describe("HyperbandPruner", () => {
  const p = new HyperbandPruner({ minResource: 1, maxResource: 27, reductionFactor: 3 });

  it("makes ⌊log_η(max/min)⌋ + 1 brackets whose first rungs grow by η", () => {
    expect(p.brackets).toHaveLength(4);
    expect(p.brackets.map((b) => [1, 3, 9, 27].find((s) => b.rungOf(s) === 0))).toEqual([1, 3, 9, undefined]);
  });

  it("assigns brackets deterministically, weighted towards aggressive ones", () => {
    const ids = Array.from({ length: 4000 }, (_, i) => `t${String(i).padStart(4, "0")}`);
    expect(ids.map((id) => p.bracketOf(id))).toEqual(
      ids.map((id) => new HyperbandPruner({ minResource: 1, maxResource: 27 }).bracketOf(id)),
    );
    const counts = [0, 0, 0, 0];
    for (const id of ids) counts[p.bracketOf(id)]!++;
    // budgets ⌈4·27/4⌉=27, ⌈4·9/3⌉=12, ⌈4·3/2⌉=6, ⌈4·1/1⌉=4 of 49; every bracket within 0.025
    // (more than 3 standard deviations of a share among 4,000: at most √(0.55·0.45/4000) = 0.0079).
    const shares = counts.map((c) => c / 4000);
    for (const [s, budget] of [27, 12, 6, 4].entries()) {
      expect(Math.abs((shares[s] as number) - budget / 49), `bracket ${s}: ${shares[s]}`).toBeLessThan(0.025);
    }
    expect(p.groupOf(ids[0]!)).toBe(`b${p.bracketOf(ids[0]!)}`);
  });

  /** The first of t0, t1, … that lands in each bracket of `pruner`. */
  const idPerBracket = (pruner: HyperbandPruner) =>
    pruner.brackets.map(
      (_, s) => Array.from({ length: 500 }, (_, i) => `t${i}`).find((t) => pruner.bracketOf(t) === s)!,
    );

  it("prunes only at its own bracket's rungs, in every bracket", () => {
    // min 1, η 3, max 27 (no rung at 27: the trial ends there): bracket s has rungs 3^s, 3^(s+1), … < 27
    const rungs = [[1, 3, 9], [3, 9], [9], []];
    for (const [s, id] of idPerBracket(p).entries()) {
      // the worst value of four at every epoch: pruned exactly at a rung
      const pruned = Array.from({ length: 27 }, (_, i) => i + 1).filter((step) =>
        p.shouldPrune({ trialId: id, step, value: 0.1, goal: "maximize", others: [0.9, 0.8, 0.7] }),
      );
      expect({ bracket: s, pruned }).toEqual({ bracket: s, pruned: rungs[s] });
    }
  });

  it("keeps the top ⌊n/η⌋ at a rung, in every bracket that has one", () => {
    const others = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]; // n = 7 with the trial itself: the top ⌊7/3⌋ = 2 go on
    const firstRung = [1, 3, 9];
    for (const [s, id] of idPerBracket(p).slice(0, 3).entries()) {
      const at = (value: number, goal: "maximize" | "minimize" = "maximize") =>
        p.shouldPrune({ trialId: id, step: firstRung[s] as number, value, goal, others });
      expect([at(0.95), at(0.85), at(0.75), at(0.1)], `bracket ${s}`).toEqual([false, false, true, true]);
      expect([at(0.35, "minimize"), at(0.45, "minimize"), at(0.55, "minimize")], `bracket ${s}`).toEqual([
        false,
        false,
        true,
      ]);
    }
  });

  it("derives brackets and rungs from min_resource, max_resource and η", () => {
    // min 2, max 50, η 2: ⌊log2(25)⌋ + 1 = 5 brackets, first rungs 2, 4, 8, 16, 32
    const q = new HyperbandPruner({ minResource: 2, maxResource: 50, reductionFactor: 2 });
    expect(q.brackets).toHaveLength(5);
    const steps = Array.from({ length: 50 }, (_, i) => i + 1);
    expect(q.brackets.map((b) => steps.filter((step) => b.rungOf(step) !== undefined))).toEqual([
      [2, 4, 8, 16, 32],
      [4, 8, 16, 32],
      [8, 16, 32],
      [16, 32],
      [32],
    ]);
  });
});

describe("othersInGroup", () => {
  it("keeps the values of the same bracket, without the trial itself", () => {
    const p = new HyperbandPruner({ minResource: 1, maxResource: 27, reductionFactor: 3 });
    const ids = Array.from({ length: 40 }, (_, i) => `t${i}`);
    const values = new Map(ids.map((id, i) => [id, i] as const));
    const others = othersInGroup(p, "t0", values);
    expect(others).toEqual(
      ids.filter((id) => id !== "t0" && p.bracketOf(id) === p.bracketOf("t0")).map((id) => values.get(id)),
    );
    expect(others.length).toBeLessThan(39);
    expect(othersInGroup(new NopPruner(), "t0", values)).toHaveLength(39);
  });
});

describe("createPruner", () => {
  it("builds each type from a normalised spec", () => {
    expect(createPruner({ type: "none" })).toBeInstanceOf(NopPruner);
    expect(
      createPruner({ type: "median", n_startup_trials: 0, n_warmup_steps: 0, interval_steps: 1, n_min_trials: 1 }).name,
    ).toBe("median");
    expect(
      createPruner({ type: "asha", min_resource: 1, max_resource: 20, reduction_factor: 3, grace_period: 0 }).name,
    ).toBe("asha");
    expect(createPruner({ type: "hyperband", min_resource: 1, max_resource: 20, reduction_factor: 3 }).name).toBe(
      "hyperband",
    );
    expect(() => createPruner({ type: "bogus" as "none" })).toThrow(/unknown early_terminate type "bogus"/);
  });
});
