import { existsSync } from "node:fs";
import { join } from "node:path";
import { builtinDataset, HpoError } from "@hpo/core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend.ts";
import { FASHION_MNIST_DIR } from "../datasets/fashion-mnist.ts";
import { type IdxArray, readIdxFile } from "../datasets/idx-loader.ts";
import { loadDataset } from "../datasets/load-dataset.ts";
import { testSplit } from "../fold-split.ts";
import { testJob } from "../testing/index.ts";
import { predictRows } from "./predict-csv.ts";
import { idxRowsFor } from "./predict-idx.ts";
import { refitTrial } from "./refit.ts";

const IMAGES = 600;
const present = existsSync(join(FASHION_MNIST_DIR, "train-images-idx3-ubyte.gz"));

beforeAll(async () => {
  await selectBackend("wasm");
});

/** Rows `rows` of an IDX array (its first dimension). */
function pick(a: IdxArray, rows: readonly number[]): IdxArray {
  const per = a.dims.slice(1).reduce((x, y) => x * y, 1);
  const data = new Uint8Array(rows.length * per);
  rows.forEach((r, i) => {
    data.set(a.data.subarray(r * per, (r + 1) * per), i * per);
  });
  return { dims: [rows.length, ...a.dims.slice(1)], data };
}

describe.skipIf(!present)("idxRowsFor: hpo predict on IDX images (Fashion-MNIST)", () => {
  const job = testJob({
    dataset: { name: "fashion_mnist", task: "classification", images: IMAGES },
    cv: { folds: 3, stratified: true, seed: 5, test_fraction: 0.2 },
    model: {
      hidden: [],
      activation: "relu",
      layers: [
        { type: "conv2d", filters: 4, kernel_size: 3, strides: 2, padding: "same" },
        { type: "max_pool2d", pool_size: 2 },
        { type: "flatten" },
        { type: "dense", units: 16 },
      ],
    },
    params: { learning_rate: 0.003, batch_size: 32, optimizer: "adam" },
    maxEpochs: 2,
  });

  it("scores the test split's images from IDX arrays exactly as the refit did; without labels, the same predictions", async () => {
    const refit = await refitTrial(job);
    const exported = { modelJson: refit.modelJson, weights: refit.weights, preprocessing: refit.preprocessing };
    const test = testSplit(loadDataset(builtinDataset(job)), job.cv)?.heldOut ?? [];
    const images = pick(readIdxFile(join(FASHION_MNIST_DIR, "train-images-idx3-ubyte.gz"), IMAGES), test);
    const labels = pick(readIdxFile(join(FASHION_MNIST_DIR, "train-labels-idx1-ubyte.gz"), IMAGES), test);
    const labelled = idxRowsFor(refit.preprocessing, images, labels, "test-images");
    const scored = await predictRows(exported, labelled.data, labelled.labelled);
    expect(scored.predictions).toHaveLength(test.length);
    expect(scored.metrics).toEqual(refit.test?.metrics);
    const plain = idxRowsFor(refit.preprocessing, images, undefined, "test-images");
    const unlabelled = await predictRows(exported, plain.data, plain.labelled);
    expect(unlabelled.metrics).toBeUndefined();
    expect(unlabelled.predictions).toEqual(scored.predictions);
    // wrong sizes are named
    expect(() =>
      idxRowsFor(refit.preprocessing, { dims: [2, 8, 8], data: new Uint8Array(128) }, undefined, "small"),
    ).toThrow("IDX file small: images of 8×8 = 64 pixels, but the model takes 784 inputs");
    expect(() => idxRowsFor(refit.preprocessing, images, pick(labels, [0, 1]), "short")).toThrow(HpoError);
  });

  it("refuses a model whose inputs are not IDX pixels (digits' pixel_r_c columns)", async () => {
    const digits = await refitTrial(testJob({ dataset: { name: "digits", task: "classification" }, maxEpochs: 1 }));
    expect(() =>
      idxRowsFor(digits.preprocessing, { dims: [1, 8, 8], data: new Uint8Array(64) }, undefined, "d.idx"),
    ).toThrow(
      /IDX file d.idx: the model's inputs are not the pixels of IDX images \(pixel_0_0, pixel_0_1, pixel_0_2, …\)/,
    );
  });
});
