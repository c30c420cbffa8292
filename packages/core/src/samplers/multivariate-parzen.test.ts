import { describe, expect, it } from "vitest";
import { createRng } from "../rng.ts";
import { type JointDimension, MultivariateParzen } from "./multivariate-parzen.ts";

const x01: JointDimension = { kind: "numerical", domain: { low: 0, high: 10, step: 0, first: 0, steps: 0 } };

/** ∫∫ exp(logDensity) over [0, 10]², midpoint rule. */
function mass2d(p: MultivariateParzen, cells = 400): number {
  const h = 10 / cells;
  let s = 0;
  for (let i = 0; i < cells; i++)
    for (let j = 0; j < cells; j++) s += Math.exp(p.logDensity([(i + 0.5) * h, (j + 0.5) * h])) * h * h;
  return s;
}

describe("MultivariateParzen", () => {
  it.each([0, 1, 7, 60])("is a density up to (2π)^(D/2) with %i observations", (n) => {
    const rng = createRng(n + 1);
    const cols = [
      Float64Array.from({ length: n }, () => 10 * rng.next()),
      Float64Array.from({ length: n }, () => 10 * rng.next()),
    ];
    expect(mass2d(new MultivariateParzen([x01, x01], cols)) / (2 * Math.PI)).toBeCloseTo(1, 2);
  });

  it("models the dependence between dimensions (a product of marginals cannot)", () => {
    // Observations on the diagonal: (1, 1) and (9, 9) are likely, (1, 9) and (9, 1) are not,
    // though every marginal value is equally common.
    const diag = Float64Array.from([1, 1.5, 2, 8, 8.5, 9, 1.2, 8.8]);
    const p = new MultivariateParzen([x01, x01], [diag, diag]);
    expect(p.logDensity([1.3, 1.3]) - p.logDensity([1.3, 8.7])).toBeGreaterThan(2);
    expect(p.logDensity([8.7, 8.7]) - p.logDensity([8.7, 1.3])).toBeGreaterThan(2);
  });

  it("mixes categorical and discrete dimensions into a distribution (masses sum to 1)", () => {
    const cat: JointDimension = { kind: "categorical", choices: 3 };
    const int: JointDimension = { kind: "numerical", domain: { low: 0.5, high: 4.5, step: 1, first: 1, steps: 3 } };
    const p = new MultivariateParzen([cat, int], [Float64Array.from([0, 2, 2]), Float64Array.from([1, 4, 3])]);
    let total = 0;
    for (let c = 0; c < 3; c++) for (let v = 1; v <= 4; v++) total += Math.exp(p.logDensity([c, v]));
    expect(total).toBeCloseTo(1, 6);
    expect(p.logDensity([2, 4])).toBeGreaterThan(p.logDensity([0, 4]));
    expect(p.logDensity([2, 4])).toBeGreaterThan(p.logDensity([2, 1]));
  });

  it("draws inside the support, mostly near the observations", () => {
    const cat: JointDimension = { kind: "categorical", choices: 4 };
    const p = new MultivariateParzen(
      [x01, cat],
      [Float64Array.from([2, 2.2, 1.8, 2.1]), Float64Array.from([3, 3, 3, 3])],
    );
    const rng = createRng(3);
    const draws = Array.from({ length: 2000 }, () => p.sample(rng));
    for (const [x, c] of draws) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(10);
      expect(Number.isInteger(c) && (c as number) >= 0 && (c as number) < 4).toBe(true);
    }
    const near = draws.filter(([x, c]) => Math.abs((x as number) - 2) < 2 && c === 3).length;
    // Uniform draws would land there 10% of the time; the kernels put about 43% there.
    expect(near / draws.length).toBeGreaterThan(0.35);
  });
});
