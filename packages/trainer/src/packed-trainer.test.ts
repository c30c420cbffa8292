import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { loadDataset } from "./datasets/load-dataset.ts";
import { prepareFold } from "./fold-data.ts";
import { splitFolds } from "./fold-split.ts";
import { Mlp } from "./model.ts";
import type { BatchStats } from "./packed-model.ts";
import { PackedTrainer } from "./packed-trainer.ts";
import { parseTrainConfig, type TrainConfig } from "./params.ts";

beforeAll(async () => {
  await selectBackend("wasm");
});

function foldsOf(name: string, which: readonly number[], folds = 3) {
  const data = loadDataset({ name, task: "classification" });
  const split = splitFolds(data, { folds, stratified: true, seed: 1 });
  return { data, folds: which.map((f) => prepareFold(data, split[f]!)) };
}

describe("PackedTrainer", () => {
  it("early stopping stops each model `patience` epochs after its best and keeps its best weights while the others train on", async () => {
    const before = tf.memory().numTensors;
    const { data, folds } = foldsOf("wine", [0, 1, 2]);
    // A large learning rate and a wide net make val_loss bottom out and rise within a few epochs.
    const config = parseTrainConfig(
      { learning_rate: 0.1, early_stopping_patience: 2, batch_size: 32 },
      { hidden: [64, 64], activation: "relu" },
    );
    const t = new PackedTrainer(folds, config, "classification", data.classes.length, [11, 12, 13]);
    const history: number[][] = [[], [], []];
    const stoppedAt: number[] = [];
    while (!t.done && t.epoch < 60) {
      await t.trainEpoch(0.1);
      const recs = t.evaluate(0.1);
      recs.forEach((r, k) => {
        if (!t.stopped[k]) history[k]!.push(r.val_loss as number);
      });
      t.observe(recs);
      t.stopped.forEach((s, k) => {
        if (s && stoppedAt[k] === undefined) stoppedAt[k] = t.epoch;
      });
    }
    expect(t.done).toBe(true);
    expect(new Set(stoppedAt).size).toBeGreaterThan(1); // the folds stopped at different epochs
    const final = t.evaluate(0.1);
    for (const k of [0, 1, 2]) {
      const h = history[k]!;
      const best = Math.min(...h);
      expect(h.length).toBe(h.indexOf(best) + 1 + 2); // stopped exactly `patience` epochs after the best
      expect(t.finalRecords[k]?.val_loss).toBe(best);
      expect(t.epochs[k]).toBe(stoppedAt[k]);
      expect(final[k]?.val_loss).toBeCloseTo(best, 5); // each model holds its best epoch's weights
    }
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("early stopping counts only improvements larger than min_delta", () => {
    const { data, folds } = foldsOf("iris", [0]);
    const config = parseTrainConfig(
      { early_stopping_patience: 2, early_stopping_min_delta: 0.05 },
      { hidden: [4], activation: "relu" },
    );
    const t = new PackedTrainer(folds, config, "classification", data.classes.length, [1]);
    const rec = (val_loss: number) => [{ loss: 0.5, val_loss }];
    t.observe(rec(1.0)); // first epoch: an improvement over +∞
    t.observe(rec(0.96)); // better, but by less than min_delta: not an improvement
    expect(t.stopped[0]).toBe(false);
    t.observe(rec(0.9)); // 0.10 below the best: an improvement, the count restarts
    t.observe(rec(0.86));
    expect(t.stopped[0]).toBe(false);
    t.observe(rec(0.88));
    expect(t.stopped[0]).toBe(true);
    expect(t.finalRecords[0]?.val_loss).toBe(0.9);
    t.dispose();
  });

  it("leaves the tensor count at its baseline for every option combination", async () => {
    const { data, folds } = foldsOf("wine", [0, 1, 2]);
    expect(folds.map((f) => f.yTrain.length).sort()).toEqual([118, 119, 119]); // padded packs
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
      const t = new PackedTrainer(folds, config, "classification", data.classes.length, [5, 6, 7]);
      for (let e = 0; e < 3 && !t.done; e++) {
        await t.trainEpoch(0.01);
        const recs = t.evaluate(0.01);
        for (const r of recs) expect(Number.isFinite(r.val_loss), JSON.stringify(params)).toBe(true);
        t.observe(recs);
      }
      t.dispose();
      expect(tf.memory().numTensors, JSON.stringify(params)).toBe(before);
    }
  });
});

describe("PackedTrainer step: regularization and clipping act on the update as defined", () => {
  const model = { hidden: [16], activation: "relu" };
  /** θ after one full-batch sgd step (lr 1 unless given) from the seeded init, per model. */
  async function oneStep(
    params: Record<string, number | string>,
    lr = 1,
  ): Promise<{ before: Float32Array; after: Float32Array; t: PackedTrainer }> {
    const { folds } = foldsOf("iris", [0, 1, 2]);
    const config = parseTrainConfig({ optimizer: "sgd", batch_size: 1000, ...params }, model);
    const t = new PackedTrainer(folds, config, "classification", 3, [1, 2, 3]);
    const before = Float32Array.from(t.model.theta.dataSync());
    await t.trainEpoch(lr);
    const after = Float32Array.from(t.model.theta.dataSync());
    return { before, after, t };
  }

  it("clip_norm bounds each model's whole step to the given norm", async () => {
    const { before, after, t } = await oneStep({ clip_norm: 0.01 });
    const P = t.model.size;
    for (let k = 0; k < 3; k++) {
      let sq = 0;
      for (let i = k * P; i < (k + 1) * P; i++) sq += ((after[i] as number) - (before[i] as number)) ** 2;
      expect(Math.sqrt(sq)).toBeCloseTo(0.01, 5);
    }
    t.dispose();
  });

  it("clip_value bounds every element of the step", async () => {
    const { before, after, t } = await oneStep({ clip_value: 0.001 });
    const deltas = Array.from(after, (v, i) => Math.abs(v - (before[i] as number)));
    expect(Math.max(...deltas)).toBeCloseTo(0.001, 6);
    t.dispose();
  });

  it("weight_decay adds λ·w and l1 adds λ·sign(w) to the kernels' gradients only", async () => {
    const plain = await oneStep({}, 0.1);
    const l2 = await oneStep({ weight_decay: 0.5 }, 0.1);
    const l1 = await oneStep({ l1: 0.2 }, 0.1);
    const mask = plain.t.model.kernelMask.dataSync();
    const P = plain.t.model.size;
    for (let i = 0; i < 3 * P; i += 7) {
      const w = plain.before[i] as number;
      const isKernel = mask[i % P] === 1;
      const extraL2 = (l2.after[i] as number) - (plain.after[i] as number);
      const extraL1 = (l1.after[i] as number) - (plain.after[i] as number);
      expect(extraL2).toBeCloseTo(isKernel ? -0.1 * 0.5 * w : 0, 5);
      expect(extraL1).toBeCloseTo(isKernel ? -0.1 * 0.2 * Math.sign(w) : 0, 5);
    }
    for (const r of [plain, l2, l1]) r.t.dispose();
  });
});

describe("Mlp", () => {
  it("adds identity skip connections only where a hidden layer keeps its width", () => {
    const config = parseTrainConfig({ residual: true, batch_norm: true }, { hidden: [8, 8, 4], activation: "relu" });
    const m = new Mlp(config, 8, 3, [1]);
    expect(m.layout.map((l) => l.residual)).toEqual([true, true, false, false]);
    expect(m.layout.map((l) => l.batchNorm)).toEqual([true, true, true, false]);
    expect(m.layerSizes).toEqual([8 * 8 + 3 * 8, 8 * 8 + 3 * 8, 8 * 4 + 3 * 4, 4 * 3 + 3]);
    expect(m.theta.shape).toEqual([1, m.size]);
    expect(m.moving).toHaveLength(3);
    m.dispose();
  });

  it("batch norm normalizes with the batch statistics in training and folds them into moving averages", () => {
    const config = parseTrainConfig({ batch_norm: true, activation: "linear" }, { hidden: [3], activation: "relu" });
    const m = new Mlp(config, 2, 2, [4]);
    const xs = [
      [1, 2],
      [3, -1],
      [0.5, 0.5],
      [-2, 4],
    ];
    const theta = m.theta.dataSync(); // kernel [2, 3] row-major first, bias 0
    const z = xs.map(([a, b]) =>
      [0, 1, 2].map((j) => (a as number) * (theta[j] as number) + (b as number) * (theta[3 + j] as number)),
    );
    const mean = [0, 1, 2].map((j) => z.reduce((s, r) => s + (r[j] as number), 0) / 4);
    const variance = [0, 1, 2].map((j) => z.reduce((s, r) => s + ((r[j] as number) - (mean[j] as number)) ** 2, 0) / 4);
    const stats: BatchStats[] = [];
    const x = tf.tensor3d(xs.flat(), [1, 4, 2]);
    const out = m.forward(x, true, [], stats);
    expect(
      Array.from(stats[0]!.mean.dataSync())
        .map((v, j) => v - (mean[j] as number))
        .every((d) => Math.abs(d) < 1e-5),
    ).toBe(true);
    expect(
      Array.from(stats[0]!.variance.dataSync())
        .map((v, j) => v - (variance[j] as number))
        .every((d) => Math.abs(d) < 1e-5),
    ).toBe(true);
    m.updateMovingStats(stats);
    const moving = Array.from(m.moving[0]!.mean.dataSync());
    moving.forEach((v, j) => {
      expect(v).toBeCloseTo(0.1 * (mean[j] as number), 5);
    });
    const movingVar = Array.from(m.moving[0]!.variance.dataSync());
    movingVar.forEach((v, j) => {
      expect(v).toBeCloseTo(0.9 + 0.1 * (variance[j] as number), 5);
    });
    for (const t of [x, out, stats[0]!.mean, stats[0]!.variance]) t.dispose();
    m.dispose();
  });

  it("initializes from the seed: glorot uniform within its limit, he normal with std √(2/fanIn)", () => {
    const glorot = new Mlp(
      parseTrainConfig({ initializer: "glorot" }, { hidden: [200], activation: "relu" }),
      100,
      2,
      [1],
    );
    const firstKernel = (m: Mlp) => Array.from(m.theta.dataSync().slice(0, 100 * 200));
    const k = firstKernel(glorot);
    const limit = Math.sqrt(6 / 300);
    expect(Math.max(...k)).toBeLessThanOrEqual(limit);
    expect(Math.min(...k)).toBeGreaterThanOrEqual(-limit);
    const he = new Mlp(parseTrainConfig({ initializer: "he" }, { hidden: [200], activation: "relu" }), 100, 2, [1]);
    const h = firstKernel(he);
    const std = Math.sqrt(h.reduce((a, b) => a + b * b, 0) / h.length);
    expect(std).toBeCloseTo(Math.sqrt(2 / 100), 2);
    const again = new Mlp(parseTrainConfig({ initializer: "he" }, { hidden: [200], activation: "relu" }), 100, 2, [1]);
    expect(firstKernel(again)).toEqual(h);
    // In a pack, model k gets exactly the weights it would get alone.
    const pack = new Mlp(
      parseTrainConfig({ initializer: "he" }, { hidden: [200], activation: "relu" }),
      100,
      2,
      [5, 1],
    );
    expect(Array.from(pack.theta.dataSync().slice(pack.size, pack.size + 100 * 200))).toEqual(h);
    pack.dispose();
    for (const m of [glorot, he, again]) m.dispose();
  });

  it("initializes as PyTorch with pytorch: kernels and biases U(±1/√fanIn); biases 0 otherwise", () => {
    const config = (initializer: string) => parseTrainConfig({ initializer }, { hidden: [200], activation: "relu" });
    const torch = new Mlp(config("pytorch"), 100, 2, [1]);
    const theta = torch.theta.dataSync();
    const kernel = Array.from(theta.slice(0, 100 * 200));
    const bias = Array.from(theta.slice(100 * 200, 100 * 200 + 200));
    const limit = 1 / Math.sqrt(100);
    for (const w of [kernel, bias]) {
      expect(Math.max(...w)).toBeLessThanOrEqual(limit);
      expect(Math.min(...w)).toBeGreaterThanOrEqual(-limit);
    }
    expect(Math.sqrt(kernel.reduce((a, b) => a + b * b, 0) / kernel.length)).toBeCloseTo(limit / Math.sqrt(3), 3);
    expect(Math.max(...bias)).toBeGreaterThan(limit / 2);
    expect(Math.min(...bias)).toBeLessThan(-limit / 2);
    // the output layer: fan-in 200
    const out = torch.layout[1] as (typeof torch.layout)[number];
    const outBias = Array.from(theta.slice(out.offset + 200 * 2, out.offset + 200 * 2 + 2));
    for (const b of outBias) expect(Math.abs(b)).toBeLessThanOrEqual(1 / Math.sqrt(200));
    expect(outBias.some((b) => b !== 0)).toBe(true);
    const glorot = new Mlp(config("glorot"), 100, 2, [1]);
    expect(Array.from(glorot.theta.dataSync().slice(100 * 200, 100 * 200 + 200)).every((b) => b === 0)).toBe(true);
    for (const m of [torch, glorot]) m.dispose();
  });
});
