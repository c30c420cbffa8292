import { describe, expect, it } from "vitest";
import { parseSweepSpec } from "../spec.ts";
import type { SweepSpec } from "../types.ts";
import { samplerRng } from "./index.ts";
import { QuasiRandomSampler } from "./quasi-random-sampler.ts";
import { RandomSampler } from "./random-sampler.ts";
import type { Sampler } from "./sampler.ts";

const spec = (seed: number): SweepSpec =>
  parseSweepSpec({
    name: "q",
    dataset: "iris",
    seed,
    parameters: { dropout: { min: 0, max: 0.5 }, momentum: { min: 0, max: 0.5 } },
  });

function points(sampler: Sampler, s: SweepSpec, n: number): [number, number][] {
  return Array.from({ length: n }, (_, i) => {
    const p = sampler.sample({ spec: s, index: i, rng: samplerRng(s, i), trials: [] })!;
    return [(p.dropout as number) * 2, (p.momentum as number) * 2];
  });
}

/** Largest deviation of box counts from their expectation over a 4×4 grid of boxes. */
function discrepancy(pts: [number, number][]): number {
  let worst = 0;
  for (let a = 1; a <= 4; a++)
    for (let b = 1; b <= 4; b++) {
      const inBox = pts.filter(([x, y]) => x < a / 4 && y < b / 4).length;
      worst = Math.max(worst, Math.abs(inBox - (pts.length * a * b) / 16));
    }
  return worst;
}

describe("QuasiRandomSampler", () => {
  it("covers the space more evenly than random points", () => {
    const q = points(new QuasiRandomSampler(), spec(1), 256);
    const r = points(new RandomSampler(), spec(1), 256);
    expect(discrepancy(q)).toBeLessThan(4);
    expect(discrepancy(q)).toBeLessThan(discrepancy(r));
  });

  it("is scrambled by the seed", () => {
    expect(points(new QuasiRandomSampler(), spec(1), 8)).toEqual(points(new QuasiRandomSampler(), spec(1), 8));
    expect(points(new QuasiRandomSampler(), spec(2), 8)).not.toEqual(points(new QuasiRandomSampler(), spec(1), 8));
  });

  it("gives the first point no special value (scrambled, not 0)", () => {
    const [first] = points(new QuasiRandomSampler(), spec(1), 1);
    expect(first).not.toEqual([0, 0]);
  });
});
