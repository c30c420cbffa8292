import { hpoErrorOf } from "@hpo/core/testing";
import { describe, expect, it } from "vitest";
import { parseCsvDataset } from "./csv-loader.ts";

const opts = { name: "data.csv", task: "classification" as const };

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
    expect(hpoErrorOf(() => parseCsvDataset(text, { name: "r.csv", label: "z", task: "regression" })).message).toBe(
      'dataset "r.csv": label column "z" not found; columns: y, x1, x2',
    );
    expect(hpoErrorOf(() => parseCsvDataset(text, { name: "r.csv", label: 5, task: "regression" })).message).toMatch(
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
    ["a,b,label\n1,2,0\n3,4,NA\n", 'dataset "data.csv", line 3: missing label "NA" in column "label"'],
    [
      "a,b,label\n1,2,0\n3,4,0\n",
      'dataset "data.csv": classification needs at least 2 classes, found 1 in column "label"',
    ],
  ])("refuses malformed input %j", (text, message) => {
    const err = hpoErrorOf(() => parseCsvDataset(text, opts));
    expect(err.code).toBe("INVALID_DATASET");
    expect(err.message).toBe(message);
  });

  it("refuses a non-numeric regression target naming the line", () => {
    const err = hpoErrorOf(() => parseCsvDataset("a,y\n1,2\n2,abc\n", { name: "r.csv", task: "regression" }));
    expect(err.message).toBe('dataset "r.csv", line 3: non-numeric regression target "abc" in column "y"');
  });

  it("types columns: text makes a column categorical, missing tokens do not, small integers stay numeric", () => {
    const text = "age,sex,pclass,port,survived\n22,male,3,S,0\n,female,1,C,1\nNA,female,3,,1\n35,male,1,?,0\n";
    const d = parseCsvDataset(text, { ...opts, label: "survived" });
    expect(d.featureNames).toEqual(["age", "pclass"]);
    expect(Array.from(d.features)).toEqual([22, 3, Number.NaN, 1, Number.NaN, 3, 35, 1]);
    expect(d.categorical.map((c) => c.name)).toEqual(["sex", "port"]);
    expect(d.categorical[0]?.levels).toEqual(["male", "female"]);
    expect(Array.from(d.categorical[0]?.codes ?? [])).toEqual([0, 1, 1, 0]);
    expect(d.categorical[1]?.levels).toEqual(["S", "C"]);
    expect(Array.from(d.categorical[1]?.codes ?? [])).toEqual([0, 1, -1, -1]);
  });

  it("takes declared column types and missing tokens over inference", () => {
    const text = "id,pclass,port,y\n1,3,S,0\n2,1,-,1\n3,3,C,1\n";
    const d = parseCsvDataset(text, {
      ...opts,
      columns: { id: "ignore", pclass: "categorical" },
      missing: ["-"],
    });
    expect(d.featureNames).toEqual([]);
    expect(d.ignored).toEqual(["id"]);
    expect(d.categorical.map((c) => [c.name, c.levels])).toEqual([
      ["pclass", ["3", "1"]],
      ["port", ["S", "C"]],
    ]);
    expect(Array.from(d.categorical[1]?.codes ?? [])).toEqual([0, -1, 1]);
    // "NA" is a category once the tokens are replaced
    expect(parseCsvDataset("a,y\nNA,0\nb,1\n", { ...opts, missing: [""] }).categorical[0]?.levels).toEqual(["NA", "b"]);
  });

  it("names the line and column of a text cell in a column declared numeric, and unknown columns", () => {
    const text = "age,sex,y\n22,male,0\n30,female,1\n";
    expect(hpoErrorOf(() => parseCsvDataset(text, { ...opts, columns: { sex: "numeric" } })).message).toBe(
      'dataset "data.csv", line 2: non-numeric cell "male" in numeric column "sex" (declared numeric in dataset.columns)',
    );
    expect(hpoErrorOf(() => parseCsvDataset(text, { ...opts, columns: { sexx: "ignore" } })).message).toBe(
      'dataset "data.csv": dataset.columns names "sexx", which is not a column; columns: age, sex, y',
    );
    expect(hpoErrorOf(() => parseCsvDataset("a,y\n1,0\ninf,1\n", opts)).message).toBe(
      'dataset "data.csv", line 3: non-finite cell "inf" in numeric column "a" (not a missing token ("", "NA", "NaN", "null", "?"))',
    );
  });

  it("sees a header above a row whose first cells are missing", () => {
    const d = parseCsvDataset("age,fare,y\n,7.25,0\n30,8,1\n", opts);
    expect(d.featureNames).toEqual(["age", "fare"]);
    expect(d.nRows).toBe(2);
  });
});
