import { describe, expect, it } from "vitest";
import { createRng, mixSeed, shuffled } from "./rng.ts";

describe("rng", () => {
  it("repeats a sequence for a seed and differs across seeds", () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(xs);
    const c = createRng(43);
    expect(Array.from({ length: 100 }, () => c.next())).not.toEqual(xs);
  });

  it("next is in [0, 1) with mean near 1/2; int is inclusive", () => {
    const r = createRng(1);
    let sum = 0;
    const ints = new Set<number>();
    for (let i = 0; i < 20_000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
      ints.add(r.int(3, 6));
    }
    expect(sum / 20_000).toBeGreaterThan(0.49);
    expect(sum / 20_000).toBeLessThan(0.51);
    expect([...ints].sort()).toEqual([3, 4, 5, 6]);
  });

  it("normal has mean ≈ 0 and variance ≈ 1", () => {
    const r = createRng(2);
    const xs = Array.from({ length: 20_000 }, () => r.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it("mixSeed is stable and order-sensitive", () => {
    expect(mixSeed(1, 2)).toBe(mixSeed(1, 2));
    expect(mixSeed(1, 2)).not.toBe(mixSeed(2, 1));
    expect(mixSeed("a")).toBeGreaterThanOrEqual(0);
    expect(Number.isInteger(mixSeed("sweep", 7))).toBe(true);
  });

  it("shuffled permutes into a new array without touching the input", () => {
    const input = [1, 2, 3, 4, 5, 6, 7, 8];
    const out = shuffled(input, createRng(3));
    expect(input).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...out].sort()).toEqual(input);
    expect(out).not.toEqual(input);
  });
});
