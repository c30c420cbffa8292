import { describe, expect, it } from "vitest";
import { HpoError } from "./errors.ts";
import { holdOut } from "./holdout.ts";

const rows = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("holdOut", () => {
  it("splits the given rows into two sorted, disjoint parts that cover them", () => {
    const { kept, heldOut } = holdOut(rows(100), 0.2, 7, "test");
    expect(heldOut).toHaveLength(20);
    expect([...kept, ...heldOut].sort((a, b) => a - b)).toEqual(rows(100));
    expect(kept).toEqual([...kept].sort((a, b) => a - b));
    expect(heldOut).toEqual([...heldOut].sort((a, b) => a - b));
  });

  it("stratifies: each class gives round(count · fraction) rows, at least one, never all", () => {
    // rows 0..59 class 0, 60..89 class 1, 90..94 class 2, 95..96 class 3
    const labels = [...Array(60).fill(0), ...Array(30).fill(1), ...Array(5).fill(2), ...Array(2).fill(3)];
    const { heldOut } = holdOut(rows(97), 0.2, 3, "test", labels);
    const count = (c: number) => heldOut.filter((r) => labels[r] === c).length;
    expect([count(0), count(1), count(2), count(3)]).toEqual([12, 6, 1, 1]);
  });

  it("is a function of the rows, fraction, seed and purpose", () => {
    const a = holdOut(rows(50), 0.3, 1, "test");
    expect(holdOut(rows(50), 0.3, 1, "test")).toEqual(a);
    expect(holdOut(rows(50), 0.3, 2, "test").heldOut).not.toEqual(a.heldOut);
    expect(holdOut(rows(50), 0.3, 1, "inner").heldOut).not.toEqual(a.heldOut);
  });

  it("holds out only from the rows it is given (an inner split of a fold's training rows)", () => {
    const train = [3, 5, 8, 13, 21, 34, 55, 89];
    const { kept, heldOut } = holdOut(train, 0.25, 4, "inner");
    expect(heldOut).toHaveLength(2);
    for (const r of [...kept, ...heldOut]) expect(train).toContain(r);
  });

  it("refuses a fraction outside (0, 1) and fewer than two rows, naming the split", () => {
    expect(() => holdOut(rows(10), 1, 0, "test")).toThrow(HpoError);
    expect(() => holdOut(rows(10), 0, 0, "test")).toThrow("test split: fraction must be in (0, 1), got 0");
    expect(() => holdOut([4], 0.5, 0, "inner")).toThrow("inner split: needs at least 2 rows, got 1");
  });
});
