import { type LayerSpec, type ResolvedLayer, resolveLayer } from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.ts";
import { LayerNet } from "./layer-net.ts";
import { parseTrainConfig } from "./params.ts";
import { recorder, testJob } from "./testing/index.ts";
import { trainTrial } from "./train-trial.ts";

// Two blocks: a conv block that halves 8×8×4 to 4×4×6 (a strided 1×1 projection) and a dense
// block on 96 features that ends in 8 (a dense projection), plus one with an identity shortcut.
const spec: LayerSpec[] = [
  { type: "conv2d", filters: 4, kernel_size: 3, padding: "same" },
  {
    type: "residual",
    activation: "tanh",
    layers: [
      { type: "conv2d", filters: 4, kernel_size: 3, padding: "same" },
      { type: "conv2d", filters: 6, kernel_size: 3, strides: 2, padding: "same", activation: "linear" },
    ],
  },
  { type: "residual", layers: [{ type: "conv2d", filters: 6, kernel_size: 1, activation: "linear" }] },
  { type: "flatten" },
  { type: "residual", layers: [{ type: "dense", units: 8 }] },
];
const layers: ResolvedLayer[] = spec.map((l, i) => resolveLayer(l, i, {}, "tanh"));
const config = parseTrainConfig({ activation: "tanh" }, { hidden: [], activation: "tanh", layers: spec });
const K = 2;
const rows = 5;
const OUT = 3;

/** Model k of the pack as a tf.LayersModel with its weights copied from θ (the reference). */
function referenceModel(net: LayerNet, k: number): tfl.LayersModel {
  const theta = (net.theta.arraySync() as number[][])[k] as number[];
  let at = 0;
  const take = (shape: number[]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(theta.slice(at, at + n), shape);
    at += n;
    return t;
  };
  const conv = (filters: number, size: number, strides: number, activation: string, input: tfl.SymbolicTensor) => {
    const c = input.shape[3] as number;
    const layer = tfl.layers.conv2d({
      filters,
      kernelSize: size,
      strides,
      padding: "same",
      activation: activation as "tanh",
    });
    const out = layer.apply(input) as tfl.SymbolicTensor;
    layer.setWeights([take([size, size, c, filters]), take([filters])]);
    return out;
  };
  const dense = (units: number, activation: string, input: tfl.SymbolicTensor) => {
    const layer = tfl.layers.dense({ units, activation: activation as "tanh" });
    const out = layer.apply(input) as tfl.SymbolicTensor;
    layer.setWeights([take([input.shape[1] as number, units]), take([units])]);
    return out;
  };
  const add = (a: tfl.SymbolicTensor, b: tfl.SymbolicTensor, activation: string) =>
    tfl.layers
      .activation({ activation: activation as "tanh" })
      .apply(tfl.layers.add().apply([a, b]) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
  const input = tfl.input({ shape: [8, 8, 1] });
  const c0 = conv(4, 3, 1, "tanh", input);
  const r1 = conv(6, 3, 2, "linear", conv(4, 3, 1, "tanh", c0));
  const b1 = add(r1, conv(6, 1, 2, "linear", c0), "tanh"); // the projection: θ after the block's layers
  const b2 = add(conv(6, 1, 1, "linear", b1), b1, "linear");
  const flat = tfl.layers.flatten().apply(b2) as tfl.SymbolicTensor;
  const b3 = add(dense(8, "tanh", flat), dense(8, "linear", flat), "linear");
  const out = dense(OUT, "linear", b3);
  expect(at).toBe(theta.length);
  return tfl.model({ inputs: input, outputs: out });
}

beforeAll(async () => {
  await selectBackend("wasm");
});
afterAll(async () => {
  await tf.setBackend("wasm");
});

describe.each(["cpu", "wasm"])("residual blocks in LayerNet on %s", (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });

  it("computes what the same weights compute as a tf.LayersModel with add layers", () => {
    const net = new LayerNet(config, layers, [8, 8, 1], OUT, [11, 12]);
    expect(net.layerNames).toEqual([
      "conv2d_0",
      "residual_1/conv2d_0",
      "residual_1/conv2d_1",
      "residual_1/shortcut",
      "residual_2/conv2d_0",
      "residual_4/dense_0",
      "residual_4/shortcut",
      "output",
    ]);
    const xs = Array.from({ length: K * rows * 64 }, (_, i) => Math.sin(i * 0.37));
    const x = tf.tensor3d(xs, [K, rows, 64]);
    const before = tf.memory().numTensors;
    const packed = tf.tidy(() => net.forward(x, false).arraySync());
    expect(tf.memory().numTensors).toBe(before);
    for (let k = 0; k < K; k++) {
      const model = referenceModel(net, k);
      const ref = tf.tidy(() =>
        (model.predict(tf.reshape(tf.slice(x, [k, 0, 0], [1, rows, 64]), [rows, 8, 8, 1])) as tf.Tensor).arraySync(),
      ) as number[][];
      model.dispose();
      for (let r = 0; r < rows; r++)
        for (let o = 0; o < OUT; o++) expect(packed[k]?.[r]?.[o]).toBeCloseTo(ref[r]?.[o] as number, 4);
    }
    x.dispose();
    net.dispose();
  });

  it("has gradients that match finite differences in every layer, the projections included", () => {
    const net = new LayerNet(config, layers, [8, 8, 1], OUT, [21, 22]);
    const x = tf.tensor3d(
      Array.from({ length: K * rows * 64 }, (_, i) => Math.cos(i * 0.11)),
      [K, rows, 64],
    );
    const weights = tf.tensor3d(
      Array.from({ length: K * rows * OUT }, (_, i) => Math.sin(i * 0.7)),
      [K, rows, OUT],
    );
    const loss = () => tf.sum(tf.mul(net.forward(x, false), weights)) as tf.Scalar;
    const before = tf.memory().numTensors;
    const { grads, value } = tf.variableGrads(loss, [net.theta]);
    const g = (grads[net.theta.name] as tf.Tensor).arraySync() as number[][];
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    const theta = net.theta.arraySync() as number[][];
    const lossAt = (k: number, j: number, delta: number) => {
      const moved = theta.map((row) => [...row]);
      (moved[k] as number[])[j] = ((theta[k] as number[])[j] as number) + delta;
      net.theta.assign(tf.tensor2d(moved));
      return tf.tidy(() => loss().dataSync()[0] as number);
    };
    // three coordinates of each layer's parameters, in both models
    let offset = 0;
    for (const size of net.layerSizes) {
      for (const j of [offset, offset + Math.floor(size / 2), offset + size - 1])
        for (let k = 0; k < K; k++) {
          const eps = 1e-2;
          const fd = (lossAt(k, j, eps) - lossAt(k, j, -eps)) / (2 * eps);
          const auto = (g[k] as number[])[j] as number;
          expect(Math.abs(fd - auto), `θ[${k}][${j}]: autodiff ${auto}, finite differences ${fd}`).toBeLessThan(
            2e-2 * Math.max(1, Math.abs(auto)),
          );
        }
      offset += size;
    }
    tf.dispose([x, weights]);
    net.dispose();
  });
});

describe("residual blocks in a trial", () => {
  it("trains a residual CNN on digits on wasm, with gradient norms by layer name and no leak", {
    timeout: 180_000,
  }, async () => {
    const before = tf.memory().numTensors;
    const rep = recorder();
    const out = await trainTrial(
      testJob({
        dataset: { name: "digits", task: "classification" },
        model: {
          hidden: [],
          activation: "relu",
          layers: [
            { type: "conv2d", filters: 8, kernel_size: 3, padding: "same" },
            {
              type: "residual",
              activation: "relu",
              layers: [
                { type: "conv2d", filters: { param: "width" }, kernel_size: 3, padding: "same" },
                { type: "batch_norm" },
                { type: "dropout", rate: 0.1 },
                { type: "conv2d", filters: 16, kernel_size: 3, strides: 2, padding: "same", activation: "linear" },
              ],
            },
            { type: "global_avg_pool2d" },
          ],
        },
        params: { learning_rate: 0.01, batch_size: 64, width: 8 },
        maxEpochs: 4,
      }),
      rep,
      never,
    );
    expect(out.error).toBeUndefined();
    expect(out.state).toBe("completed");
    expect(out.folds.reduce((a, f) => a + f.score, 0) / out.folds.length).toBeGreaterThan(0.6);
    const rec = rep.reports.at(-1)?.folds[0] as Record<string, number>;
    const perLayer = Object.keys(rec).filter((k) => k.startsWith("grad_norm/"));
    expect(perLayer).toEqual([
      "grad_norm/conv2d_0",
      "grad_norm/residual_1/conv2d_0",
      "grad_norm/residual_1/batch_norm_1",
      "grad_norm/residual_1/conv2d_3",
      "grad_norm/residual_1/shortcut",
      "grad_norm/output",
    ]);
    for (const key of perLayer) expect(rec[key], key).toBeGreaterThan(0);
    expect(rec.grad_norm).toBeCloseTo(Math.hypot(...perLayer.map((k) => rec[k] as number)), 4);
    expect(tf.memory().numTensors).toBe(before);
  });
});

const never = new AbortController().signal;
