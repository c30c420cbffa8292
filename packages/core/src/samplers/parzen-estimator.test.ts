import { describe, expect, it } from "vitest";
import { createRng } from "../rng.ts";
import {
  argsort,
  bucketSigmas,
  CategoricalParzen,
  NumericalParzen,
  observationWeight,
  supportOrder,
} from "./parzen-estimator.ts";

/** Optuna's σ by sorting (stable: ties in index order), the reference for bucketSigmas. */
function sortedSigmas(xs: Float64Array, low: number, high: number, minSigma: number, endpoints = false): number[] {
  const n = xs.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (xs[a] as number) - (xs[b] as number) || a - b);
  const out = new Array<number>(n);
  order.forEach((i, r) => {
    const x = xs[i] as number;
    const left = r === 0 ? low : (xs[order[r - 1] as number] as number);
    const right = r === n - 1 ? high : (xs[order[r + 1] as number] as number);
    const inner = n >= 2 && !endpoints;
    const s = inner && r === 0 ? right - x : inner && r === n - 1 ? x - left : Math.max(x - left, right - x);
    out[i] = Math.min(high - low, Math.max(minSigma, s));
  });
  return out;
}

const continuous = { low: 0, high: 10, step: 0, first: 0, steps: 0 };

function integral(p: NumericalParzen, low: number, high: number, cells = 20000): number {
  const dx = (high - low) / cells;
  let s = 0;
  for (let i = 0; i < cells; i++) s += p.density(low + (i + 0.5) * dx) * dx;
  return s;
}

describe("NumericalParzen", () => {
  it.each([0, 1, 5, 200, 3000])(
    "integrates to √2π over [low, high] with %i observations (a density up to that constant)",
    (n) => {
      const rng = createRng(n);
      const xs = Float64Array.from({ length: n }, (_, i) =>
        i % 2 ? 10 * rng.next() : Math.min(10, Math.max(0, 3 + 0.3 * rng.normal())),
      );
      const p = new NumericalParzen(continuous, xs);
      expect(integral(p, 0, 10) / Math.sqrt(2 * Math.PI)).toBeCloseTo(1, 2);
    },
  );

  it("puts more density near the observations", () => {
    const p = new NumericalParzen(continuous, Float64Array.from([2, 2.1, 2.2, 1.9]));
    expect(p.density(2)).toBeGreaterThan(5 * p.density(8));
  });

  it("widens the edge kernels towards the bounds with considerEndpoints", () => {
    // Without endpoints the kernel at 6 gets the clipped inner gap (σ = 10/9); with them its gap to
    // low (σ = 6), so the estimator puts more density far below the observations.
    const xs = Float64Array.from([6, 6.5, 7, 7.5, 8, 8.5, 9, 9.5]);
    const inner = new NumericalParzen(continuous, xs);
    const edges = new NumericalParzen(continuous, xs, 1, true);
    expect(edges.density(1) / inner.density(1)).toBeGreaterThan(1.5);
    expect(edges.density(6)).toBeLessThan(inner.density(6));
    expect(integral(edges, 0, 10) / Math.sqrt(2 * Math.PI)).toBeCloseTo(1, 2);
  });

  it("gives probability masses summing to 1 on a discrete support", () => {
    const d = { low: 0.5, high: 5.5, step: 1, first: 1, steps: 4 };
    const p = new NumericalParzen(d, Float64Array.from([1, 1, 2, 5, 5, 5, 5]));
    const masses = [1, 2, 3, 4, 5].map((x) => p.density(x));
    expect(masses.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(masses[4]).toBeGreaterThan(masses[2] as number);
  });

  it("approximates masses on a fine discrete support (step far below σ) that still sum to 1", () => {
    const rng = createRng(3);
    const d = { low: 0.5, high: 2000.5, step: 1, first: 1, steps: 1999 };
    const p = new NumericalParzen(
      d,
      Float64Array.from({ length: 500 }, () => 1 + Math.floor(rng.next() * 2000)),
    );
    let total = 0;
    for (let x = 1; x <= 2000; x++) total += p.density(x);
    expect(total).toBeCloseTo(1, 2);
  });

  it("samples inside the domain and on the support", () => {
    const rng = createRng(1);
    const d = { low: 0.5, high: 5.5, step: 1, first: 1, steps: 4 };
    const p = new NumericalParzen(d, Float64Array.from([1, 5]));
    for (let i = 0; i < 500; i++) expect([1, 2, 3, 4, 5]).toContain(p.sample(rng));
    const c = new NumericalParzen(continuous, Float64Array.from([0.01, 9.99]));
    for (let i = 0; i < 500; i++) {
      const x = c.sample(rng);
      expect(x >= 0 && x <= 10).toBe(true);
    }
  });

  it("binning many observations changes densities by well under 1%", () => {
    const rng = createRng(9);
    // 2,000 observations in a dense cluster, so most kernels are narrow and get binned.
    const xs = Float64Array.from({ length: 2000 }, () => Math.min(10, Math.max(0, 5 + rng.normal())));
    const binned = new NumericalParzen(continuous, xs);
    // Same kernels summed exactly: split into 8 estimators of 250 observations is not the same
    // mixture, so compare against a brute-force sum over the estimator's own samples instead.
    const exact = (x: number) => {
      const n = xs.length;
      const sorted = Array.from(xs).sort((a, b) => a - b);
      const minSigma = 10 / 100;
      let sum = 0;
      let total = 1; // prior weight
      for (let i = 0; i < n; i++) total += observationWeight(i, n);
      sorted.forEach((m, r) => {
        const left = r === 0 ? 0 : (sorted[r - 1] as number);
        const right = r === n - 1 ? 10 : (sorted[r + 1] as number);
        let s = r === 0 ? right - m : r === n - 1 ? m - left : Math.max(m - left, right - m);
        s = Math.min(10, Math.max(minSigma, s));
        // Weights depend on trial order, so use the original index of this value.
        const i = xs.indexOf(m);
        const w = observationWeight(i, n) / total;
        sum += (w / s) * Math.exp(-0.5 * ((x - m) / s) ** 2); // far from the edges: Z ≈ 1
      });
      sum += ((1 / total / 10) * Math.exp(-0.5 * ((x - 5) / 10) ** 2)) / 0.3829249225480262; // prior, Z = P(|Z|<0.5)
      return sum;
    };
    for (const x of [3.3, 4.5, 5, 5.7, 6.9]) expect(Math.abs(binned.density(x) / exact(x) - 1)).toBeLessThan(0.01);
  });
});

describe("bucketSigmas", () => {
  it.each([
    [1, false],
    [2, false],
    [3, false],
    [50, false],
    [400, false],
    [5000, false],
    [2, true],
    [50, true],
    [5000, true],
  ])("matches sorting with %i observations (endpoints %s), ties and clusters included", (n, endpoints) => {
    const rng = createRng(n);
    const xs = Float64Array.from({ length: n }, (_, i) => {
      const r = rng.next();
      if (r < 0.2) return Math.round(rng.next() * 20) / 2; // many exact ties
      if (r < 0.5) return Math.min(10, Math.max(0, 7 + 0.05 * rng.normal())); // a tight cluster
      return i % 7 === 0 ? 10 : 10 * rng.next(); // spread, with the upper bound itself
    });
    const minSigma = 10 / Math.min(100, 1 + n);
    const fast = bucketSigmas(xs, 0, 10, minSigma, endpoints);
    const ref = sortedSigmas(xs, 0, 10, minSigma, endpoints);
    for (let i = 0; i < n; i++) expect(fast[i]).toBeCloseTo(ref[i] as number, 12);
  });
});

describe("CategoricalParzen", () => {
  it("is a distribution that favours observed categories", () => {
    const p = new CategoricalParzen(4, Uint32Array.from([2, 2, 2, 1]));
    const probs = [0, 1, 2, 3].map((c) => p.probability(c));
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(probs[2]).toBeGreaterThan(probs[1] as number);
    expect(probs[1]).toBeGreaterThan(probs[0] as number);
    expect(probs[0]).toBeCloseTo(probs[3] as number, 12);
    expect(new CategoricalParzen(3, new Uint32Array(0)).probability(1)).toBeCloseTo(1 / 3, 12);
  });
});

describe("observationWeight and argsort", () => {
  it("ramps old observations from 1/n past 25", () => {
    expect(observationWeight(0, 10)).toBe(1);
    expect(observationWeight(0, 100)).toBeCloseTo(0.01, 12);
    expect(observationWeight(74, 100)).toBeCloseTo(1, 12);
    expect(observationWeight(99, 100)).toBe(1);
  });

  it("supportOrder sorts support points stably and refuses values off the support", () => {
    const d = { low: 7.5, high: 72.5, step: 5, first: 10, steps: 12 };
    const xs = Float64Array.from([70, 10, 35, 10, 15.000000001, 70]);
    expect(Array.from(supportOrder(xs, d) ?? [])).toEqual([1, 3, 4, 2, 0, 5]);
    expect(supportOrder(Float64Array.from([10, 12]), d)).toBeUndefined();
    expect(supportOrder(Float64Array.from([75]), d)).toBeUndefined();
  });

  it("sorts indices by value", () => {
    const rng = createRng(4);
    const xs = Float64Array.from({ length: 5000 }, () => rng.next() * 7 - 2);
    const order = argsort(xs, -2, 5);
    for (let i = 1; i < order.length; i++)
      expect(xs[order[i] as number]).toBeGreaterThanOrEqual(xs[order[i - 1] as number] as number);
    expect(new Set(order).size).toBe(5000);
  });
});
