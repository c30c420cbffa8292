import { HpoError } from "@hpo/core";
import type { Dataset } from "../datasets/dataset.ts";
import { imageDataset } from "../datasets/fashion-mnist.ts";
import type { IdxArray } from "../datasets/idx-loader.ts";
import type { Preprocessing } from "./exported-model.ts";

/**
 * The images of an IDX file (`[n, height, width]` unsigned bytes, as MNIST and Fashion-MNIST ship)
 * as a Dataset laid out for an image model's preprocessing: pixels scaled to [0, 1] exactly as
 * the trainer reads its IDX files, one input per pixel (`px0` … in row-major order). `labels`, an
 * IDX `[n]` array of class ids (indices into the model's classes), is optional.
 * @throws HpoError INVALID_DATASET naming `name`: not [n, h, w], images whose pixel count is not
 *   the model's inputs, a model whose inputs are not IDX pixels, labels of another length or
 *   outside the classes.
 */
export function idxRowsFor(
  pre: Preprocessing,
  images: IdxArray,
  labels: IdxArray | undefined,
  name: string,
): { data: Dataset; labelled: boolean } {
  const fail = (problem: string): never => {
    throw new HpoError("INVALID_DATASET", `IDX file ${name}: ${problem}`);
  };
  const [n = 0, h = 0, w = 0] = images.dims;
  if (images.dims.length !== 3) fail(`images must be [n, height, width], got [${images.dims.join(", ")}]`);
  const pixels = pre.inputs.every((input, i) => input === `px${i}`);
  if (!pixels)
    fail(
      `the model's inputs are not the pixels of IDX images (${pre.inputs.slice(0, 3).join(", ")}, …): give a CSV file with those columns`,
    );
  if (h * w !== pre.inputs.length)
    fail(`images of ${h}×${w} = ${h * w} pixels, but the model takes ${pre.inputs.length} inputs`);
  const data = imageDataset(
    name,
    images,
    labels ?? { dims: [n], data: new Uint8Array(n) },
    pre.classes,
    `IDX file ${name}`,
  );
  return { data, labelled: labels !== undefined };
}
