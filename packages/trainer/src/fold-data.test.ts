import { kFoldSplit } from "@hpo/core";
import { describe, expect, it } from "vitest";
import { parseCsvDataset } from "./datasets/csv-loader.ts";
import { classWeightsOf, prepareFold } from "./fold-data.ts";

/** A mixed CSV: numeric with gaps, a categorical column with a rare value, a label. */
function rowsOf(n: number): string[][] {
  const ports = ["S", "S", "S", "C", "Q", "", "S", "C"];
  return Array.from({ length: n }, (_, i) => [
    i % 7 === 3 ? "NA" : String(20 + ((i * 13) % 50)),
    ports[i % ports.length] as string,
    String((i * 0.37) % 9),
    String(i % 3 === 0 ? 1 : 0),
  ]);
}
const toCsv = (rows: string[][]) => ["age,port,fare,y", ...rows.map((r) => r.join(","))].join("\n");
const opts = { name: "mixed.csv", task: "classification" as const };

describe("prepareFold", () => {
  it("fits every statistic on the training rows: changing only validation rows changes nothing the training side sees", () => {
    const rows = rowsOf(60);
    const data = parseCsvDataset(toCsv(rows), opts);
    const folds = kFoldSplit(data.nRows, 3, 1, Array.from(data.labels));
    const fold = folds[0]!;
    // rewrite every validation row: outliers, new categories, new gaps (labels and column types unchanged)
    const changed = rows.map((r) => [...r]);
    for (const v of fold.validation) {
      const row = changed[v]!;
      row[0] = v % 2 === 0 ? "" : "1000000";
      row[1] = v % 3 === 0 ? "" : `never-seen-${v}`;
      row[2] = v % 2 === 0 ? "NaN" : "-5000";
    }
    const other = parseCsvDataset(toCsv(changed), opts);
    for (const options of [{}, { maxCategories: 1, classWeight: "balanced" as const }]) {
      const a = prepareFold(data, fold, options);
      const b = prepareFold(other, fold, options);
      expect(b.encoder).toEqual(a.encoder);
      expect(b.standardizer).toEqual(a.standardizer);
      expect(b.nFeatures).toBe(a.nFeatures);
      expect(b.xTrain).toEqual(a.xTrain);
      expect(b.yTrain).toEqual(a.yTrain);
      expect(b.classWeights).toEqual(a.classWeights);
      expect(b.xVal).not.toEqual(a.xVal); // the change did reach the validation side
    }
  });

  it("encodes, imputes and standardizes: training inputs have mean 0, missing indicators and one-hot blocks", () => {
    const data = parseCsvDataset(toCsv(rowsOf(60)), opts);
    const fold = kFoldSplit(data.nRows, 3, 1, Array.from(data.labels))[1]!;
    const d = prepareFold(data, fold);
    expect(d.encoder.inputs).toEqual(["age", "age (missing)", "fare", "port=C", "port=Q", "port=S", "port (missing)"]);
    expect(d.xTrain.length).toBe(fold.train.length * 7);
    for (let j = 0; j < 7; j++) {
      let sum = 0;
      for (let i = 0; i < fold.train.length; i++) sum += d.xTrain[i * 7 + j]!;
      expect(Math.abs(sum / fold.train.length)).toBeLessThan(1e-5);
    }
  });
});

describe("classWeightsOf", () => {
  it("balanced: n / (classes present · n_class), as sklearn's compute_class_weight; none: all 1", () => {
    const y = Float32Array.from([0, 0, 0, 1, 2, 2]);
    expect(Array.from(classWeightsOf(y, 3, "balanced"))).toEqual([6 / 9, 2, 1].map(Math.fround));
    expect(Array.from(classWeightsOf(y, 4, "balanced"))).toEqual([6 / 9, 2, 1, 0].map(Math.fround));
    expect(Array.from(classWeightsOf(y, 3, "none"))).toEqual([1, 1, 1]);
  });
});
