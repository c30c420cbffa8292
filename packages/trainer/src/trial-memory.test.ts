/**
 * The submit-time memory estimate (@hpo/core trial-memory.ts) against the trainer itself: the
 * parameter count and dataset shapes it assumes are the trainer's, and on the wasm backend it
 * does not understate the heap a trial grows (measured peak; packages/trainer/tools/
 * measure-trial-memory.ts prints more sizes).
 */
import { datasetShapeOf, estimateJobMemory, mlpFootprint } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { loadDataset } from "./datasets/load-dataset.ts";
import { Mlp } from "./model.ts";
import { parseTrainConfig } from "./params.ts";
import { testJob } from "./testing/index.ts";
import { trainTrial } from "./train-trial.ts";

beforeAll(async () => {
  await selectBackend("wasm");
});

describe("memory estimate vs the trainer", () => {
  it("counts the parameters the packed MLP allocates", () => {
    for (const [hidden, batchNorm] of [
      [[16], false],
      [[128, 64], true],
      [[], false],
      [[32, 32, 32], true],
    ] as const) {
      const config = parseTrainConfig(
        { hidden: [...hidden], batch_norm: batchNorm },
        { hidden: [64], activation: "relu" },
      );
      const mlp = new Mlp(config, 13, 3, [1, 2]);
      expect(mlpFootprint(hidden, 13, 3, { batchNorm }).parameters, JSON.stringify(hidden)).toBe(mlp.size);
      mlp.dispose();
    }
  });

  it("knows the shapes of the built-in and synthetic datasets", () => {
    for (const name of ["iris", "wine", "digits", "moons:500", "spirals:300:2", "regression:200"]) {
      const task = name.startsWith("regression") ? "regression" : "classification";
      const data = loadDataset({ name, task });
      expect(datasetShapeOf({ name, task }), name).toEqual({
        rows: data.nRows,
        features: data.nFeatures,
        outputs: task === "regression" ? 1 : data.classes.length,
        ...(data.image && { image: data.image }),
      });
    }
    expect(datasetShapeOf({ path: "x.csv", task: "classification" })).toBeUndefined();
  });

  it("does not understate the wasm heap a trial grows, nor overstate it by more than half", async () => {
    const job = testJob({
      sweepId: "s",
      trialId: "t0000",
      params: { hidden: [1024, 1024], batch_size: 32, optimizer: "adam" },
      model: { hidden: [64], activation: "relu" },
      cv: { folds: 5, stratified: true, seed: 0 },
      maxEpochs: 1,
      seed: 1,
    });
    expect((await trainTrial(job, { report: async () => false }, new AbortController().signal)).state).toBe(
      "completed",
    );
    // the heap only grows: its size now is the trial's peak
    const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
    const estimate = estimateJobMemory(job).heapBytes;
    expect(estimate).toBeGreaterThanOrEqual(heap);
    expect(estimate).toBeLessThan(1.5 * heap);
  }, 60_000);
});
