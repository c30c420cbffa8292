import { readFileSync } from "node:fs";
import { join } from "node:path";
import { builtinDataset } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend.ts";
import { loadDataset } from "../datasets/load-dataset.ts";
import { testSplit } from "../fold-split.ts";
import { testJob } from "../testing/index.ts";
import { trainerPackageDir } from "../trainer-package.ts";
import { loadModelFromFiles, refitTrial } from "./refit.ts";
import { encodeForModel, modelOutputs, predictionsOf } from "./scoring.ts";

beforeAll(async () => {
  await selectBackend("wasm");
});

const job = testJob({
  cv: { folds: 3, stratified: true, seed: 1, test_fraction: 0.2 },
  params: { learning_rate: 0.02, batch_size: 16, optimizer: "adam", early_stopping_patience: 3 },
  maxEpochs: 30,
});

describe("refitTrial", () => {
  it("refits on the rows outside the test split and scores the test split once through model.json", async () => {
    const before = tf.memory().numTensors;
    const r = await refitTrial(job);
    expect(tf.memory().numTensors).toBe(before);
    // iris: 150 rows, 10 per class held out for the test split, 10% of the rest watched by early stopping
    expect(r.rows).toBe(150);
    expect(r.test?.rows).toBe(30);
    expect(r.innerRows).toBe(12);
    expect(r.trainRows).toBe(108);
    expect(r.test?.score).toBeGreaterThan(0.8);
    expect(r.test?.metrics.val_accuracy).toBe(r.test?.score);
    expect(r.preprocessing.classes).toEqual(["0", "1", "2"]);
    expect(r.datasetSha256).toMatch(/^[0-9a-f]{64}$/);
    expect((r.modelJson.weightsManifest as { paths: string[] }[])[0]?.paths).toEqual(["weights.bin"]);

    // the files alone reproduce the score: load them and predict the held-out rows
    const model = await loadModelFromFiles(JSON.parse(JSON.stringify(r.modelJson)), r.weights);
    const data = loadDataset(builtinDataset(job));
    const test = testSplit(data, job.cv)?.heldOut ?? [];
    const x = encodeForModel(r.preprocessing, data, test);
    const predicted = predictionsOf(
      r.preprocessing,
      modelOutputs(model, x, test.length, r.preprocessing.inputs.length),
      test.length,
    );
    model.dispose();
    const truth = readFileSync(join(trainerPackageDir(), "datasets", "iris.csv"), "utf8")
      .trim()
      .split(/\r?\n/)
      .slice(1);
    const correct = test.filter((row, i) => truth[row]?.split(",").at(-1)?.trim() === predicted[i]).length;
    expect(correct / test.length).toBe(r.test?.score);
  });

  it("records no input scaling with standardize: false, and still scores the test split", async () => {
    const r = await refitTrial({ ...job, params: { ...job.params, standardize: false } });
    expect(r.preprocessing.mean).toEqual([0, 0, 0, 0]);
    expect(r.preprocessing.std).toEqual([1, 1, 1, 1]);
    expect(r.test?.score).toBeGreaterThan(0.8);
    const scaled = await refitTrial(job);
    expect(scaled.preprocessing.mean[0]).toBeGreaterThan(5); // iris sepal length, cm
  });

  it("gives the same weights bit for bit when run twice with the same seed, other weights with another", async () => {
    const a = await refitTrial(job);
    const b = await refitTrial(job);
    expect(Buffer.from(b.weights).equals(Buffer.from(a.weights))).toBe(true);
    expect(JSON.stringify(b.modelJson)).toBe(JSON.stringify(a.modelJson));
    const c = await refitTrial({ ...job, seed: job.seed + 1 });
    expect(Buffer.from(c.weights).equals(Buffer.from(a.weights))).toBe(false);
  });

  it("keeps batch norm, residual and leaky_relu layers: the loaded model scores as the refit did", async () => {
    const r = await refitTrial({
      ...job,
      params: {
        learning_rate: 0.01,
        batch_size: 16,
        optimizer: "adam",
        batch_norm: true,
        residual: true,
        activation: "leaky_relu",
      },
      model: { hidden: [16, 16], activation: "relu" },
      maxEpochs: 6,
    });
    const layers = (r.modelJson.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers.map(
      (l) => l.class_name,
    );
    expect(layers).toEqual(expect.arrayContaining(["BatchNormalization", "Add", "LeakyReLU", "Dense"]));
    expect(r.test?.score).toBeGreaterThan(0.5);
  });

  it("refuses a program trial before training: its refit is a run of the program (the coordinator's)", async () => {
    const program = testJob({ program: { path: "/opt/train.py", command: ["${program}"] } });
    await expect(refitTrial(program)).rejects.toThrow(
      "refit of t0001: a program trial's refit is a run of the program, not a TensorFlow.js model of hpo's",
    );
  });
});
