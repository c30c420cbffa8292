import { createRng } from "@hpo/core";
import { describe, expect, it } from "vitest";
import { pedAnova } from "./ped-anova.ts";

describe("pedAnova", () => {
  const rng = createRng(7);
  const n = 2000;
  const lr = Array.from({ length: n }, () => 10 ** (-4 + 3 * rng.next()));
  const noise = Array.from({ length: n }, () => rng.next());
  const opt = Array.from({ length: n }, () => ["adam", "sgd", "rmsprop"][rng.int(0, 2)] as string);
  // score depends strongly on lr (best near 1e-2), a little on the optimizer, not at all on noise
  const scores = lr.map((v, i) => -((Math.log10(v) + 2) ** 2) + (opt[i] === "adam" ? 0.04 : 0) + 0.05 * rng.normal());

  it("ranks the parameter that drives the score first and gives an irrelevant one ~0", () => {
    const res = pedAnova({ names: ["lr", "noise", "optimizer"], columns: [lr, noise, opt], scores, goal: "maximize" });
    const by = Object.fromEntries(res.map((r) => [r.name, r.importance]));
    expect(by.lr).toBeGreaterThan(0.6);
    expect(by.optimizer).toBeGreaterThan(by.noise as number);
    expect(by.noise).toBeLessThan(0.05);
    expect(res.reduce((a, r) => a + r.importance, 0)).toBeCloseTo(1, 6);
  });

  it("follows the goal: minimizing the negated score gives the same ranking", () => {
    const res = pedAnova({
      names: ["lr", "noise"],
      columns: [lr, noise],
      scores: scores.map((s) => -s),
      goal: "minimize",
    });
    expect(res[0]?.importance).toBeGreaterThan(res[1]?.importance as number);
  });

  it("treats inactive (null) values of conditional parameters as their own bin", () => {
    const momentum = opt.map((o, i) => (o === "sgd" ? (noise[i] as number) : null));
    const res = pedAnova({ names: ["momentum"], columns: [momentum], scores, goal: "maximize" });
    expect(res[0]?.divergence).toBeGreaterThan(0);
  });

  it("returns zeros with too few trials", () => {
    expect(pedAnova({ names: ["a"], columns: [[1, 2]], scores: [1, 2], goal: "maximize" })).toEqual([
      { name: "a", importance: 0, divergence: 0 },
    ]);
  });
});
