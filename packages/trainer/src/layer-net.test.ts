import { evalChunkRows, type LayerSpec, resolveLayer } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { loadDataset } from "./datasets/load-dataset.ts";
import { LayerNet } from "./layer-net.ts";
import { modelInputs } from "./model-inputs.ts";
import { parseTrainConfig } from "./params.ts";
import { recorder, testJob } from "./testing/index.ts";
import { trainTrial } from "./train-trial.ts";

const never = new AbortController().signal;

const cnn: LayerSpec[] = [
  { type: "conv2d", filters: { param: "conv_filters" }, kernel_size: 3, padding: "same" },
  { type: "max_pool2d", pool_size: 2 },
  { type: "flatten" },
  { type: "dense", units: 32 },
  { type: "dropout", rate: { param: "dense_dropout" } },
];

const cnnJob = (over: Parameters<typeof testJob>[0] = {}) =>
  testJob({
    dataset: { name: "digits", task: "classification" },
    model: { hidden: [64], activation: "relu", layers: cnn },
    params: { learning_rate: 0.003, batch_size: 64, conv_filters: 8, dense_dropout: 0.2 },
    maxEpochs: 3,
    ...over,
  });

beforeAll(async () => {
  await selectBackend("wasm");
});
afterAll(async () => {
  await tf.setBackend("wasm");
});

describe("layer lists (LayerNet)", () => {
  it("trains a small CNN on digits as 8×8×1 images on wasm, with per-layer gradient norms and no leak", {
    timeout: 120_000,
  }, async () => {
    const before = tf.memory().numTensors;
    const rep = recorder();
    const out = await trainTrial(cnnJob(), rep, never);
    expect(out.error).toBeUndefined();
    expect(out.state).toBe("completed");
    const mean = out.folds.reduce((a, f) => a + f.score, 0) / out.folds.length;
    expect(mean).toBeGreaterThan(0.85);
    const rec = rep.reports.at(-1)?.folds[0] as Record<string, number>;
    // conv2d, dense, output: by name, in layer order
    expect(Object.keys(rec).filter((k) => k.startsWith("grad_norm"))).toEqual([
      "grad_norm",
      "grad_norm/conv2d_0",
      "grad_norm/dense_3",
      "grad_norm/output",
    ]);
    for (const key of ["grad_norm", "grad_norm/conv2d_0", "grad_norm/dense_3", "grad_norm/output"])
      expect(rec[key], key).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("gives the cpu backend's results on wasm (the generic path: tfjs's own kernels)", {
    timeout: 240_000,
  }, async () => {
    const job = cnnJob({
      maxEpochs: 1,
      params: { learning_rate: 0.003, batch_size: 64, conv_filters: 4, dense_dropout: 0 },
    });
    const wasm = recorder();
    await trainTrial(job, wasm, never);
    await tf.setBackend("cpu");
    const cpu = recorder();
    try {
      await trainTrial(job, cpu, never);
    } finally {
      await tf.setBackend("wasm");
    }
    const a = wasm.reports[0]?.folds ?? [];
    const b = cpu.reports[0]?.folds ?? [];
    expect(a).toHaveLength(3);
    a.forEach((f, i) => {
      expect(f.loss).toBeCloseTo(b[i]?.loss as number, 3);
      expect(f.val_loss).toBeCloseTo(b[i]?.val_loss as number, 3);
    });
  });

  it("trains the pack as K separate folds would (packFolds false)", { timeout: 120_000 }, async () => {
    const job = cnnJob({ maxEpochs: 2 });
    const packed = recorder();
    const alone = recorder();
    await trainTrial(job, packed, never);
    await trainTrial(job, alone, never, { packFolds: false });
    for (const [e, r] of packed.reports.entries()) {
      for (const [i, f] of r.folds.entries()) {
        expect(f.loss).toBeCloseTo(alone.reports[e]?.folds[i]?.loss as number, 4);
        expect(f.val_accuracy).toBeCloseTo(alone.reports[e]?.folds[i]?.val_accuracy as number, 4);
      }
    }
  });

  it("runs batch norm, pooling kinds and the remedies (decay, clipping, early stopping) without leaking", {
    timeout: 120_000,
  }, async () => {
    const before = tf.memory().numTensors;
    const out = await trainTrial(
      cnnJob({
        model: {
          hidden: [64],
          activation: "relu",
          layers: [
            { type: "conv2d", filters: 6, kernel_size: 3, strides: 1, padding: "valid", activation: "tanh" },
            { type: "batch_norm" },
            { type: "avg_pool2d", pool_size: 2, padding: "same" },
            { type: "conv2d", filters: 8, kernel_size: 2, padding: "same" },
            { type: "max_pool2d", pool_size: 2, strides: 1 },
            { type: "global_avg_pool2d" },
            { type: "dense", units: 16, activation: "elu" },
            { type: "batch_norm" },
          ],
        },
        params: {
          learning_rate: 0.01,
          batch_size: 100,
          weight_decay: 1e-4,
          clip_norm: 1,
          early_stopping_patience: 1,
          lr_schedule: "cosine",
        },
        maxEpochs: 4,
      }),
      recorder(),
      never,
    );
    expect(out.error).toBeUndefined();
    expect(out.state).toBe("completed");
    expect(out.folds.every((f) => f.score > 0.3)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("evaluates wide models in chunks of rows with the same scores as in one pass", { timeout: 180_000 }, async () => {
    // 8·8·512 activations per image: 3 packed folds evaluate ~600 validation rows in 3 chunks
    // (evalChunkRows), one fold alone in one pass
    const job = cnnJob({
      model: {
        hidden: [64],
        activation: "relu",
        layers: [
          { type: "conv2d", filters: 512, kernel_size: 1, padding: "same" },
          { type: "flatten" },
          { type: "dense", units: 8 },
        ],
      },
      params: { learning_rate: 0.001, batch_size: 256 },
      maxEpochs: 1,
    });
    expect(evalChunkRows(3, 8 * 8 * 512 + 8 + 10)).toBeLessThan(599);
    expect(evalChunkRows(1, 8 * 8 * 512 + 8 + 10)).toBeGreaterThan(600);
    const before = tf.memory().numTensors;
    const packed = recorder();
    const alone = recorder();
    await trainTrial(job, packed, never);
    await trainTrial(job, alone, never, { packFolds: false });
    packed.reports[0]?.folds.forEach((f, i) => {
      expect(f.val_loss).toBeCloseTo(alone.reports[0]?.folds[i]?.val_loss as number, 4);
      expect(f.val_accuracy).toBeCloseTo(alone.reports[0]?.folds[i]?.val_accuracy as number, 4);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("initializes conv, dense and output kernels and biases U(±1/√fan_in) with initializer pytorch", () => {
    const layers: LayerSpec[] = [
      { type: "conv2d", filters: 4, kernel_size: 3, padding: "same" },
      { type: "flatten" },
      { type: "dense", units: 16 },
    ];
    const model = { hidden: [], activation: "relu", layers };
    const theta = (initializer: string) => {
      const net = new LayerNet(
        parseTrainConfig({ initializer }, model),
        layers.map((l, i) => resolveLayer(l, i, {}, "relu")),
        [8, 8, 2],
        10,
        [7],
      );
      const values = net.theta.dataSync().slice();
      net.dispose();
      return values;
    };
    const values = theta("pytorch");
    // θ: conv kernel 3·3·2·4, bias 4; dense kernel 256·16, bias 16; output kernel 16·10, bias 10
    let at = 0;
    for (const [kernel, bias, fanIn] of [
      [72, 4, 18],
      [4096, 16, 256],
      [160, 10, 16],
    ] as const) {
      const limit = 1 / Math.sqrt(fanIn);
      const k = Array.from(values.slice(at, at + kernel));
      const b = Array.from(values.slice(at + kernel, at + kernel + bias));
      for (const w of [...k, ...b]) expect(Math.abs(w)).toBeLessThanOrEqual(limit);
      expect(Math.max(...k.map(Math.abs))).toBeGreaterThan(limit * 0.8);
      expect(b.filter((w) => w !== 0).length).toBe(bias);
      at += kernel + bias;
    }
    expect(at).toBe(values.length);
    // he: biases 0
    const he = theta("he");
    expect(Array.from(he.slice(72, 76))).toEqual([0, 0, 0, 0]);
  });

  it("feeds images as they are with standardize: false (fashion_mnist pixels in [0, 1])", () => {
    const data = loadDataset({ name: "digits", task: "classification" });
    const model = { hidden: [], activation: "relu", layers: cnn };
    const params = { conv_filters: 8, dense_dropout: 0 };
    expect(modelInputs(data, parseTrainConfig(params, model))).toEqual({ inputShape: [8, 8, 1], standardize: true });
    expect(modelInputs(data, parseTrainConfig({ ...params, standardize: false }, model)).standardize).toBe(false);
    expect(() => parseTrainConfig({ ...params, standardize: "no" }, model)).toThrow(
      'trial parameter "standardize": expected a boolean, got "no"',
    );
  });

  it("fails a trial whose layer list does not fit the data, naming the layer", async () => {
    const out = await trainTrial(
      testJob({ model: { hidden: [8], activation: "relu", layers: [{ type: "conv2d", filters: 2, kernel_size: 3 }] } }),
      recorder(),
      never,
    );
    expect(out.state).toBe("failed");
    expect(out.error).toMatch(/model\.layers\[0\]: conv2d needs images/);
  });
});
