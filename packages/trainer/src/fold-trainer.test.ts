import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { loadDataset } from "./datasets/load-dataset.ts";
import { prepareFold } from "./fold-data.ts";
import { splitFolds } from "./fold-split.ts";
import { FoldTrainer } from "./fold-trainer.ts";
import { Mlp } from "./model.ts";
import { parseTrainConfig, type TrainConfig } from "./params.ts";

beforeAll(async () => {
  await selectBackend("wasm");
});

function foldOf(name: string, folds = 3) {
  const data = loadDataset({ name, task: "classification" });
  const [fold] = splitFolds(data, { folds, stratified: true, seed: 1 });
  return { data, fold: prepareFold(data, fold!) };
}

describe("FoldTrainer", () => {
  it("early stopping stops after `patience` epochs without improvement and restores the best weights", async () => {
    const before = tf.memory().numTensors;
    const { data, fold } = foldOf("wine");
    // A large learning rate and a wide net make val_loss bottom out and rise within a few epochs.
    const config = parseTrainConfig(
      { learning_rate: 0.05, early_stopping_patience: 2, batch_size: 16 },
      { hidden: [128, 128], activation: "relu" },
    );
    const t = new FoldTrainer(0, fold, config, "classification", data.classes.length, 11);
    const history: number[] = [];
    let epoch = 0;
    while (!t.stopped && epoch < 60) {
      await t.trainEpoch(0.05);
      const rec = t.evaluate(0.05);
      history.push(rec.val_loss as number);
      t.observe(rec);
      epoch++;
    }
    expect(t.stopped).toBe(true);
    const best = Math.min(...history);
    const bestEpoch = history.indexOf(best);
    expect(history.length).toBe(bestEpoch + 1 + 2); // stopped exactly `patience` epochs after the best
    expect(t.finalRecord?.val_loss).toBe(best);
    const restored = t.evaluate(0.05);
    expect(restored.val_loss).toBeCloseTo(best, 6); // the model now holds the best epoch's weights
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("leaves the tensor count at its baseline for every option combination", async () => {
    const { fold } = foldOf("iris");
    const combos: Record<string, string | number | boolean>[] = [
      { optimizer: "sgd" },
      { optimizer: "momentum", nesterov: true, dropout: 0.3 },
      { optimizer: "adagrad", batch_norm: true, residual: true, hidden: "8,8,8" },
      { optimizer: "rmsprop", clip_norm: 1, weight_decay: 1e-3, l1: 1e-4 },
      { optimizer: "adadelta", clip_value: 0.1, activation: "elu", lr_schedule: "cosine" },
      {
        optimizer: "adam",
        activation: "leaky_relu",
        leaky_alpha: 0.2,
        initializer: "glorot",
        early_stopping_patience: 1,
      },
      {
        optimizer: "adamax",
        activation: "sigmoid",
        batch_norm: true,
        dropout: 0.5,
        clip_norm: 0.5,
        clip_value: 0.2,
        lr_schedule: "step",
      },
      {
        optimizer: "adam",
        activation: "tanh",
        residual: true,
        hidden: "[]",
        lr_schedule: "exponential",
        early_stopping_patience: 3,
      },
    ];
    for (const params of combos) {
      const before = tf.memory().numTensors;
      const config: TrainConfig = parseTrainConfig({ batch_size: 32, ...params }, { hidden: [8], activation: "relu" });
      const t = new FoldTrainer(0, fold, config, "classification", 3, 5);
      for (let e = 0; e < 3 && !t.stopped; e++) {
        await t.trainEpoch(0.01);
        const rec = t.evaluate(0.01);
        expect(Number.isFinite(rec.val_loss), JSON.stringify(params)).toBe(true);
        t.observe(rec);
      }
      t.dispose();
      expect(tf.memory().numTensors, JSON.stringify(params)).toBe(before);
    }
  });
});

describe("Mlp", () => {
  it("adds identity skip connections only where a hidden layer keeps its width", () => {
    const config = parseTrainConfig({ residual: true, batch_norm: true }, { hidden: [8, 8, 4], activation: "relu" });
    const m = new Mlp(config, 8, 3, 1);
    expect(m.layers.map((l) => l.residual)).toEqual([true, true, false, false]);
    expect(m.layers.map((l) => l.gamma !== undefined)).toEqual([true, true, true, false]);
    expect(m.groups.map((g) => g.length)).toEqual([4, 4, 4, 2]);
    m.dispose();
  });

  it("initializes from the seed: glorot uniform within its limit, he normal with std √(2/fanIn)", () => {
    const glorot = new Mlp(
      parseTrainConfig({ initializer: "glorot" }, { hidden: [200], activation: "relu" }),
      100,
      2,
      1,
    );
    const k = glorot.layers[0]!.kernel.dataSync();
    const limit = Math.sqrt(6 / 300);
    expect(Math.max(...k)).toBeLessThanOrEqual(limit);
    expect(Math.min(...k)).toBeGreaterThanOrEqual(-limit);
    const he = new Mlp(parseTrainConfig({ initializer: "he" }, { hidden: [200], activation: "relu" }), 100, 2, 1);
    const h = Array.from(he.layers[0]!.kernel.dataSync());
    const std = Math.sqrt(h.reduce((a, b) => a + b * b, 0) / h.length);
    expect(std).toBeCloseTo(Math.sqrt(2 / 100), 2);
    const again = new Mlp(parseTrainConfig({ initializer: "he" }, { hidden: [200], activation: "relu" }), 100, 2, 1);
    expect(Array.from(again.layers[0]!.kernel.dataSync())).toEqual(Array.from(h));
    for (const m of [glorot, he, again]) m.dispose();
  });
});
