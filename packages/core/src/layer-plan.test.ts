import { describe, expect, it } from "vitest";
import { datasetShapeOf } from "./dataset-shape.ts";
import { layerPlan, layerShapes, shortcutOf } from "./layer-plan.ts";
import { type ResolvedLayer, resolveLayer } from "./model-layers.ts";
import { parseSweepSpec } from "./spec.ts";
import { largestTrial } from "./sweep-memory.ts";
import { specIssuesOf as issuesOf } from "./testing/spec-issues-of.ts";
import { mlpTrialShape } from "./trial-memory.ts";
import type { LayerSpec } from "./types.ts";

const resolve = (layers: LayerSpec[], params = {}): ResolvedLayer[] =>
  layers.map((l, i) => resolveLayer(l, i, params, "relu"));

const block: LayerSpec = {
  type: "residual",
  layers: [
    { type: "conv2d", filters: 4, kernel_size: 3, padding: "same" },
    { type: "conv2d", filters: { param: "width" }, kernel_size: 3, padding: "same" },
  ],
};

describe("residual blocks", () => {
  it("accept nested fields that name sweep parameters and resolve them", () => {
    const spec = parseSweepSpec({
      dataset: "digits",
      model: { layers: [{ type: "conv2d", filters: 4, kernel_size: 1 }, block, { type: "flatten" }] },
      parameters: { width: { values: [4, 8] } },
    });
    const layers = resolve(spec.model.layers as LayerSpec[], { width: 8 });
    const res = layers[1];
    if (res?.type !== "residual") throw new Error("not a residual block");
    expect(res.activation).toBe("linear");
    expect(res.layers[1]).toMatchObject({ type: "conv2d", filters: 8, padding: "same" });
  });

  it("name every step by its path, a projection as <block>/shortcut, the output layer last", () => {
    const plan = layerPlan(
      resolve([{ type: "conv2d", filters: 4, kernel_size: 1 }, block, { type: "flatten" }], { width: 8 }),
      [8, 8, 1],
      10,
    );
    if ("error" in plan) throw new Error(plan.error);
    expect(plan.steps.map((s) => `${s.kind} ${s.name}`)).toEqual([
      "layer conv2d_0",
      "fork residual_1",
      "layer residual_1/conv2d_0",
      "layer residual_1/conv2d_1",
      "join residual_1",
      "layer flatten_2",
      "layer output",
    ]);
    const join = plan.steps[4];
    // 4 channels in, 8 out: a 1×1 projection with bias
    expect(join).toMatchObject({ shortcut: { kind: "projection", strides: 1, inChannels: 4, outChannels: 8 } });
    expect(join).toMatchObject({ params: (4 + 1) * 8 });
  });

  it("count a block's layers and its projection as one entry of the list", () => {
    const out = layerShapes(resolve([block, { type: "flatten" }], { width: 4 }), [8, 8, 4], 3);
    if ("error" in out) throw new Error(out.error);
    expect(out.shapes).toEqual([[8, 8, 4], [256], [3]]);
    // two 3×3 convs of 4 → 4 (identity shortcut), then the output layer
    expect(out.params).toEqual([2 * (9 * 4 + 1) * 4, 0, (256 + 1) * 3]);
  });

  it("project a shrunk image with the stride that shrinks it", () => {
    expect(shortcutOf([28, 28, 8], [14, 14, 16])).toEqual({
      kind: "projection",
      strides: 2,
      inChannels: 8,
      outChannels: 16,
    });
    expect(shortcutOf([7, 7, 8], [4, 4, 8])).toMatchObject({ strides: 2 });
    expect(shortcutOf([8, 8, 3], [6, 6, 3])).toMatchObject({ error: expect.stringMatching(/padding same/) });
    expect(shortcutOf([64], [32])).toEqual({ kind: "projection", strides: 1, inChannels: 64, outChannels: 32 });
  });

  it("refuse at submit time a block whose shortcut cannot fit, naming the block", () => {
    const msg = issuesOf({
      dataset: "digits",
      model: {
        layers: [
          { type: "conv2d", filters: 4, kernel_size: 1 },
          { type: "residual", layers: [{ type: "conv2d", filters: 4, kernel_size: { param: "k" } }] },
          { type: "flatten" },
        ],
      },
      parameters: { k: { values: [1, 3] } },
    });
    expect(msg).toMatch(/model\.layers\[1\] residual: its layers turn images of 8×8×4 into images of 6×6×4.*largest/);
    const flat = issuesOf({
      dataset: "digits",
      model: { layers: [{ type: "residual", layers: [{ type: "flatten" }] }] },
    });
    expect(flat).toMatch(/model\.layers\[0\] residual: its layers turn images of 8×8×1 into rows of 64 features/);
  });

  it("name the nested path of bad fields, misfits and unknown parameters", () => {
    const msg = issuesOf({
      dataset: "digits",
      model: {
        layers: [
          {
            type: "residual",
            activation: "relu",
            layers: [{ type: "conv2d", kernel_size: 3, filter: 4 }],
          },
          { type: "flatten" },
        ],
      },
    });
    expect(msg).toMatch(/model\.layers\[0\]\.layers\[0\]\.filter is not a field of conv2d/);
    expect(msg).toMatch(/model\.layers\[0\]\.layers\[0\]\.filters is required for conv2d/);
    const unknown = issuesOf({
      dataset: "digits",
      model: {
        layers: [{ type: "flatten" }, { type: "residual", layers: [{ type: "dense", units: { param: "nowhere" } }] }],
      },
    });
    expect(unknown).toMatch(/model\.layers\[1\]\.layers\[0\]\.units names parameter "nowhere"/);
    expect(issuesOf({ dataset: "digits", model: { layers: [{ type: "residual" }, { type: "flatten" }] } })).toMatch(
      /model\.layers\[0\]\.layers is required for residual/,
    );
    const misfit = issuesOf({
      dataset: "digits",
      model: { layers: [{ type: "residual", layers: [{ type: "dense", units: 4 }] }, { type: "flatten" }] },
    });
    expect(misfit).toMatch(/model\.layers\[0\]\.layers\[0\] dense needs rows/);
  });

  it("size the largest trial with nested swept fields at their top, the projection counted", () => {
    const spec = parseSweepSpec({
      name: "res",
      dataset: "digits",
      model: { layers: [{ type: "conv2d", filters: 4, kernel_size: 1 }, block, { type: "flatten" }] },
      parameters: { width: { values: [4, 8] } },
    });
    const largest = largestTrial(spec);
    expect(largest.params).toMatchObject({ width: 8 });
    expect(largest.label).toMatch(/^layers \[conv2d 4 1×1, residual \[conv2d 4 3×3, conv2d 8 3×3\], flatten\]/);
    // conv 1·1·1·4+4, convs 3·3·4·4+4 and 3·3·4·8+8, projection 4·8+8, output 8·8·8·10+10
    const shape = mlpTrialShape({ ...spec, params: largest.params } as never, datasetShapeOf(spec.dataset));
    expect(shape.model.parameters).toBe(8 + 148 + 296 + 40 + 5130);
  });

  it("name layers by their name: field, after their block's, and refuse names taken in the same list", () => {
    const named: LayerSpec[] = [
      { type: "conv2d", filters: 4, kernel_size: 1, name: "stem" },
      {
        type: "residual",
        name: "block-1",
        layers: [
          { type: "conv2d", filters: 8, kernel_size: 3, padding: "same", name: "conv_a" },
          { type: "conv2d", filters: 8, kernel_size: 3, padding: "same" },
        ],
      },
      { type: "flatten" },
    ];
    const spec = parseSweepSpec({ dataset: "digits", model: { layers: named } });
    const plan = layerPlan(resolve(spec.model.layers as LayerSpec[]), [8, 8, 1], 10);
    if ("error" in plan) throw new Error(plan.error);
    expect(
      plan.steps.flatMap((s) =>
        s.kind === "fork" || s.params === 0 ? [] : [s.kind === "join" ? `${s.name}/shortcut` : s.name],
      ),
    ).toEqual(["stem", "block-1/conv_a", "block-1/conv2d_1", "block-1/shortcut", "output"]);
    const taken = (layers: LayerSpec[]) => specIssuesOfLayers(layers);
    expect(
      taken([
        { type: "flatten", name: "a" },
        { type: "dense", units: 2, name: "a" },
      ]),
    ).toMatch(/model\.layers\[1\]\.name the name "a" is taken by another layer of this list/);
    // an automatic name counts too, and hpo's own: the output layer, a block's projection
    expect(
      taken([
        { type: "flatten", name: "dense_1" },
        { type: "dense", units: 2 },
      ]),
    ).toMatch(/model\.layers\[1\]\.name the name "dense_1" is taken/);
    expect(taken([{ type: "flatten" }, { type: "dense", units: 2, name: "output" }])).toMatch(
      /model\.layers\[1\]\.name the name "output" is taken by another layer of this list \(hpo's own\)/,
    );
    expect(
      taken([{ type: "flatten" }, { type: "residual", layers: [{ type: "dense", units: 3, name: "shortcut" }] }]),
    ).toMatch(/model\.layers\[1\]\.layers\[0\]\.name the name "shortcut" is taken/);
    expect(
      taken([
        { type: "flatten", name: "a/b" },
        { type: "dense", units: 2, name: { param: "n" } },
      ]),
    ).toMatch(
      /model\.layers\[0\]\.name must be a name of letters, digits, _ and - .*"a\/b"[\s\S]*model\.layers\[1\]\.name must be a name/,
    );
  });
});

const specIssuesOfLayers = (layers: LayerSpec[]) => issuesOf({ dataset: "digits", model: { layers } });
