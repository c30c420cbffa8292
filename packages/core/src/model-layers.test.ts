import { describe, expect, it } from "vitest";
import { datasetShapeOf } from "./dataset-shape.ts";

import { layerShapes } from "./layer-plan.ts";
import { layerOutput, type PlainLayer, resolveLayer } from "./model-layers.ts";

import { parseSweepSpec } from "./spec.ts";
import { checkSweepMemory, largestTrial } from "./sweep-memory.ts";
import { specIssuesOf as issuesOf } from "./testing/spec-issues-of.ts";
import { mlpTrialShape } from "./trial-memory.ts";
import type { LayerSpec } from "./types.ts";

const lenet = [
  { type: "conv2d", filters: { param: "conv_filters" }, kernel_size: 5, padding: "same", activation: "relu" },
  { type: "max_pool2d", pool_size: 2 },
  { type: "conv2d", filters: 32, kernel_size: 5, padding: "same" },
  { type: "max_pool2d" },
  { type: "flatten" },
  { type: "dense", units: 128 },
  { type: "dropout", rate: { param: "dense_dropout" } },
];

describe("model.layers", () => {
  it("accepts a LeNet layer list with swept fields and keeps it on the spec", () => {
    const spec = parseSweepSpec({
      dataset: { name: "fashion_mnist", images: 2000 },
      model: { layers: lenet },
      parameters: {
        conv_filters: { values: [8, 16] },
        dense_dropout: { min: 0.0, max: 0.5 },
        learning_rate: { value: 0.001 },
      },
    });
    expect(spec.model.layers).toHaveLength(7);
    expect(spec.parameters.conv_filters?.distribution).toEqual({ kind: "categorical", values: [8, 16] });
    expect(spec.dataset?.images).toBe(2000);
  });

  it("computes LeNet's shapes and parameter counts as PyTorch's model has them", () => {
    const resolved = lenet.map((l, i) =>
      resolveLayer(l as never, i, { conv_filters: 16, dense_dropout: 0.25 }, "relu"),
    );
    const out = layerShapes(resolved, [28, 28, 1], 10);
    if ("error" in out) throw new Error(out.error);
    expect(out.shapes).toEqual([[28, 28, 16], [14, 14, 16], [14, 14, 32], [7, 7, 32], [1568], [128], [128], [10]]);
    // conv 5·5·1·16+16, conv 5·5·16·32+32, dense 1568·128+128, output 128·10+10
    expect(out.params.reduce((a, b) => a + b, 0)).toBe(416 + 12832 + 200832 + 1290);
  });

  it("finds a conv on tabular rows at submit, naming the layer", () => {
    const msg = issuesOf({
      dataset: "iris",
      model: { layers: [{ type: "conv2d", filters: 4, kernel_size: 3 }, { type: "flatten" }] },
    });
    expect(msg).toMatch(/model\.layers\[0\].*conv2d needs images \[height, width, channels\], got rows of 4 features/);
  });

  it("finds a window that outgrows its input at the largest value of a swept field", () => {
    const msg = issuesOf({
      dataset: "digits",
      model: { layers: [{ type: "conv2d", filters: 4, kernel_size: { param: "k" } }, { type: "flatten" }] },
      parameters: { k: { values: [3, 9] } },
    });
    expect(msg).toMatch(/model\.layers\[0\].*9×9 window.*images of 8×8×1.*largest/);
  });

  it("names layer index and field for bad fields, missing fields and unknown parameters", () => {
    const msg = issuesOf({
      dataset: "digits",
      model: {
        layers: [
          { type: "conv2d", kernel_size: 3, filter: 4 },
          { type: "dense", units: -1 },
          { type: "dropout", rate: { param: "nowhere" } },
          { type: "pool" },
        ],
      },
    });
    expect(msg).toMatch(/model\.layers\[0\]\.filter is not a field of conv2d; its fields: filters, kernel_size/);
    expect(msg).toMatch(/model\.layers\[0\]\.filters is required for conv2d/);
    expect(msg).toMatch(/model\.layers\[1\]\.units must be an integer in \[1, 65536\], got -1/);
    expect(msg).toMatch(/model\.layers\[3\]\.type must be one of dense \| conv2d/);
  });

  it("refuses a reference to a parameter the sweep does not define, and values that do not fit the field", () => {
    expect(
      issuesOf({
        dataset: "digits",
        model: { layers: [{ type: "flatten" }, { type: "dropout", rate: { param: "p" } }] },
      }),
    ).toMatch(/model\.layers\[1\]\.rate names parameter "p", which is not in parameters/);
    expect(
      issuesOf({
        dataset: "digits",
        model: { layers: [{ type: "flatten" }, { type: "dense", units: { param: "width" } }] },
        parameters: { width: { values: [16, 0.5] } },
      }),
    ).toMatch(/parameters\.width\.values\[1\] must be an integer/);
  });

  it("allows a custom parameter name only when a layer names it", () => {
    expect(issuesOf({ dataset: "digits", parameters: { conv_filters: { values: [8] } } })).toMatch(
      /parameters\.conv_filters is not a parameter of the built-in trainer[\s\S]*a model\.layers field may name a parameter of its own as \{ param: name \}/,
    );
  });

  it("needs flatten before dense on images and before the output layer", () => {
    expect(issuesOf({ dataset: "digits", model: { layers: [{ type: "dense", units: 8 }] } })).toMatch(
      /model\.layers\[0\].*dense needs rows, got images of 8×8×1: put flatten or global_avg_pool2d before it/,
    );
    expect(
      issuesOf({ dataset: "digits", model: { layers: [{ type: "conv2d", filters: 2, kernel_size: 3 }] } }),
    ).toMatch(/model\.layers the output layer needs rows.*end the list with flatten or global_avg_pool2d/);
  });

  it("takes hidden or layers, not both; dataset.images only for image datasets", () => {
    expect(issuesOf({ dataset: "digits", model: { hidden: [8], layers: [{ type: "flatten" }] } })).toMatch(
      /model takes hidden \(an MLP\) or layers, not both/,
    );
    expect(issuesOf({ dataset: { name: "iris", images: 10 } })).toMatch(/dataset\.images applies to image datasets/);
  });
});

describe("memory estimate of a layer list", () => {
  const sweep = (filters: number[], batch: number[]) =>
    parseSweepSpec({
      name: "cnn",
      dataset: { name: "fashion_mnist" },
      model: {
        layers: [
          { type: "conv2d", filters: { param: "conv_filters" }, kernel_size: 5, padding: "same" },
          { type: "max_pool2d" },
          { type: "flatten" },
          { type: "dense", units: 128 },
          { type: "dropout", rate: 0.25 },
        ],
      },
      parameters: { conv_filters: { values: filters }, batch_size: { values: batch } },
    });

  it("sizes the largest trial from the layers, at the top of each swept field", () => {
    const largest = largestTrial(sweep([8, 16], [64, 128]));
    expect(largest.params).toMatchObject({ conv_filters: 16, batch_size: 128 });
    expect(largest.label).toMatch(
      /^layers \[conv2d 16 5×5, max_pool2d, flatten, dense 128, dropout\] with batch_size 128/,
    );
    const shape = mlpTrialShape(
      { ...sweep([16], [64]), params: { conv_filters: 16 } } as never,
      datasetShapeOf({ name: "fashion_mnist", task: "classification" }),
    );
    // conv 5·5·1·16+16, dense 14·14·16·128+128, output 128·10+10
    expect(shape.model.parameters).toBe(416 + 401_536 + 1_290);
    expect(() => checkSweepMemory(sweep([8, 16], [64]), 4 * 2 ** 30, "HPO_TRIAL_MEMORY_MB")).not.toThrow();
  });

  it("refuses a layer list too large for the fleet, naming model.layers", () => {
    expect(() => checkSweepMemory(sweep([8, 2048], [8192]), 4 * 2 ** 30, "HPO_TRIAL_MEMORY_MB")).toThrow(
      /sweep "cnn": layers \[conv2d 2048 5×5, .*\] with batch_size 8192, 5 folds and adam needs about [\d.]+ GB; this fleet allows 4\.0 GB per trial/,
    );
  });
});

describe("recurrent layers and embeddings", () => {
  const adding = { name: "adding", rows: 200, timesteps: 50 };

  it("computes sequence shapes and Keras' parameter counts for simple_rnn, lstm and gru", () => {
    const layers: LayerSpec[] = [
      { type: "lstm", units: 16, return_sequences: true },
      { type: "gru", units: 8, return_sequences: true },
      { type: "simple_rnn", units: 4 },
    ];
    const out = layerShapes(
      layers.map((l, i) => resolveLayer(l, i, {}, "relu")),
      [50, 2],
      1,
    );
    if ("error" in out) throw new Error(out.error);
    expect(out.shapes).toEqual([[50, 16], [50, 8], [4], [1]]);
    // Keras: LSTM 4·16·(2+16+1), GRU (reset_after false, as tf.layers) 3·8·(16+8+1), SimpleRNN 4·(8+4+1), Dense 4+1
    expect(out.params).toEqual([1216, 600, 52, 5]);
    const emb = layerOutput(
      resolveLayer({ type: "embedding", input_dim: 10, output_dim: 3 }, 0, {}, "relu") as PlainLayer,
      [7],
    );
    expect(emb).toEqual({ shape: [7, 3], params: 30 });
  });

  it("accepts an LSTM on the adding problem, a regression of [timesteps, 2] sequences", () => {
    const spec = parseSweepSpec({ dataset: adding, model: { layers: [{ type: "lstm", units: 8 }] } });
    expect(spec.dataset).toMatchObject({ name: "adding", rows: 200, task: "regression", timesteps: 50 });
    expect(datasetShapeOf(spec.dataset)).toMatchObject({ rows: 200, features: 100, sequence: [50, 2] });
  });

  it("finds recurrent layers on rows, dense on sequences and a late embedding at submit, naming the layer", () => {
    expect(issuesOf({ dataset: "iris", model: { layers: [{ type: "lstm", units: 4 }] } })).toMatch(
      /model\.layers\[0\].*lstm needs sequences \[timesteps, features\], got rows of 4 features/,
    );
    expect(
      issuesOf({ dataset: adding, model: { layers: [{ type: "gru", units: 4, return_sequences: true }] } }),
    ).toMatch(/the output layer needs rows, but the last layer gives sequences of 50 timesteps × 4 features/);
    expect(issuesOf({ dataset: adding, model: { layers: [{ type: "dense", units: 4 }] } })).toMatch(
      /model\.layers\[0\].*dense needs rows, got sequences of 50 timesteps × 2 features/,
    );
    expect(
      issuesOf({
        dataset: "iris",
        model: {
          layers: [
            { type: "dense", units: 4 },
            { type: "embedding", input_dim: 9, output_dim: 2 },
          ],
        },
      }),
    ).toMatch(/model\.layers\[1\].*embedding reads token ids: it must be the first layer/);
    expect(
      issuesOf({ dataset: adding, model: { layers: [{ type: "lstm", units: 4, return_sequences: "yes" }] } }),
    ).toMatch(/model\.layers\[0\]\.return_sequences must be true or false, got "yes"/);
    expect(issuesOf({ dataset: { name: "iris", timesteps: 10 } })).toMatch(
      /dataset\.timesteps applies to sequence datasets \(adding\) only/,
    );
  });

  it("sweeps the cell type with type: { param: name } over interchangeable types", () => {
    const spec = parseSweepSpec({
      dataset: adding,
      model: { layers: [{ type: { param: "cell" }, units: { param: "units" } }] },
      parameters: { cell: { values: ["simple_rnn", "lstm", "gru"] }, units: { values: [8, 16] } },
    });
    expect(spec.parameters.cell?.distribution).toEqual({ kind: "categorical", values: ["simple_rnn", "lstm", "gru"] });
    const layer = spec.model.layers?.[0] as LayerSpec;
    expect(resolveLayer(layer, 0, { cell: "gru", units: 8 }, "relu")).toEqual({
      type: "gru",
      units: 8,
      returnSequences: false,
      activation: "tanh",
    });
  });

  it("sizes a swept cell type at its largest cell, counting the unrolled timesteps", () => {
    const spec = parseSweepSpec({
      name: "cells",
      dataset: adding,
      model: { layers: [{ type: { param: "cell" }, units: { param: "units" } }] },
      parameters: { cell: { values: ["simple_rnn", "gru", "lstm"] }, units: { values: [8, 32] } },
    });
    const largest = largestTrial(spec);
    expect(largest.params).toMatchObject({ cell: "lstm", units: 32 });
    expect(largest.label).toMatch(/^layers \[lstm 32\] with batch_size 32/);
    const at = (cell: string) =>
      mlpTrialShape({ ...spec, params: { cell, units: 32 } } as never, datasetShapeOf(spec.dataset)).model;
    // 50 timesteps × 32 units × (2·4 + 2) per row on the tape beyond the layer's output
    expect(at("lstm").stepFloatsPerRow).toBeGreaterThan(50 * 32 * 10);
    expect(at("lstm").stepFloatsPerRow).toBeGreaterThan(at("simple_rnn").stepFloatsPerRow);
  });

  it("refuses a swept type over types that cannot stand for one another, or fields one of them lacks", () => {
    const sweep = (values: string[], layer: Record<string, unknown> = {}) =>
      issuesOf({
        dataset: adding,
        model: { layers: [{ type: { param: "cell" }, units: 8, ...layer }] },
        parameters: { cell: { values } },
      });
    expect(sweep(["lstm", "dense"])).toMatch(/parameters\.cell\.values\[1\] must be one of .*lstm \| gru/);
    expect(sweep(["lstm", "max_pool2d"])).toMatch(
      /model\.layers\[0\]\.type names parameter "cell", whose values must be layer types that can stand for one another \(simple_rnn, lstm, gru; or max_pool2d, avg_pool2d\), got \["lstm", "max_pool2d"\]/,
    );
    expect(sweep(["simple_rnn", "lstm"], { activation: "relu" })).toMatch(
      /model\.layers\[0\]\.activation is not a field of lstm.*\(when cell is lstm\)/,
    );
    expect(sweep(["simple_rnn", "lstm"], { filters: 3 })).toMatch(
      /model\.layers\[0\]\.filters is not a field of a swept type/,
    );
  });
});
