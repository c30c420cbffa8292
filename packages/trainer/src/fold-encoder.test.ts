import { describe, expect, it } from "vitest";
import { parseCsvDataset } from "./datasets/csv-loader.ts";
import { describeEncoder, encodeRows, fitFoldEncoder, medianOf } from "./fold-encoder.ts";

const csv = [
  "age,port,y",
  "10,S,0", // 0
  ",S,1", // 1
  "30,C,0", // 2
  "40,Q,1", // 3
  "NA,,0", // 4
  "50,S,1", // 5
  "99,X,0", // 6: validation only
  ",,1", // 7: validation only
].join("\n");
const data = parseCsvDataset(csv, { name: "t.csv", task: "classification" });
const train = [0, 1, 2, 3, 4, 5];

describe("medianOf", () => {
  it.each([
    [[], 0],
    [[7], 7],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[5, 5, 1, 5, 9, 5], 5],
  ])("of %j is %d", (values, median) => {
    expect(medianOf(Float64Array.from(values))).toBe(median);
  });
});

describe("fold encoder", () => {
  it("imputes the training median with a missing indicator and one-hots categories with a missing input", () => {
    const enc = fitFoldEncoder(data, train, 20);
    // training ages 10, 30, 40, 50 → median 35; ports S×3, C, Q and one missing
    expect(enc.numeric).toEqual([{ name: "age", median: 35, indicator: true }]);
    expect(enc.categorical).toEqual([
      { name: "port", kept: ["C", "Q", "S"], bucketed: [], other: false, missing: true },
    ]);
    expect(enc.inputs).toEqual(["age", "age (missing)", "port=C", "port=Q", "port=S", "port (missing)"]);
    expect(Array.from(encodeRows(enc, data, [1, 4, 6, 7]))).toEqual(
      [
        [35, 1, 0, 0, 1, 0], // age missing, S
        [35, 1, 0, 0, 0, 1], // both missing
        [99, 0, 0, 0, 0, 0], // X unseen in training and no "other" input: all zeros
        [35, 1, 0, 0, 0, 1],
      ].flat(),
    );
  });

  it("keeps the most frequent categories up to the cap and buckets the rest (and unseen ones) into other", () => {
    const enc = fitFoldEncoder(data, train, 1);
    expect(enc.categorical[0]).toEqual({ name: "port", kept: ["S"], bucketed: ["C", "Q"], other: true, missing: true });
    expect(enc.inputs.slice(2)).toEqual(["port=S", "port (other)", "port (missing)"]);
    expect(Array.from(encodeRows(enc, data, [2, 6]))).toEqual([30, 0, 0, 1, 0, 99, 0, 0, 1, 0]);
    expect(describeEncoder(enc)).toEqual({
      age: "median 35 + missing indicator",
      port: "one-hot 1 + other: 2 (C, Q) + missing",
    });
  });

  it("breaks frequency ties by name and adds no indicator when the training rows miss nothing", () => {
    const enc = fitFoldEncoder(data, [0, 2, 3, 6], 2);
    expect(enc.numeric[0]).toEqual({ name: "age", median: 35, indicator: false });
    // S, C, Q, X once each: C and Q kept
    expect(enc.categorical[0]).toEqual({
      name: "port",
      kept: ["C", "Q"],
      bucketed: ["S", "X"],
      other: true,
      missing: false,
    });
    // a validation row with a missing age gets the median and no indicator
    expect(Array.from(encodeRows(enc, data, [7]))).toEqual([35, 0, 0, 0]);
  });
});
