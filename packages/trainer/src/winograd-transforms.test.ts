import { createRng } from "@hpo/core";
import { describe, expect, it } from "vitest";
import { winogradTransforms } from "./winograd-transforms.ts";

/** The F(m, r) kernels/winograd-conv.c runs (α even). */
const PAIRS: [number, number][] = [
  [2, 3],
  [4, 3],
  [6, 3],
  [2, 5],
  [4, 5],
];

/** Checks that F(m, r)'s transforms at `points` (default: winogradTransforms's) give the 2-D correlation of a tile. */
function expectTileCorrelation(m: number, r: number, points?: number[]): void {
  const { alpha, bt, g, at } = winogradTransforms(m, r, points);
  expect(alpha).toBe(m + r - 1);
  const rng = createRng(m * 10 + r);
  const d = Array.from({ length: alpha * alpha }, () => rng.next() * 2 - 1);
  const f = Array.from({ length: r * r }, () => rng.next() * 2 - 1);
  // U = G f Gᵀ, V = Bᵀ d B, Y = Aᵀ (U ⊙ V) A, in float64
  const mul = (a: ArrayLike<number>, b: ArrayLike<number>, n: number, k: number, p: number, ta = false, tb = false) =>
    Array.from({ length: n * p }, (_, ij) => {
      const [i, j] = [Math.floor(ij / p), ij % p];
      let s = 0;
      for (let l = 0; l < k; l++) s += (ta ? a[l * n + i]! : a[i * k + l]!) * (tb ? b[j * k + l]! : b[l * p + j]!);
      return s;
    });
  const u = mul(mul(g, f, alpha, r, r), g, alpha, r, alpha, false, true);
  const v = mul(mul(bt, d, alpha, alpha, alpha), bt, alpha, alpha, alpha, false, true);
  const y = mul(
    mul(
      at,
      u.map((x, i) => x * v[i]!),
      m,
      alpha,
      alpha,
    ),
    at,
    m,
    alpha,
    m,
    false,
    true,
  );
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) {
      let want = 0;
      for (let a = 0; a < r; a++) for (let b = 0; b < r; b++) want += d[(i + a) * alpha + j + b]! * f[a * r + b]!;
      expect(y[i * m + j]).toBeCloseTo(want, 12);
    }
}

describe("winogradTransforms", () => {
  it.each(PAIRS)("F(%i, %i) gives the 2-D correlation of a tile", (m, r) => {
    expectTileCorrelation(m, r);
  });

  it("gives it at points of the caller's too (F(5, 2) at 0, ±1, 2, −½: the C dW kernel's)", () => {
    expectTileCorrelation(5, 2, [0, 1, -1, 2, -0.5]);
    expect(() => winogradTransforms(5, 2, [0, 1, -1, 2])).toThrow(/no points for F\(5, 2\)/);
    expect(() => winogradTransforms(5, 2, [0, 1, -1, 2, 2])).toThrow(/no points for F\(5, 2\)/);
  });

  it.each(PAIRS)("F(%i, %i) has the ±p structure the C kernel relies on", (m, r) => {
    // points 0, +p₁, −p₁, +p₂, −p₂, …, ∞ with p₁ = 1: Bᵀ's rows even / paired / odd and monic,
    // Aᵀ's columns pᶦ, (−p)ᶦ
    const { alpha, bt, at } = winogradTransforms(m, r);
    const b = (j: number, l: number) => bt[j * alpha + l]! + 0; // (−0 as 0)
    for (let j = 0; j < alpha; j++) expect(b(j, j === alpha - 1 ? alpha - 1 : alpha - 2)).toBe(1);
    for (let i = 0; i < m; i++) expect(at[i * alpha + 1]).toBe(1);
    for (let l = 0; l < alpha; l++) {
      if (l % 2 === 1) expect(b(0, l)).toBe(0);
      if (l % 2 === 0) expect(b(alpha - 1, l)).toBe(0);
      for (let j = 1; j < alpha - 1; j += 2) {
        expect(b(j + 1, l)).toBe((l % 2 === 0 ? b(j, l) : -b(j, l)) + 0);
        if (l === 0 || l === alpha - 1) expect(b(j, l)).toBe(0);
      }
    }
    for (let i = 0; i < m; i++) {
      expect(at[i * alpha]).toBe(i === 0 ? 1 : 0);
      expect(at[i * alpha + alpha - 1]).toBe(i === m - 1 ? 1 : 0);
      for (let j = 1; j < alpha - 1; j += 2) {
        const p = j === 1 ? 1 : at[alpha + j]!; // row 1 holds the points (m ≥ 2)
        expect(at[i * alpha + j]).toBe(p ** i);
        expect(at[i * alpha + j + 1]).toBe((-p) ** i);
      }
    }
  });

  it("has F(4, 5)'s Bᵀ and Aᵀ the C kernel writes out as literal constants", () => {
    // kernels/winograd-conv.c, bt8_column and at8x4_column (points 0, ±1, ±2, ±½, ∞)
    const { bt, at } = winogradTransforms(4, 5);
    expect(Array.from(bt, (v) => v + 0)).toEqual(
      [
        [-1, 0, 5.25, 0, -5.25, 0, 1, 0],
        [0, 1, 1, -4.25, -4.25, 1, 1, 0],
        [0, -1, 1, 4.25, -4.25, -1, 1, 0],
        [0, 0.5, 0.25, -2.5, -1.25, 2, 1, 0],
        [0, -0.5, 0.25, 2.5, -1.25, -2, 1, 0],
        [0, 2, 4, -2.5, -5, 0.5, 1, 0],
        [0, -2, 4, 2.5, -5, -0.5, 1, 0],
        [0, -1, 0, 5.25, 0, -5.25, 0, 1],
      ].flat(),
    );
    expect(Array.from(at)).toEqual(
      [
        [1, 1, 1, 1, 1, 1, 1, 0],
        [0, 1, -1, 2, -2, 0.5, -0.5, 0],
        [0, 1, 1, 4, 4, 0.25, 0.25, 0],
        [0, 1, -1, 8, -8, 0.125, -0.125, 1],
      ].flat(),
    );
  });

  it("has F(5, 2)'s Bᵀ at 0, ±1, 2, −½ the C dW kernel writes out as literal constants", () => {
    // kernels/conv-filter-grad.c, bt6_column
    const { bt } = winogradTransforms(5, 2, [0, 1, -1, 2, -0.5]);
    expect(Array.from(bt, (v) => v + 0)).toEqual(
      [
        [1, 1.5, -2, -1.5, 1, 0],
        [0, -1, -2.5, -0.5, 1, 0],
        [0, 1, 0.5, -2.5, 1, 0],
        [0, -0.5, -1, 0.5, 1, 0],
        [0, 2, -1, -2, 1, 0],
        [0, 1, 1.5, -2, -1.5, 1],
      ].flat(),
    );
  });

  it("refuses sizes past its points", () => {
    expect(() => winogradTransforms(8, 5)).toThrow(/no points for F\(8, 5\)/);
  });
});
