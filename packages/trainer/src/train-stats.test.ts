import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { loadDataset } from "./datasets/load-dataset.ts";
import { type FoldData, prepareFold } from "./fold-data.ts";
import { splitFolds } from "./fold-split.ts";
import { Mlp } from "./model.ts";
import { PackedTrainer } from "./packed-trainer.ts";
import { parseTrainConfig, type TrainConfig } from "./params.ts";

beforeAll(async () => {
  await selectBackend("wasm");
});

/** Model k's training-set metrics with its initial weights (a pack of one has the same init). */
function initialTrainMetrics(fold: FoldData, config: TrainConfig, outputs: number, seed: number, task: string) {
  const model = new Mlp(config, fold.nFeatures, outputs, [seed]);
  const n = fold.yTrain.length;
  const out = tf.tidy(() => model.forward(tf.tensor3d(fold.xTrain, [1, n, fold.nFeatures]), false));
  const v = out.dataSync();
  out.dispose();
  model.dispose();
  let loss = 0;
  let correct = 0;
  let sse = 0;
  let sae = 0;
  for (let i = 0; i < n; i++) {
    const y = fold.yTrain[i] as number;
    if (task === "classification") {
      const row = Array.from(v.subarray(i * outputs, (i + 1) * outputs));
      const max = Math.max(...row);
      loss += max + Math.log(row.reduce((a, b) => a + Math.exp(b - max), 0)) - (row[y] as number);
      if (row.indexOf(max) === y) correct++;
    } else {
      const out1 = v[i] as number;
      loss += (out1 - (y - fold.yMean) / fold.yStd) ** 2;
      const err = out1 * fold.yStd + fold.yMean - y;
      sse += err * err;
      sae += Math.abs(err);
    }
  }
  return { loss: loss / n, accuracy: correct / n, mse: sse / n, mae: sae / n };
}

describe("training metrics: running mean over the epoch's mini-batches", () => {
  for (const manualGrads of [true, false]) {
    it(`one full batch per epoch, no dropout: the epoch's train loss/accuracy are those of the weights before the step (${manualGrads ? "hand-derived" : "autodiff"} gradients)`, async () => {
      const before = tf.memory().numTensors;
      const data = loadDataset({ name: "wine", task: "classification" });
      const split = splitFolds(data, { folds: 3, stratified: true, seed: 1 });
      const folds = split.map((f) => prepareFold(data, f));
      expect(new Set(folds.map((f) => f.yTrain.length)).size).toBeGreaterThan(1); // padded pack
      const config = parseTrainConfig({ batch_size: 1000, learning_rate: 0.05 }, { hidden: [16], activation: "relu" });
      const seeds = [4, 5, 6];
      const expected = folds.map((f, k) => initialTrainMetrics(f, config, 3, seeds[k] as number, "classification"));
      const t = new PackedTrainer(folds, config, "classification", 3, seeds, { manualGrads });
      await t.trainEpoch(0.05);
      const recs = t.evaluate(0.05);
      recs.forEach((r, k) => {
        expect(r.loss).toBeCloseTo(expected[k]?.loss as number, 4);
        expect(r.accuracy).toBe(expected[k]?.accuracy);
        expect(r.gap).toBeCloseTo((r.val_loss as number) - (r.loss as number), 10);
      });
      // A second epoch reports the updated weights' (lower) loss, not the first epoch's.
      await t.trainEpoch(0.05);
      const next = t.evaluate(0.05);
      next.forEach((r, k) => {
        expect(r.loss).toBeLessThan(recs[k]?.loss as number);
      });
      t.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it("regression: loss (standardized), mse, mae and r2 (original units) of the rows trained", async () => {
    const data = loadDataset({ name: "regression:300", task: "regression" });
    const split = splitFolds(data, { folds: 3, stratified: false, seed: 2 });
    const folds = split.map((f) => prepareFold(data, f));
    const config = parseTrainConfig({ batch_size: 1000, optimizer: "sgd" }, { hidden: [8], activation: "tanh" });
    const seeds = [7, 8, 9];
    const expected = folds.map((f, k) => initialTrainMetrics(f, config, 1, seeds[k] as number, "regression"));
    const t = new PackedTrainer(folds, config, "regression", 1, seeds);
    await t.trainEpoch(0.01);
    const recs = t.evaluate(0.01);
    recs.forEach((r, k) => {
      const e = expected[k] as (typeof expected)[number];
      const y = (folds[k] as FoldData).yTrain;
      const mean = y.reduce((a, b) => a + b, 0) / y.length;
      const ssTot = y.reduce((a, b) => a + (b - mean) ** 2, 0);
      expect(r.loss).toBeCloseTo(e.loss, 4);
      expect((r.mse as number) / e.mse).toBeCloseTo(1, 4);
      expect((r.mae as number) / e.mae).toBeCloseTo(1, 4);
      expect(r.r2).toBeCloseTo(1 - (e.mse * y.length) / ssTot, 4);
    });
    t.dispose();
  });
});
