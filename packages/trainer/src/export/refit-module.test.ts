import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { builtinDataset } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend.ts";
import { loadDataset } from "../datasets/load-dataset.ts";
import { testSplit } from "../fold-split.ts";
import { testJob } from "../testing/index.ts";
import { loadModelFromFiles, refitTrial } from "./refit.ts";
import { encodeForModel, modelOutputs, predictionsOf } from "./scoring.ts";

const MODELS = fileURLToPath(new URL("../testing/models/", import.meta.url));

beforeAll(async () => {
  await selectBackend("wasm");
});

const moduleJob = (module: string) =>
  testJob({
    model: { hidden: [], activation: "relu", module },
    params: { learning_rate: 0.02, optimizer: "adam", batch_size: 16, units: 12, early_stopping_patience: 3 },
    cv: { folds: 3, stratified: true, seed: 6, test_fraction: 0.2 },
    maxEpochs: 15,
  });

describe("refitTrial of a model-module trial: the module's own model, refit and exported", () => {
  it("build(ctx): hpo's loop on every row outside the test split; the saved model scores the test split as reported", async () => {
    const job = moduleJob("dense-build.ts");
    const before = tf.memory().numTensors;
    const r = await refitTrial(job, { modelDirs: [MODELS] });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.preprocessing.outputs).toBe("probabilities");
    expect(r.innerRows).toBe(12); // early stopping watched an inner split, as the built-in refit does
    expect(r.trainRows).toBe(108);
    const names = (r.modelJson.modelTopology as { config: { layers: { config: { name: string } }[] } }).config.layers;
    expect(names.map((l) => l.config.name)).toEqual(["hidden", "out"]);
    // the files alone: load them, predict the held-out rows, count the hits
    const model = await loadModelFromFiles(JSON.parse(JSON.stringify(r.modelJson)), r.weights);
    const data = loadDataset(builtinDataset(job));
    const test = testSplit(data, job.cv)?.heldOut ?? [];
    const outputs = modelOutputs(model, encodeForModel(r.preprocessing, data, test), test.length, 4);
    model.dispose();
    const predicted = predictionsOf(r.preprocessing, outputs, test.length);
    const correct = test.filter((row, i) => data.classes[data.labels[row] as number] === predicted[i]).length;
    expect(correct / test.length).toBe(r.test?.score);
    expect(r.test?.score).toBeGreaterThan(0.7);
  });

  it("build(ctx): the same weights bit for bit with the same seed, others with another", async () => {
    const job = { ...moduleJob("dense-build.ts"), maxEpochs: 3 };
    const [a, b] = [await refitTrial(job, { modelDirs: [MODELS] }), await refitTrial(job, { modelDirs: [MODELS] })];
    expect(Buffer.from(b.weights).equals(Buffer.from(a.weights))).toBe(true);
    const c = await refitTrial({ ...job, seed: job.seed + 1 }, { modelDirs: [MODELS] });
    expect(Buffer.from(c.weights).equals(Buffer.from(a.weights))).toBe(false);
  });

  it("train(ctx): the model the module hands to ctx.saveModel is the export", async () => {
    const r = await refitTrial(moduleJob("dense-model.ts"), { modelDirs: [MODELS] });
    expect(r.epochs).toBe(15);
    expect(r.preprocessing.outputs).toBe("probabilities");
    expect(r.test?.rows).toBe(30);
    expect(r.test?.metrics.val_accuracy).toBe(r.test?.score);
    expect(r.test?.score).toBeGreaterThan(0.6);
  });

  it("says so when train(ctx) never calls ctx.saveModel, and refuses a module outside HPO_MODEL_DIRS", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hpo-refit-module-"));
    writeFileSync(
      join(dir, "no-save.mjs"),
      "export async function train(ctx) { await ctx.report(1, { val_accuracy: 0.5 }); }\n",
    );
    await expect(refitTrial(moduleJob("no-save.mjs"), { modelDirs: [dir] })).rejects.toThrow(
      'refit of t0001: model module "no-save.mjs": train(ctx) returned without calling ctx.saveModel(model): nothing to export',
    );
    await expect(refitTrial(moduleJob("dense-build.ts"), { modelDirs: [dir] })).rejects.toThrow(/HPO_MODEL_DIRS/);
  });
});
