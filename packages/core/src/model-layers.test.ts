import { describe, expect, it } from "vitest";
import { datasetShapeOf } from "./dataset-shape.ts";
import { layerShapes } from "./layer-plan.ts";
import { resolveLayer } from "./model-layers.ts";
import { parseSweepSpec } from "./spec.ts";
import { checkSweepMemory, largestTrial } from "./sweep-memory.ts";
import { specIssuesOf as issuesOf } from "./testing/spec-issues-of.ts";
import { mlpTrialShape } from "./trial-memory.ts";

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
