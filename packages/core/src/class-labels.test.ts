import { describe, expect, it } from "vitest";
import { compareClassLabels, numberInText } from "./class-labels.ts";

describe("numberInText", () => {
  it("reads signed decimals, exponents and infinities, and nothing else", () => {
    expect([" 1.5 ", "-2", "+.5e1", "3.", "-inf", "Infinity"].map(numberInText)).toEqual([
      1.5,
      -2,
      5,
      3,
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
    ]);
    expect(["", "NaN", "0x10", "1_000", "1e", "a1"].map(numberInText)).toEqual(Array(6).fill(undefined));
  });
});

describe("compareClassLabels", () => {
  it("puts numbers first by value, then text in code-unit order, keeping equal values in place", () => {
    const labels = ["b", "10", "B", 2, "-1", "a", "é", "1", 1, "Z"];
    expect([...labels].sort(compareClassLabels)).toEqual(["-1", "1", 1, 2, "10", "B", "Z", "a", "b", "é"]);
  });
});
