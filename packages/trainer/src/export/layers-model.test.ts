import { createRng, type LayerSpec } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend.ts";
import { LayerNet } from "../layer-net.ts";
import { parseTrainConfig } from "../params.ts";
import { layerNetToLayersModel } from "./layers-model.ts";

beforeAll(async () => {
  await selectBackend("wasm");
});

/** Every layer type of the table, on 6×6×2 images; activations that differ per layer. */
const LAYERS: LayerSpec[] = [
  { type: "conv2d", filters: 3, kernel_size: 3, padding: "same", activation: "leaky_relu" },
  { type: "batch_norm" },
  { type: "max_pool2d", pool_size: 2 },
  { type: "conv2d", filters: 4, kernel_size: 2, strides: 1, padding: "valid", activation: "elu" },
  { type: "avg_pool2d", pool_size: 2, padding: "same" },
  { type: "dropout", rate: 0.3 },
  { type: "flatten" },
  { type: "dense", units: 5, activation: "tanh" },
  { type: "batch_norm" },
  { type: "dense", units: 4, activation: "sigmoid" },
];

/**
 * A pack of two LayerNets of `layers` on 6×6×2 images (moving statistics other than 0 and 1, so
 * their layout matters), checked against each model's export on `rows` random rows to `digits`.
 */
function expectExportComputesForward(layers: LayerSpec[], seed: number, rows: number, digits: number): LayerNet {
  const config = parseTrainConfig(
    { learning_rate: 0.01, batch_size: 8, leaky_alpha: 0.2 },
    { hidden: [], activation: "relu", layers },
  );
  const net = new LayerNet(config, config.layers ?? [], [6, 6, 2], 3, [seed, seed + 1]);
  const rng = createRng(seed);
  const draw = (n: number, lo: number, hi: number) =>
    Float32Array.from({ length: n }, () => lo + rng.next() * (hi - lo));
  for (const m of net.moving) {
    m.mean.assign(tf.tensor(draw(m.mean.size, -0.5, 0.5), m.mean.shape));
    m.variance.assign(tf.tensor(draw(m.variance.size, 0.5, 2), m.variance.shape));
  }
  const x = draw(2 * rows * 72, -1, 1);
  const expected = tf.tidy(() => net.forward(tf.tensor3d(x, [2, rows, 72]), false).arraySync());
  for (const k of [0, 1]) {
    const model = layerNetToLayersModel(net, k);
    const got = tf.tidy(() =>
      (
        model.predict(tf.tensor2d(x.subarray(k * rows * 72, (k + 1) * rows * 72), [rows, 72])) as tf.Tensor2D
      ).arraySync(),
    );
    model.dispose();
    got.forEach((row, i) => {
      row.forEach((v, j) => {
        expect(v).toBeCloseTo(expected[k]?.[i]?.[j] as number, digits);
      });
    });
  }
  return net;
}

describe("layerNetToLayersModel", () => {
  it("computes what LayerNet computes in evaluation mode, for each model of a pack", () => {
    const net = expectExportComputesForward(LAYERS, 11, 7, 5);
    const classes = layerNetToLayersModel(net, 0);
    expect(classes.layers.map((l) => l.getClassName())).toEqual([
      "InputLayer",
      "Reshape",
      "Conv2D",
      "LeakyReLU",
      "BatchNormalization",
      "MaxPooling2D",
      "Conv2D",
      "Activation",
      "AveragePooling2D",
      "Dropout",
      "Flatten",
      "Dense",
      "Activation",
      "BatchNormalization",
      "Dense",
      "Activation",
      "Dense",
    ]);
    classes.dispose();
    net.dispose();
  });

  it("exports residual blocks (identity, strided 1×1 projection, dense projection, nested) as LayerNet computes them", () => {
    const layers: LayerSpec[] = [
      { type: "conv2d", filters: 3, kernel_size: 3, padding: "same" },
      {
        type: "residual",
        activation: "relu",
        layers: [
          { type: "conv2d", filters: 3, kernel_size: 3, padding: "same" },
          { type: "batch_norm" },
          { type: "residual", layers: [{ type: "conv2d", filters: 3, kernel_size: 1, activation: "tanh" }] },
          { type: "conv2d", filters: 5, kernel_size: 3, strides: 2, padding: "same", activation: "linear" },
        ],
      },
      { type: "flatten" },
      { type: "residual", activation: "leaky_relu", layers: [{ type: "dense", units: 6, activation: "elu" }] },
    ];
    const net = expectExportComputesForward(layers, 21, 4, 4);
    const model = layerNetToLayersModel(net, 0);
    expect(model.layers.map((l) => l.name).filter((n) => /shortcut|add/.test(n))).toEqual([
      "residual_1_residual_2_add",
      "residual_1_shortcut",
      "residual_1_add",
      "residual_3_shortcut",
      "residual_3_add",
    ]);
    model.dispose();
    net.dispose();
  });

  it("records the initializers that drew each kernel and bias: pytorch U(±1/√fan_in), he N(0, 2/fan_in)", () => {
    const layers: LayerSpec[] = [
      { type: "conv2d", filters: 3, kernel_size: 3, padding: "same" },
      { type: "flatten" },
      { type: "dense", units: 5 },
    ];
    const exported = (initializer: string) => {
      const config = parseTrainConfig({ initializer }, { hidden: [], activation: "relu", layers });
      const net = new LayerNet(config, config.layers ?? [], [6, 6, 2], 3, [1]);
      const model = layerNetToLayersModel(net, 0);
      net.dispose();
      return model;
    };
    /** What the layer's recorded initializers draw for its kernel and bias, as [max |w|, std] each. */
    const redrawn = (model: ReturnType<typeof exported>, name: string) => {
      const layer = model.getLayer(name) as unknown as {
        kernelInitializer: { apply(shape: number[]): tf.Tensor };
        biasInitializer: { apply(shape: number[]): tf.Tensor };
      };
      const [kernelShape, biasShape] = model
        .getLayer(name)
        .getWeights()
        .map((w) => w.shape);
      return [
        layer.kernelInitializer.apply(kernelShape as number[]),
        layer.biasInitializer.apply(biasShape as number[]),
      ].map((t) => {
        const v = Array.from(t.dataSync());
        t.dispose();
        return [Math.max(...v.map(Math.abs)), Math.sqrt(v.reduce((a, b) => a + b * b, 0) / v.length)];
      });
    };
    const torch = exported("pytorch");
    // fan_in: conv 3·3·2 = 18, dense 6·6·3 = 108, output 5
    for (const [name, fanIn] of [
      ["conv2d_0", 18],
      ["dense_2", 108],
      ["output", 5],
    ] as const) {
      const limit = 1 / Math.sqrt(fanIn);
      const [[kernelMax], [biasMax]] = redrawn(torch, name) as [number[], number[]];
      expect(kernelMax).toBeLessThanOrEqual(limit);
      expect(kernelMax).toBeGreaterThan(limit / 2);
      expect(biasMax).toBeLessThanOrEqual(limit);
      expect(biasMax).toBeGreaterThan(0);
    }
    torch.dispose();
    const he = exported("he");
    const [[, std], [bias]] = redrawn(he, "dense_2") as [number[], number[]];
    expect(std).toBeCloseTo(Math.sqrt(2 / 108), 2);
    expect(bias).toBe(0);
    he.dispose();
  });
});

describe("layerNetToLayersModel with recurrent layers", () => {
  const cases: { what: string; layers: LayerSpec[]; input: number[]; classes: string[]; ids?: number }[] = [
    {
      what: "stacked lstm, gru and simple_rnn on sequences",
      layers: [
        { type: "lstm", units: 4, return_sequences: true },
        { type: "gru", units: 3, return_sequences: true },
        { type: "simple_rnn", units: 2, activation: "relu" },
      ],
      input: [5, 3],
      classes: ["InputLayer", "Reshape", "LSTM", "GRU", "SimpleRNN", "Dense"],
    },
    {
      what: "an embedding of token ids",
      layers: [
        { type: "embedding", input_dim: 7, output_dim: 3 },
        { type: "gru", units: 4, return_sequences: true },
        { type: "flatten" },
      ],
      input: [6],
      classes: ["InputLayer", "Embedding", "GRU", "Flatten", "Dense"],
      ids: 7,
    },
  ];
  for (const c of cases)
    it(`computes what LayerNet computes: ${c.what}`, () => {
      const config = parseTrainConfig({ learning_rate: 0.01 }, { hidden: [], activation: "relu", layers: c.layers });
      const net = new LayerNet(config, config.layers ?? [], c.input, 3, [11, 12]);
      const rng = createRng(4);
      const width = c.input.reduce((a, b) => a * b, 1);
      const rows = 5;
      const x = Float32Array.from({ length: 2 * rows * width }, () =>
        c.ids ? Math.floor(rng.next() * c.ids) : rng.normal(),
      );
      const expected = tf.tidy(() => net.forward(tf.tensor3d(x, [2, rows, width]), false).arraySync());
      for (const k of [0, 1]) {
        const model = layerNetToLayersModel(net, k);
        const got = tf.tidy(() =>
          (
            model.predict(
              tf.tensor2d(x.subarray(k * rows * width, (k + 1) * rows * width), [rows, width]),
            ) as tf.Tensor2D
          ).arraySync(),
        );
        if (k === 0) expect(model.layers.map((l) => l.getClassName())).toEqual(c.classes);
        model.dispose();
        got.forEach((row, i) => {
          row.forEach((v, j) => {
            expect(v).toBeCloseTo(expected[k]?.[i]?.[j] as number, 5);
          });
        });
      }
      net.dispose();
    });

  it("names the tf.layers after the layers' name: fields, as LayerNet names their gradient norms", () => {
    const layers: LayerSpec[] = [
      { type: "conv2d", filters: 3, kernel_size: 3, padding: "same", name: "stem" },
      {
        type: "residual",
        name: "block-1",
        layers: [{ type: "conv2d", filters: 4, kernel_size: 3, padding: "same", name: "conv_a" }],
      },
      { type: "flatten" },
    ];
    const net = expectExportComputesForward(layers, 31, 3, 4);
    expect(net.layerNames).toEqual(["stem", "block-1/conv_a", "block-1/shortcut", "output"]);
    const model = layerNetToLayersModel(net, 0);
    expect(model.layers.filter((l) => l.getWeights().length > 0).map((l) => l.name)).toEqual([
      "stem",
      "block-1_conv_a",
      "block-1_shortcut",
      "output",
    ]);
    model.dispose();
    net.dispose();
  });
});
