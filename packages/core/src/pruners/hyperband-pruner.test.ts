import { describe, expect, it } from "vitest";
import { HyperbandPruner } from "./hyperband-pruner.ts";
import { createPruner, NopPruner, othersInGroup } from "./index.ts";

describe("HyperbandPruner", () => {
  const p = new HyperbandPruner({ min_resource: 1, max_resource: 27, reduction_factor: 3 });

  it("makes ⌊log_η(max/min)⌋ + 1 brackets whose first rungs grow by η", () => {
    expect(p.brackets).toHaveLength(4);
    expect(p.brackets.map((b) => [1, 3, 9, 27].find((s) => b.rungOf(s) === 0))).toEqual([1, 3, 9, undefined]);
  });

  it("assigns brackets deterministically, weighted towards aggressive ones", () => {
    const ids = Array.from({ length: 4000 }, (_, i) => `t${String(i).padStart(4, "0")}`);
    expect(ids.map((id) => p.bracketOf(id))).toEqual(
      ids.map((id) => new HyperbandPruner({ min_resource: 1, max_resource: 27 }).bracketOf(id)),
    );
    const counts = [0, 0, 0, 0];
    for (const id of ids) counts[p.bracketOf(id)]!++;
    // budgets ⌈4·27/4⌉=27, ⌈4·9/3⌉=12, ⌈4·3/2⌉=6, ⌈4·1/1⌉=4 of 49.
    expect(counts[0]! / 4000).toBeCloseTo(27 / 49, 1);
    expect(counts[3]! / 4000).toBeCloseTo(4 / 49, 1);
    expect(p.groupOf(ids[0]!)).toBe(`b${p.bracketOf(ids[0]!)}`);
  });

  it("prunes with its bracket's rungs", () => {
    const id = Array.from({ length: 200 }, (_, i) => `t${i}`).find((t) => p.bracketOf(t) === 1)!;
    const ctx = (step: number) => ({
      trialId: id,
      step,
      value: 0.1,
      goal: "maximize" as const,
      others: [0.9, 0.8, 0.7],
    });
    expect(p.shouldPrune(ctx(1))).toBe(false); // bracket 1 starts at 3
    expect(p.shouldPrune(ctx(3))).toBe(true);
  });
});

describe("othersInGroup", () => {
  it("keeps the values of the same bracket, without the trial itself", () => {
    const p = new HyperbandPruner({ min_resource: 1, max_resource: 27, reduction_factor: 3 });
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
