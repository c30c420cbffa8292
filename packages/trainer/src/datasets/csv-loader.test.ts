import { HpoError } from "@hpo/core";
import { describe, expect, it } from "vitest";
import { parseCsvDataset } from "./csv-loader.ts";

const opts = { name: "data.csv", task: "classification" as const };

function errorOf(fn: () => unknown): HpoError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HpoError) return e;
    throw e;
  }
  throw new Error("expected an HpoError");
}

describe("parseCsvDataset", () => {
  it("detects a header, maps string class labels to sorted ids", () => {
    const d = parseCsvDataset("a,b,species\n1,2,virginica\n3,4,setosa\n5,6,virginica\n", opts);
    expect(d.featureNames).toEqual(["a", "b"]);
    expect(d.classes).toEqual(["setosa", "virginica"]);
    expect(Array.from(d.labels)).toEqual([1, 0, 1]);
    expect(Array.from(d.features)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(d.nRows).toBe(3);
  });

  it("reads a file without header, numeric labels sorted numerically", () => {
    const d = parseCsvDataset("1,2,10\n3,4,9\n5,6,10\n", opts);
    expect(d.nRows).toBe(3);
    expect(d.featureNames).toEqual(["col0", "col1"]);
    expect(d.classes).toEqual(["9", "10"]);
    expect(Array.from(d.labels)).toEqual([1, 0, 1]);
  });

  it("takes the label column by name or index, and regression targets", () => {
    const text = "y,x1,x2\n0.5,1,2\n1.5,3,4\n";
    const byName = parseCsvDataset(text, { name: "r.csv", label: "y", task: "regression" });
    expect(Array.from(byName.labels)).toEqual([0.5, 1.5]);
    expect(byName.featureNames).toEqual(["x1", "x2"]);
    const byIndex = parseCsvDataset(text, { name: "r.csv", label: 0, task: "regression" });
    expect(Array.from(byIndex.features)).toEqual([1, 2, 3, 4]);
    expect(errorOf(() => parseCsvDataset(text, { name: "r.csv", label: "z", task: "regression" })).message).toBe(
      'dataset "r.csv": label column "z" not found; columns: y, x1, x2',
    );
    expect(errorOf(() => parseCsvDataset(text, { name: "r.csv", label: 5, task: "regression" })).message).toMatch(
      /index 5 is out of range/,
    );
  });

  it("accepts a constant feature", () => {
    expect(parseCsvDataset("a,b,label\n1,7,0\n2,7,1\n", opts).nRows).toBe(2);
  });

  it.each([
    ["", 'dataset "data.csv": file is empty'],
    ["\n\n", 'dataset "data.csv": file is empty'],
    ["a,b,label\n", 'dataset "data.csv": no data rows (only a header)'],
    ["a,b,label\n1,2,0\n3,0\n", 'dataset "data.csv", line 3: ragged row: 2 cells, expected 3 like the first row'],
    ["a,b,label\n1,2,0\n3,x7,1\n", 'dataset "data.csv", line 3: non-numeric cell "x7" in feature column "b"'],
    [
      "a,b,label\n1,,0\n3,4,1\n",
      'dataset "data.csv", line 2: empty cell in column "b" (missing values are not supported)',
    ],
    [
      "a,b,label\n1,2,0\n3,4,0\n",
      'dataset "data.csv": classification needs at least 2 classes, found 1 in column "label"',
    ],
  ])("refuses malformed input %j", (text, message) => {
    const err = errorOf(() => parseCsvDataset(text, opts));
    expect(err.code).toBe("INVALID_DATASET");
    expect(err.message).toBe(message);
  });

  it("refuses a non-numeric regression target naming the line", () => {
    const err = errorOf(() => parseCsvDataset("a,y\n1,2\n2,abc\n", { name: "r.csv", task: "regression" }));
    expect(err.message).toBe('dataset "r.csv", line 3: non-numeric regression target "abc" in column "y"');
  });
});
