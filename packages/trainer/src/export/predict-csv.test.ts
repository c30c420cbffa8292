import { readFileSync } from "node:fs";
import { join } from "node:path";
import { builtinDataset, HpoError } from "@hpo/core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend.ts";
import { loadDataset } from "../datasets/load-dataset.ts";
import { testSplit } from "../fold-split.ts";
import { testJob } from "../testing/index.ts";
import { trainerPackageDir } from "../trainer-package.ts";
import { csvRowsFor, predictCsv } from "./predict-csv.ts";
import { refitTrial } from "./refit.ts";

const DATA_DIR = join(trainerPackageDir(), "../../examples/data");

beforeAll(async () => {
  await selectBackend("wasm");
});

/** The header and the given data rows (0-based, after the header) of a CSV file, as text. */
function rowsOf(file: string, rows: readonly number[], dropColumn?: string): string {
  const lines = readFileSync(file, "utf8").trim().split(/\r?\n/);
  const header = (lines[0] as string).split(",");
  const drop = dropColumn === undefined ? -1 : header.indexOf(dropColumn);
  const keep = (line: string) =>
    line
      .split(",")
      .filter((_, j) => j !== drop)
      .join(",");
  return `${[lines[0] as string, ...rows.map((r) => lines[r + 1] as string)].map(keep).join("\n")}\n`;
}

describe("predictCsv", () => {
  // mixed types, gaps, categories past the cap: the CSV path must encode rows as the refit did
  const job = testJob({
    dataset: {
      path: "passengers.csv",
      label: "survived",
      task: "classification",
      columns: { passenger_id: "ignore", pclass: "categorical" },
      missing: ["", "NA", "?"],
      max_categories: 8,
    },
    metric: { name: "val_auc", goal: "maximize" },
    cv: { folds: 3, stratified: true, seed: 4, test_fraction: 0.25 },
    model: { hidden: [16], activation: "relu" },
    maxEpochs: 5,
  });

  it("scores a file of the test split's rows exactly as the refit scored them (categories, gaps, ignored columns)", async () => {
    const refit = await refitTrial(job, { dataDirs: [DATA_DIR] });
    expect(refit.preprocessing.categorical.map((c) => c.name)).toEqual(
      expect.arrayContaining(["sex", "pclass", "embarked"]),
    );
    const data = loadDataset(builtinDataset(job), { dataDirs: [DATA_DIR] });
    const test = testSplit(data, job.cv)?.heldOut ?? [];
    const text = rowsOf(join(DATA_DIR, "passengers.csv"), test);
    const exported = { modelJson: refit.modelJson, weights: refit.weights, preprocessing: refit.preprocessing };
    const scored = await predictCsv(exported, text, "test.csv");
    expect(scored.predictions).toHaveLength(test.length);
    expect(scored.metrics).toEqual(refit.test?.metrics);

    // the same rows without the label column: the same predictions, no metrics
    const unlabelled = await predictCsv(exported, rowsOf(join(DATA_DIR, "passengers.csv"), test, "survived"), "u.csv");
    expect(unlabelled.metrics).toBeUndefined();
    expect(unlabelled.predictions).toEqual(scored.predictions);
  });

  it("names the file, line and column of what it cannot read", async () => {
    const refit = await refitTrial({ ...job, maxEpochs: 1 }, { dataDirs: [DATA_DIR] });
    const pre = refit.preprocessing;
    const head = "passenger_id,age,sex,pclass,embarked,fare,deck,ticket_prefix,survived";
    expect(() => csvRowsFor(pre, "age,sex\n3,male\n", "a.csv")).toThrow(HpoError);
    expect(() => csvRowsFor(pre, "age,sex\n3,male\n", "a.csv")).toThrow(/file "a.csv", line 1: no column .*"pclass"/);
    expect(() => csvRowsFor(pre, `${head}\n1,abc,male,3,S,7,,,1\n`, "b.csv")).toThrow(
      'file "b.csv", line 2: non-numeric cell "abc" in numeric column "age"',
    );
    expect(() => csvRowsFor(pre, `${head}\n1,30,male,3,S,7,,,maybe\n`, "c.csv")).toThrow(
      /file "c.csv", line 2: label "maybe" in column "survived" is not a class of the model \(0, 1\)/,
    );
  });
});

describe("predictCsv on a regression export", () => {
  it("predicts targets in their own units and scores them as the refit did", async () => {
    const job = testJob({
      dataset: { path: "moons.csv", task: "regression", label: "y" },
      metric: { name: "val_rmse", goal: "minimize" },
      cv: { folds: 3, stratified: false, seed: 2, test_fraction: 0.2 },
      maxEpochs: 4,
    });
    const refit = await refitTrial(job, { dataDirs: [DATA_DIR] });
    expect(refit.preprocessing.target).toBeDefined();
    const data = loadDataset(builtinDataset(job), { dataDirs: [DATA_DIR] });
    const test = testSplit(data, job.cv)?.heldOut ?? [];
    const scored = await predictCsv(
      { modelJson: refit.modelJson, weights: refit.weights, preprocessing: refit.preprocessing },
      rowsOf(join(DATA_DIR, "moons.csv"), test),
      "moons-test.csv",
    );
    expect(scored.metrics).toEqual(refit.test?.metrics);
    expect(scored.metrics?.val_rmse).toBe(refit.test?.score);
    expect(typeof scored.predictions[0]).toBe("number");
  });
});

describe("predictCsv on a layer-list export (conv2d on digits images)", () => {
  const job = testJob({
    dataset: { name: "digits", task: "classification" },
    cv: { folds: 3, stratified: true, seed: 3, test_fraction: 0.2 },
    model: {
      hidden: [],
      activation: "relu",
      layers: [
        { type: "conv2d", filters: 6, kernel_size: 3, padding: "same" },
        { type: "batch_norm" },
        { type: "max_pool2d", pool_size: 2 },
        { type: "flatten" },
        { type: "dropout", rate: 0.2 },
        { type: "dense", units: 24 },
      ],
    },
    params: { learning_rate: 0.003, batch_size: 32, optimizer: "adam" },
    maxEpochs: 3,
  });

  it("scores the test split's pixel rows (a CSV with one column per pixel) exactly as the refit did", async () => {
    const refit = await refitTrial(job);
    const layers = (refit.modelJson.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers;
    expect(layers.map((l) => l.class_name)).toEqual(expect.arrayContaining(["Reshape", "Conv2D", "MaxPooling2D"]));
    expect(refit.preprocessing.inputs[9]).toBe("pixel_1_1");
    expect(refit.test?.score).toBeGreaterThan(0.8);
    const data = loadDataset(builtinDataset(job));
    const test = testSplit(data, job.cv)?.heldOut ?? [];
    const file = join(trainerPackageDir(), "datasets", "digits.csv");
    const exported = { modelJson: refit.modelJson, weights: refit.weights, preprocessing: refit.preprocessing };
    const scored = await predictCsv(exported, rowsOf(file, test), "digits-test.csv");
    expect(scored.predictions).toHaveLength(test.length);
    expect(scored.metrics?.val_accuracy).toBe(refit.test?.score);
    expect(scored.metrics).toEqual(refit.test?.metrics);
  });

  it("gives the same weights bit for bit when refit twice with the same seed", async () => {
    const quick = { ...job, maxEpochs: 1 };
    const [a, b] = [await refitTrial(quick), await refitTrial(quick)];
    expect(a.weights.length).toBe((6 * 9 + 6 + 4 * 6 + 4 * 4 * 6 * 24 + 24 + 24 * 10 + 10) * 4);
    expect(Buffer.from(b.weights).equals(Buffer.from(a.weights))).toBe(true);
    expect(JSON.stringify(b.modelJson)).toBe(JSON.stringify(a.modelJson));
  });
});
