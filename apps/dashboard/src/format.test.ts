import { describe, expect, it } from "vitest";
import { fmtDuration, fmtInterval, fmtMeanStd, fmtParam, fmtPValue, fmtScore } from "./format.ts";

describe("formatting", () => {
  it("shows scores at 4 significant digits and the spread at 2", () => {
    expect(fmtScore(0.912345)).toBe("0.9123");
    expect(fmtScore(undefined)).toBe("—");
    expect(fmtMeanStd(0.912345, 0.008981)).toBe("0.9123 ± 0.009");
    expect(fmtMeanStd(0.9, 0)).toBe("0.9000 ± 0");
  });
  it("formats params and durations", () => {
    expect(fmtParam([64, 32])).toBe("[64,32]");
    expect(fmtParam(32)).toBe("32");
    expect(fmtParam("adam")).toBe("adam");
    expect(fmtDuration(1500)).toBe("1.5 s");
    expect(fmtDuration(125_000)).toBe("2m 5s");
  });
});

describe("intervals and p-values", () => {
  it("formats a CI with the score's digits and a p-value at 2 significant digits", () => {
    expect(fmtInterval(0.96261, 0.98619)).toBe("[0.9626, 0.9862]");
    expect(fmtInterval(undefined, 0.9)).toBe("—");
    expect(fmtPValue(0.62557)).toBe("0.63");
    expect(fmtPValue(0.000116194)).toBe("0.00012");
    expect(fmtPValue(1)).toBe("1");
    expect(fmtPValue(undefined)).toBe("—");
  });
});
