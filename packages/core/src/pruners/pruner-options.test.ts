import { describe, expect, it } from "vitest";
import { TpeSampler } from "../samplers/tpe-sampler.ts";
import { AshaPruner } from "./asha-pruner.ts";
import { HyperbandPruner } from "./hyperband-pruner.ts";
import { MedianPruner } from "./median-pruner.ts";

describe("exported classes check their own options", () => {
  it("AshaPruner refuses a reduction factor that would never grow the rungs, and other bad options", () => {
    expect(() => new AshaPruner({ reductionFactor: 1 })).toThrow(
      "AshaPruner: reductionFactor must be a number > 1, got 1",
    );
    expect(() => new AshaPruner({ reductionFactor: Number.NaN })).toThrow(/reductionFactor/);
    expect(() => new AshaPruner({ minResource: 0 })).toThrow(/minResource must be a number > 0, got 0/);
    expect(() => new AshaPruner({ minResource: 5, maxResource: 4 })).toThrow(/maxResource must be a number >= 5/);
    expect(() => new AshaPruner({ gracePeriod: -1 })).toThrow(/gracePeriod/);
    expect(() => new AshaPruner({ minEarlyStoppingRate: 0.5 })).toThrow(/minEarlyStoppingRate must be an integer/);
    expect(new AshaPruner({ reductionFactor: 2.5 }).rungOf(1)).toBe(0);
  });

  it("HyperbandPruner, MedianPruner and TpeSampler do the same", () => {
    expect(() => new HyperbandPruner({ reductionFactor: 1 })).toThrow(/HyperbandPruner: reductionFactor/);
    expect(() => new HyperbandPruner({ maxResource: Number.POSITIVE_INFINITY })).toThrow(
      /maxResource must be a finite/,
    );
    expect(() => new MedianPruner({ intervalSteps: 0 })).toThrow(
      "MedianPruner: intervalSteps must be an integer >= 1, got 0",
    );
    expect(() => new MedianPruner({ nStartupTrials: 1.5 })).toThrow(/nStartupTrials/);
    expect(() => new TpeSampler({ nEiCandidates: 0 })).toThrow(
      "TpeSampler: nEiCandidates must be an integer >= 1, got 0",
    );
    expect(() => new TpeSampler({ priorWeight: 0 })).toThrow(/priorWeight must be a finite number > 0/);
    expect(() => new TpeSampler({ nStartupTrials: -1 })).toThrow(/nStartupTrials/);
  });
});
